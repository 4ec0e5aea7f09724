"""Safe loading of catalogue YAML files, keeping the position of every node.

PyYAML's C parser composes the node tree; this module turns nodes into plain
Python values itself, so that:

* no tag ever constructs an object (only the plain YAML types are known);
* duplicate keys are errors (PyYAML keeps the last one silently);
* only `true`/`false` are booleans and dates stay strings: `no`, `on` and
  `2026-01-01` mean what the author typed, and the schema checks date formats;
* anchors and aliases are refused, which also rules out alias-expansion bombs;
* oversized files, non-UTF-8 bytes and invisible control characters in text
  (bidirectional overrides, zero-width characters) are refused with a position.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem, field_path

try:  # The C parser is much faster; pure Python is the fallback.
    from yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]
    from yaml.reader import Reader as _Reader
    from yaml.scanner import Scanner as _Scanner
    from yaml.composer import Composer as _Composer
else:
    _Reader = _Scanner = _Composer = None  # type: ignore[assignment]

MAX_FILE_BYTES = 256 * 1024
MAX_NODES = 20_000

Path_ = tuple[str | int, ...]

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"

# Invisible characters that can make a text read differently from what it is
# (Trojan Source) or hide content: bidirectional controls, zero-width characters.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _Resolver(yaml.resolver.BaseResolver):
    """Implicit types of YAML 1.2's core schema, minus dates and yes/no/on/off."""


_Resolver.add_implicit_resolver(BOOL, re.compile(r"^(?:true|false)$"), list("tf"))
_Resolver.add_implicit_resolver(NULL, re.compile(r"^(?:~|null|)$"), ["~", "n", ""])
_Resolver.add_implicit_resolver(INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    FLOAT,
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)


if _Composer is None:

    class _ComposingLoader(_Parser, _Resolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _Resolver.__init__(self)

else:  # pragma: no cover

    class _ComposingLoader(_Reader, _Scanner, _Parser, _Composer, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            _Reader.__init__(self, stream)
            _Scanner.__init__(self)
            _Parser.__init__(self)
            _Composer.__init__(self)
            _Resolver.__init__(self)


@dataclass
class Document:
    """A loaded catalogue file: its data and the position of every node in it."""

    path: Path
    display: str
    data: Any
    # (line, column), 1-based, of each value node and of each mapping key.
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Position of the node at `path`, or of its nearest existing ancestor."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if key and probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, path: Path_, message: str, *, hint: str = "", key: bool = False, **kw: Any) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.display, line, column, field_path(path), message, hint=hint, **kw)


class LoadError(Exception):
    """The file cannot be read as a catalogue document; carries the problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a composed node tree into plain values, recording positions."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.key_positions: dict[Path_, tuple[int, int]] = {}
        self.seen: set[int] = set()

    def fail(self, node: Any, path: Path_, message: str, hint: str = "", *, at_key: bool = False) -> LoadError:
        line, column = self.key_positions[path] if at_key and path in self.key_positions else _mark(node.start_mark)
        return LoadError(Problem(self.display, line, column, field_path(path), message, hint=hint))

    def build(self, node: Any, path: Path_) -> Any:
        if id(node) in self.seen:
            raise self.fail(
                node, path, "anchors and aliases (&name, *name) are not allowed in catalogue files",
                "write the value out in full; reviewers read each entry on its own", at_key=True,
            )
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            raise self.fail(node, path, f"the document has more than {MAX_NODES} values", "split it or shorten it")
        self.positions[path] = _mark(node.start_mark)
        tag = node.tag
        if isinstance(node, yaml.MappingNode):
            if tag != MAP:
                raise self._bad_tag(node, path)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (STR, INT):
                    raise self.fail(key_node, path, "mapping keys must be plain words", "write the key as text, e.g. `title:`")
                key = key_node.value
                if key in result:
                    first = self.key_positions[path + (key,)]
                    raise self.fail(
                        key_node, path + (key,),
                        f"duplicate key '{key}' (first given on line {first[0]})",
                        "keep one of them; YAML would silently use only the last",
                    )
                self.key_positions[path + (key,)] = _mark(key_node.start_mark)
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            if tag != SEQ:
                raise self._bad_tag(node, path)
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _bad_tag(self, node: Any, path: Path_) -> LoadError:
        return self.fail(node, path, f"YAML tag '{node.tag}' is not allowed", "remove the tag (the part starting with !)")

    def _scalar(self, node: Any, path: Path_) -> Any:
        tag, value = node.tag, node.value
        if tag == STR:
            self._check_text(node, path, value)
            return value
        if tag == INT:
            return int(value)
        if tag == FLOAT:
            return float(value)
        if tag == BOOL:
            return value == "true"
        if tag == NULL:
            return None
        raise self._bad_tag(node, path)

    def _check_text(self, node: Any, path: Path_, value: str) -> None:
        bad = _INVISIBLE.search(value) or _CONTROL.search(value.replace("\t", "").replace("\n", ""))
        if bad:
            char = bad.group()
            name = unicodedata.name(char, "control character")
            raise self.fail(
                node, path,
                f"text contains the invisible character U+{ord(char):04X} ({name})",
                "retype the text without it; invisible characters can make text read differently from what it is",
            )


def _decode(raw: bytes, display: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            Problem(display, line, column, "", f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x})",
                    hint="save the file with UTF-8 encoding")
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def parse_text(text: str, path: Path, display: str) -> Document:
    """Parse YAML text into a Document; raise LoadError with a position on failure."""
    loader = _ComposingLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = _mark(mark) if mark else (1, 1)
            message = " ".join(str(part) for part in (error.context, error.problem) if part)
            raise LoadError(Problem(display, line, column, "", f"YAML syntax error: {message}",
                                    hint="check indentation and quoting near this position")) from None
        except yaml.YAMLError as error:
            raise LoadError(Problem(display, 1, 1, "", f"YAML error: {error}")) from None
    finally:
        loader.dispose()
    if node is None:
        raise LoadError(Problem(display, 1, 1, "", "the file is empty", hint="start from `mqcat new`"))
    builder = _Builder(display)
    data = builder.build(node, ())
    return Document(path, display, data, builder.positions, builder.key_positions)


def load_file(path: Path, display: str | None = None) -> Document:
    """Read and parse one catalogue file safely."""
    display = display or path.as_posix()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(
                Problem(display, 1, 1, "", f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}",
                        hint="a programme description is a few kilobytes: shorten the texts")
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise LoadError(Problem(display, 1, 1, "", f"cannot read the file: {error.strerror}")) from None
    return parse_text(_decode(raw, display), path, display)
