"""Safe loading of catalogue YAML files, with the position of every node on demand.

PyYAML's C parser composes the node tree; this module turns nodes into plain
Python values itself, so that:

* no tag ever constructs an object (only the plain YAML types are known, and an
  explicit `!!int`, `!!bool`... must agree with what the value says anyway);
* duplicate keys are errors (PyYAML keeps the last one silently);
* only `true`/`false` are booleans, only plain decimal numbers are numbers, and
  dates stay strings: `no`, `on`, `0x1F`, `1_000` and `2026-01-01` mean what
  the author typed, and the schema checks date formats;
* anchors and aliases are refused, which also rules out alias-expansion bombs;
* oversized files, non-UTF-8 bytes, control characters and invisible characters
  in text (bidirectional overrides, zero-width characters) are refused with the
  line and column where they are.

Positions are looked up only when a problem is reported: a Document keeps its
source text and composes the node tree again for the first lookup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem, field_path

MAX_FILE_BYTES = 256 * 1024
MAX_NODES = 20_000
# Collections inside collections; an entry needs about 5. Deeper documents are refused before
# the tree is built (a recursive composer would fail, or overflow the stack, thousands deep).
MAX_DEPTH = 32

Path_ = tuple[str | int, ...]

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"

# Characters refused in text, in three groups:
# * what XML 1.0 forbids (C0 controls other than tab and line feed, U+FFFE, U+FFFF, lone
#   surrogates), so that every output (Atom, HTML, JSON-LD) stays well-formed; C1 controls too;
# * Unicode format characters (category Cf: bidirectional controls, zero-width characters,
#   soft hyphen, ...), which can make a text read differently from what it is (Trojan Source)
#   or hide content; a test checks this list against the running Python's Unicode tables;
# * tag characters (U+E0000-U+E007F), invisible letters that can smuggle text.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # controls (XML 1.0 forbids C0; C1 are never text)
    "\ud800-\udfff\ufffe\uffff"  # lone surrogates and the two noncharacters XML 1.0 forbids
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"  # format characters (Cf)
    "\U000e0000-\U000e007f]"  # tag characters
)


def character_name(char: str) -> str:
    """The Unicode name of a character, or what it is when it has none."""
    name = unicodedata.name(char, "")
    if name:
        return name
    category = unicodedata.category(char)
    if category == "Cs":
        return "unpaired surrogate"
    if char in "\ufffe\uffff":
        return "noncharacter"
    if category == "Cc":
        return "control character"
    return f"unnamed, category {category}"


def forbidden_character(text: str) -> re.Match[str] | None:
    """The first character of `text` that no catalogue text may hold, or None."""
    return _FORBIDDEN.search(text)


# Plain scalars that are not text. Only values that YAML 1.1 (PyYAML's emitter)
# and YAML 1.2 (editors, other tools) both read as the same non-text type, so
# that whatever yaml.safe_dump writes unquoted comes back as the same value:
# no leading zeros (`0613` is a code, not 613), no exponent without a point.
_IMPLICIT = {
    BOOL: (re.compile(r"^(?:true|false)$"), list("tf")),
    NULL: (re.compile(r"^(?:~|null|)$"), ["~", "n", ""]),
    INT: (re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")),
    FLOAT: (re.compile(r"^(?:[-+]?[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?$"), list("-+.0123456789")),
}


class _Resolver(yaml.resolver.BaseResolver):
    """Implicit types of plain scalars: see _IMPLICIT."""


for _tag, (_pattern, _first) in _IMPLICIT.items():
    _Resolver.add_implicit_resolver(_tag, _pattern, _first)


if yaml.__with_libyaml__:  # The C parser is much faster; pure Python is the fallback.
    from yaml._yaml import CParser

    class _ComposingLoader(CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)

else:  # pragma: no cover - depends on how PyYAML was built

    class _ComposingLoader(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


@dataclass
class Document:
    """A loaded catalogue file: its data, and the source text to find positions in."""

    path: Path
    display: str
    data: Any
    text: str = field(default="", repr=False)
    _root: Any = field(default=None, init=False, repr=False, compare=False)
    # (key node or None, value node) by document path, built on the first lookup: a file with
    # thousands of problems costs one walk of its tree, not one scan of a mapping per problem.
    _index: dict[Path_, tuple[Any, Any]] | None = field(default=None, init=False, repr=False, compare=False)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """(line, column), 1-based, of the node at `path`, or of its nearest existing ancestor.

        With `key`, the position of the mapping key rather than of its value.
        """
        if self._index is None:
            root = _compose(self.text, self.display) if self.text else None
            self._root = root
            self._index = _index(root) if root is not None else {}
        for length in range(len(path), -1, -1):
            found = self._index.get(tuple(path[:length]))
            if found is not None:
                key_node, node = found
                return _mark((key_node if key and key_node is not None else node).start_mark)
        return (1, 1)

    def problem(self, path: Path_, message: str, *, hint: str = "", key: bool = False, **kw: Any) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.display, line, column, field_path(path), message, hint=hint, **kw)


def _index(root: Any) -> dict[Path_, tuple[Any, Any]]:
    """Every node of a composed tree by its document path (the first of repeated keys wins)."""
    index: dict[Path_, tuple[Any, Any]] = {(): (None, root)}
    pending: list[tuple[Path_, Any]] = [((), root)]
    while pending:
        path, node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = path + (key_node.value if isinstance(key_node, yaml.ScalarNode) else "?",)
                if child not in index:
                    index[child] = (key_node, value_node)
                    pending.append((child, value_node))
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value):
                index[path + (number,)] = (None, item)
                pending.append((path + (number,), item))
    return index


def _path_to(node: Any, target: Any, path: Path_ = ()) -> Path_ | None:
    """The document path of `target` (a value or a key node) below `node`."""
    if node is target:
        return path
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            if key_node is target:
                return path + (key,)
            found = _path_to(value_node, target, path + (key,))
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _path_to(item, target, path + (index,))
            if found is not None:
                return found
    return None


class LoadError(Exception):
    """The file cannot be read as a catalogue document; carries the problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the character at `offset`."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


class _Refused(Exception):
    """Raised while building values; parse_text adds the field path and position."""

    def __init__(
        self, node: Any, message: str, hint: str = "", offset: int | None = None, *, in_key: bool = False
    ) -> None:
        super().__init__(message)
        self.node, self.message, self.hint, self.offset = node, message, hint, offset
        # A refused key is reported under its mapping's path: the key itself may be unprintable.
        self.in_key = in_key


_BAD_TAG_HINT = "remove the tag (the part starting with !)"


class _Builder:
    """Turns a composed node tree into plain values, refusing what a catalogue file must not hold."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.count = 0

    def build(self, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if node.tag != (MAP if isinstance(node, yaml.MappingNode) else SEQ):
            raise _Refused(node, f"YAML tag '{node.tag}' is not allowed", _BAD_TAG_HINT)
        self.count += len(node.value)
        if self.count > MAX_NODES:
            raise _Refused(node, f"the document has more than {MAX_NODES} values", "split it or shorten it")
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item) for item in node.value]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (STR, INT):
                raise _Refused(
                    key_node, "mapping keys must be plain words", "write the key as text, e.g. `title:`", in_key=True
                )
            key = key_node.value
            if key in result:
                first = next(k for k, _ in node.value if k.value == key)
                raise _Refused(
                    key_node,
                    f"duplicate key '{key}' (first given on line {first.start_mark.line + 1})",
                    "keep one of them; YAML would silently use only the last",
                )
            self._check_text(key_node, key, in_key=True)
            result[key] = self.build(value_node)
        return result

    def _scalar(self, node: Any) -> Any:
        tag, value = node.tag, node.value
        if tag == STR:
            self._check_text(node, value)
            return value
        implicit = _IMPLICIT.get(tag)
        # An explicit tag (`!!bool yes`, `!!int abc`) must not give a value another meaning.
        if implicit is None or not implicit[0].match(value):
            raise _Refused(node, f"YAML tag '{tag}' is not allowed", _BAD_TAG_HINT)
        if tag == INT:
            return int(value)
        if tag == FLOAT:
            return float(value)
        if tag == BOOL:
            return value == "true"
        return None

    def _check_text(self, node: Any, value: str, *, in_key: bool = False) -> None:
        bad = _FORBIDDEN.search(value)
        if bad:
            char = bad.group()
            # Point at the character itself where the source has it literally (not as an escape).
            offset: int | None = self.text.find(char, node.start_mark.index, node.end_mark.index)
            if offset is not None and offset < 0:
                offset = _escape_offset(self.text, char, node.start_mark.index, node.end_mark.index)
            raise _Refused(
                node,
                f"text contains the {_kind_of_character(char)} U+{ord(char):04X} ({character_name(char)})",
                "retype the text without it; invisible characters can make text read differently from what it is, "
                "and the published files (XML, HTML) cannot hold some characters",
                offset,
                in_key=in_key,
            )


def _kind_of_character(char: str) -> str:
    if unicodedata.category(char) in ("Cs", "Cn") or char in "\ufffe\uffff":
        return "character"
    return "invisible character"


# YAML's one-letter escapes in double-quoted scalars, by the character they stand for.
_SHORT_ESCAPES = {0x00: "0", 0x07: "a", 0x08: "b", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x1B: "e", 0x85: "N"}


def _escape_offset(text: str, char: str, start: int, end: int) -> int | None:
    """Where a double-quoted scalar writes `char` as an escape (`\\uFFFE`, `\\x07`, `\\a`), or None."""
    code = ord(char)
    scalar = text[start:end]
    lowered = scalar.lower()
    hexadecimal = [f"\\U{code:08x}".lower(), f"\\u{code:04x}"] + ([f"\\x{code:02x}"] if code < 0x100 else [])
    found = [lowered.find(escape) for escape in hexadecimal]
    if code in _SHORT_ESCAPES:
        found.append(scalar.find("\\" + _SHORT_ESCAPES[code]))
    found = [index for index in found if index >= 0]
    return start + min(found) if found else None


def _file_error(display: str, message: str, *, hint: str = "", line: int = 1, column: int = 1) -> LoadError:
    """The LoadError for a problem with the file as a whole (no field), at `line`:`column`."""
    return LoadError(Problem(display, line, column, "", message, hint=hint))


def _decode(raw: bytes, display: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        # Columns count characters, as editors and the YAML parser do; the bytes before are valid.
        column = len(raw[line_start : error.start].decode("utf-8")) + 1
        raise _file_error(
            display,
            f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x})",
            hint="save the file with UTF-8 encoding",
            line=line,
            column=column,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


# Two block indicators in a row (`- - x`, `- ? x`) open two levels on one line.
_CHAINED_INDICATORS = re.compile(r"[-?] +[-?](?: |$)", re.MULTILINE)


def _may_be_deep(text: str) -> bool:
    """Whether the document could nest deeper than MAX_DEPTH, judged quickly from its text.

    In block style a collection inside another is indented further, except a sequence
    under a mapping key (same column), so each column of indentation holds at most two
    levels; a line adds at most two more (`- key: x`) unless it chains indicators
    (`- - x`); every `[` or `{` may open one more. Spaces inside texts only make the
    estimate larger. Only files this cannot clear get the exact check on the parser's events.
    """
    flow = text.count("[") + text.count("{")
    if flow >= MAX_DEPTH or _CHAINED_INDICATORS.search(text):
        return True
    # Levels on a line indented n spaces: at most 2 * (n + 1) + 2 + flow.
    deepest_clear = (MAX_DEPTH - flow - 2) // 2 - 1
    return deepest_clear < 0 or " " * (deepest_clear + 1) in text


def _too_deep(display: str, line: int, column: int) -> LoadError:
    return _file_error(
        display,
        f"the document is nested more than {MAX_DEPTH} levels deep here",
        hint="a catalogue file needs a few levels; remove the extra brackets or indentation",
        line=line,
        column=column,
    )


def _check_events(text: str, display: str, *, anchors: bool, depth: bool) -> None:
    """Raise LoadError at the first anchor or alias, or where the nesting passes MAX_DEPTH.

    One pass over the parser's events (libyaml's parser keeps its own stack, so this
    works at any depth); a composed tree would no longer show where anchors were.
    """
    loader = _ComposingLoader(text)
    level = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            anchor = getattr(event, "anchor", None)
            if anchors and event is not None and (isinstance(event, yaml.AliasEvent) or anchor is not None):
                line, column = _mark(event.start_mark)
                sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
                raise _file_error(
                    display,
                    f"anchors and aliases (&name, *name) are not allowed in catalogue files; found {sign}{anchor}",
                    hint="write the value out in full; reviewers read each entry on its own",
                    line=line,
                    column=column,
                )
            if isinstance(event, yaml.CollectionStartEvent):
                level += 1
                if depth and level > MAX_DEPTH:
                    raise _too_deep(display, *_mark(event.start_mark))
            elif isinstance(event, yaml.CollectionEndEvent):
                level -= 1
    finally:
        loader.dispose()


def compose(text: str, display: str = "") -> Any:
    """The YAML node tree of `text`, with positions: for tools that edit a file in place."""
    return _compose(text, display, refuse_anchors=True)


def _compose(text: str, display: str, *, refuse_anchors: bool = False) -> Any:
    """The node tree of the single document in `text`; LoadError with a position on failure."""
    try:
        # Anchors and aliases need an `&` or a `*`, and deep nesting needs deep indentation or
        # brackets: most files have neither and are parsed once.
        anchors = refuse_anchors and ("&" in text or "*" in text)
        deep = _may_be_deep(text)
        if anchors or deep:
            _check_events(text, display, anchors=anchors, depth=deep)
        loader = _ComposingLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as error:
        # The reader refuses control characters before any parsing: report where the first one is.
        char = chr(error.character) if isinstance(error.character, int) else str(error.character)
        offset = text.find(char)
        line, column = _line_column(text, offset) if offset >= 0 else (1, 1)
        name = unicodedata.name(char, "control character")
        raise _file_error(
            display,
            f"the file contains the character U+{ord(char):04X} ({name}), which YAML does not allow",
            hint="remove it; it is invisible in most editors",
            line=line,
            column=column,
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if "quoted scalar" in str(error.context or "") and error.context_mark:
            mark = error.context_mark  # where the unclosed quote opens, not the end of the file
        line, column = _mark(mark) if mark else (1, 1)
        if "maximum nesting depth" in str(error.problem or ""):
            # Newer libyaml builds refuse very deep flow nesting in their scanner, before the
            # depth check sees the events: the same problem, reported in the same words.
            raise _too_deep(display, line, column) from None
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        cause, hint = _syntax_cause(error, text, line)
        raise _file_error(
            display, f"YAML syntax error: {cause} ({message})", hint=hint, line=line, column=column
        ) from None
    except yaml.YAMLError as error:
        raise _file_error(display, f"YAML error: {error}") from None


def _syntax_cause(error: yaml.MarkedYAMLError, text: str, line: int) -> tuple[str, str]:
    """The likely cause of a YAML syntax error in plain words, and the fix."""
    problem, context = str(error.problem or ""), str(error.context or "")
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    near = "\n".join(lines[max(line - 2, 0) : line])
    quote = '`en: "Note: the exam is in Latvian."`'
    if "\t" in near or "tab" in problem:
        return (
            "a tab character; YAML indents with spaces only",
            "replace the tab with spaces (two per level), and set your editor to insert spaces for Tab",
        )
    if "quoted scalar" in context:
        return (
            "a quotation mark is not closed",
            'end the text with the same quote it starts with ("..."), and write a quote inside it as \\"',
        )
    key = re.match(r"^(\s*)[\w-]+:(\s|$)", here)
    mark = error.problem_mark
    # The colon of the line's own field, not one inside a text: the line itself is out of place.
    if "mapping values are not allowed" in problem and key and mark is not None and mark.column == here.index(":"):
        return (
            "this line is indented differently from the field above it, or the line above lacks its ':'",
            "line the field up under the fields beside it, with spaces; every line is `field: value`",
        )
    if "mapping values are not allowed" in problem:
        return (
            "a text holds a colon followed by a space (': ') without quotes",
            f"put the whole text in double quotes, e.g. {quote}",
        )
    if re.search(r"""["'][^"']*["']\s*\S""", here) and "expected key" in problem:
        return (
            "the text goes on after its closing quote",
            'put the whole text in one pair of quotes, and write a quote inside it as \\"',
        )
    if " #" in here:
        return (
            "an unquoted ' #' starts a comment, which cuts the text short",
            f"put the whole text in double quotes, e.g. {quote}",
        )
    return (
        "the indentation or the quoting is off",
        "line the field up under the fields beside it (spaces, not tabs), and put texts holding ':' or '#' in quotes",
    )


def parse_text(text: str, path: Path, display: str) -> Document:
    """Parse YAML text into a Document; raise LoadError with a position on failure."""
    root = _compose(text, display, refuse_anchors=True)
    if root is None:
        raise _file_error(display, "the file is empty", hint="start from `mqcat new`")
    try:
        data = _Builder(text).build(root)
    except _Refused as refused:
        where = _path_to(root, refused.node) or ()
        if refused.in_key:
            where = where[:-1]
        if refused.offset is not None:
            line, column = _line_column(text, refused.offset)
        else:
            line, column = _mark(refused.node.start_mark)
        raise LoadError(Problem(display, line, column, field_path(where), refused.message, hint=refused.hint)) from None
    return Document(path, display, data, text)


def load_file(path: Path, display: str | None = None) -> Document:
    """Read and parse one catalogue file safely."""
    display = display or path.as_posix()
    return load_bytes(read_file(path, display), path, display)


def load_bytes(raw: bytes, path: Path, display: str) -> Document:
    """Parse the bytes of a catalogue file (as `read_file` returns them)."""
    return parse_text(_decode(raw, display), path, display)


def read_file(path: Path, display: str) -> bytes:
    """A catalogue file's bytes, refused (LoadError) when it cannot be read or is over the size limit."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _file_error(
                display,
                f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}",
                hint="a programme description is a few kilobytes: shorten the texts",
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _file_error(display, f"cannot read the file: {error.strerror}") from None
    return raw
