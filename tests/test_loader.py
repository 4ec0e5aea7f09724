"""The safe YAML loader: what it refuses, where it says so, and which values it types."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.loader import MAX_FILE_BYTES, MAX_NODES, Document, LoadError, load_file, parse_text


def parse(text: str) -> Any:
    return parse_text(text, Path("entry.yaml"), "entry.yaml").data


def refusal(text: str) -> LoadError:
    with pytest.raises(LoadError) as caught:
        parse_text(text, Path("entry.yaml"), "entry.yaml")
    return caught.value


BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""

# (text, start of the message, line, column, field path)
REFUSALS = {
    "duplicate key": (
        "id: forklift\nversion: 1\nid: other\n",
        "duplicate key 'id' (first given on line 1)",
        3,
        1,
        "id",
    ),
    "duplicate nested key": (
        "title:\n  lv: Iekrāvējs\n  lv: Cits\n",
        "duplicate key 'lv' (first given on line 2)",
        3,
        3,
        "title.lv",
    ),
    "python tag": (
        "id: x\nhomepage: !!python/object/apply:os.system ['echo pwned']\n",
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        2,
        11,
        "homepage",
    ),
    "python name tag": (
        "run: !!python/name:os.system\n",
        "YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed",
        1,
        6,
        "run",
    ),
    "local tag on a mapping": (
        "cost: !money {type: paid}\n",
        "YAML tag '!money' is not allowed",
        1,
        7,
        "cost",
    ),
    "set tag": (
        "languages: !!set {lv: null}\n",
        "YAML tag 'tag:yaml.org,2002:set' is not allowed",
        1,
        12,
        "languages",
    ),
    "explicit bool tag that changes the meaning of a word": (
        "intakes:\n  on_demand: !!bool yes\n",
        "YAML tag 'tag:yaml.org,2002:bool' is not allowed",
        2,
        14,
        "intakes.on_demand",
    ),
    "explicit int tag on text": (
        "version: !!int one\n",
        "YAML tag 'tag:yaml.org,2002:int' is not allowed",
        1,
        10,
        "version",
    ),
    "explicit float tag on text": (
        "hours: !!float many\n",
        "YAML tag 'tag:yaml.org,2002:float' is not allowed",
        1,
        8,
        "hours",
    ),
    "explicit null tag on text": (
        "homepage: !!null https://example.org\n",
        "YAML tag 'tag:yaml.org,2002:null' is not allowed",
        1,
        11,
        "homepage",
    ),
    "anchor without alias": (
        "id: x\ntitle: &t\n  lv: Teksts\n",
        "anchors and aliases (&name, *name) are not allowed in catalogue files; found &t",
        2,
        8,
        "",
    ),
    "alias": (
        "id: x\nlanguages: [lv, *lang]\n",
        "anchors and aliases (&name, *name) are not allowed in catalogue files; found *lang",
        2,
        17,
        "",
    ),
    "anchor and alias": (
        "purpose: &p\n  lv: Teksts\nfurther_information: *p\n",
        "anchors and aliases (&name, *name) are not allowed in catalogue files; found &p",
        1,
        10,
        "",
    ),
    "billion laughs": (
        BILLION_LAUGHS,
        "anchors and aliases (&name, *name) are not allowed in catalogue files; found &a",
        1,
        4,
        "",
    ),
    "right-to-left override in a plain value": (
        "id: x\ntitle: abc\u202edef\n",
        "text contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)",
        2,
        11,
        "title",
    ),
    "zero-width space on the third line of a block text": (
        "purpose:\n  lv: |\n    Pirmā rinda.\n    Otrā\u200brinda.\n",
        "text contains the invisible character U+200B (ZERO WIDTH SPACE)",
        4,
        9,
        "purpose.lv",
    ),
    "right-to-left override written as an escape": (
        'id: x\ntitle: "abc\\u202edef"\n',
        "text contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)",
        2,
        12,  # at the escape itself
        "title",
    ),
    "byte order mark inside a text": (
        "keywords:\n  - iekrā\ufeffvējs\n",
        "text contains the invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
        2,
        10,
        "keywords[0]",
    ),
    "control character written as an escape": (
        'id: x\ndecision: "Nr.\\x07 5"\n',
        "text contains the invisible character U+0007 (control character)",
        2,
        15,  # at the escape itself
        "decision",
    ),
    "carriage return written as an escape": (
        'decision: "Nr. 5\\r"\n',
        "text contains the invisible character U+000D (control character)",
        1,
        17,  # at the escape itself
        "decision",
    ),
    "invisible character in a key": (
        "id: x\nti\u200btle: Iekrāvējs\n",
        "text contains the invisible character U+200B (ZERO WIDTH SPACE)",
        2,
        3,
        "",
    ),
    "raw control character": (
        "id: x\ntitle: Iekrāvē\x07js\n",
        "the file contains the character U+0007 (control character), which YAML does not allow",
        2,
        15,
        "",
    ),
    "raw escape character": (
        "id: x\n\x1b[31mtitle: red\n",
        "the file contains the character U+001B (control character), which YAML does not allow",
        2,
        1,
        "",
    ),
    "bad indentation": (
        "id: x\n title: y\n",
        "YAML syntax error: this line is indented differently from the field above it",
        2,
        7,
        "",
    ),
    "unclosed list": (
        "languages: [lv, en\nid: x\n",
        "YAML syntax error: the indentation or the quoting is off (while parsing a flow sequence did not find "
        "expected ',' or ']')",
        2,
        3,
        "",
    ),
    "unclosed quote": (
        'id: x\ntitle: "Iekrāvējs\n',
        "YAML syntax error: a quotation mark is not closed",
        2,
        8,
        "",
    ),
    "tab indentation": (
        "title:\n\tlv: x\n",
        "YAML syntax error: a tab character; YAML indents with spaces only",
        2,
        1,
        "",
    ),
    "two documents": (
        "id: x\n---\nid: y\n",
        "YAML syntax error: the indentation or the quoting is off (expected a single document in the stream "
        "but found another document)",
        2,
        1,
        "",
    ),
    "empty file": ("", "the file is empty", 1, 1, ""),
    "only comments": ("# yaml-language-server: $schema=x\n# nothing else\n", "the file is empty", 1, 1, ""),
    "boolean key": ("true: x\n", "mapping keys must be plain words", 1, 1, ""),
    "list as a key": ("id: x\n? [a, b]\n: c\n", "mapping keys must be plain words", 2, 3, ""),
    "too many values": (
        "starts: [" + ", ".join(["1"] * (MAX_NODES + 1)) + "]\n",
        f"the document has more than {MAX_NODES} values",
        1,
        9,
        "starts",
    ),
}


@pytest.mark.parametrize(
    ("text", "cause", "hint"),
    [
        (
            "en: Note: bring boots\n",
            "a colon followed by a space (': ') without quotes",
            'double quotes, e.g. `en: "Note:',
        ),
        ("title:\n\tlv: x\n", "a tab character", "replace the tab with spaces"),
        ('title: "Iekrāvējs\nid: x\n', "a quotation mark is not closed", "end the text with the same quote"),
        ('title: "Iekrāvējs" vadīšana\n', "the text goes on after its closing quote", "one pair of quotes"),
    ],
)
def test_yaml_syntax_errors_name_the_likely_cause_and_the_fix(text: str, cause: str, hint: str) -> None:
    problem = refusal(text).problem
    assert cause in problem.message
    assert hint in problem.hint


@pytest.mark.parametrize(("text", "message", "line", "column", "field"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_documents_name_the_problem_and_its_position(
    text: str, message: str, line: int, column: int, field: str
) -> None:
    problem = refusal(text).problem
    assert problem.message.startswith(message)
    assert (problem.file, problem.line, problem.column, problem.field) == ("entry.yaml", line, column, field)
    assert problem.hint


def test_billion_laughs_is_refused_without_expanding() -> None:
    start = time.perf_counter()
    refusal(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1


def test_an_invisible_key_is_not_echoed_in_the_field_path() -> None:
    problem = refusal("ti\u202etle: x\n").problem
    assert "\u202e" not in problem.text()


# (bytes, line, column): columns count characters, not bytes.
INVALID_UTF8 = {
    "first byte of the file": (b"\xff\xfeid: x\n", 1, 1),
    "after two-byte letters on line 2": ("id: x\ntitle: Iekrāvē".encode() + b"\xe9js\n", 2, 15),
    "truncated multi-byte sequence at the end": ("id: x\n\ntitle: ā".encode() + b"\xc4", 3, 9),
    "Baltic code page (Windows-1257) line": ("id: x\npurpose: Rīga".encode() + "\nlv: Ādaži\n".encode("cp1257"), 3, 5),
}


@pytest.mark.parametrize(("raw", "line", "column"), INVALID_UTF8.values(), ids=INVALID_UTF8.keys())
def test_invalid_utf8_is_refused_at_its_line_and_character_column(
    tmp_path: Path, raw: bytes, line: int, column: int
) -> None:
    path = tmp_path / "entry.yaml"
    path.write_bytes(raw)
    with pytest.raises(LoadError) as caught:
        load_file(path, "entry.yaml")
    problem = caught.value.problem
    assert problem.message.startswith("the file is not valid UTF-8 (byte 0x")
    assert (problem.line, problem.column) == (line, column)
    assert problem.hint == "save the file with UTF-8 encoding"


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    path.write_text("purpose: '" + "a" * MAX_FILE_BYTES + "'\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_file(path, "entry.yaml")
    problem = caught.value.problem
    size = path.stat().st_size
    assert problem.message == f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}"
    assert (problem.line, problem.column) == (1, 1)


def test_a_file_at_the_size_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    head, tail = "purpose: '", "'\n"
    path.write_text(head + "a" * (MAX_FILE_BYTES - len(head) - len(tail)) + tail, encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert len(load_file(path).data["purpose"]) == MAX_FILE_BYTES - len(head) - len(tail)


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_file(tmp_path / "missing.yaml", "missing.yaml")
    assert caught.value.problem.message.startswith("cannot read the file")


def test_a_leading_byte_order_mark_is_ignored_and_positions_stay_right(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    path.write_bytes("\ufeffid: x\ntitle: y\n".encode())
    document = load_file(path)
    assert document.data == {"id": "x", "title": "y"}
    assert document.position(("title",)) == (2, 8)


# Words and numbers that other YAML readers turn into booleans, dates or numbers.
STAY_TEXT = [
    "no",
    "No",
    "NO",
    "yes",
    "on",
    "off",
    "y",
    "n",
    "True",
    "FALSE",
    "Null",
    "NULL",
    "2026-01-01",
    "2026-01-01T10:00:00",
    "12:30",
    "1_000",
    "0x1F",
    "0o17",
    "0b101",
    "017",
    "0613",
    "1e3",
    "1.5e3",
    "-.5",
    "+.5",
    ".inf",
    "-.inf",
    ".nan",
    "1,5",
    "EUR",
]


@pytest.mark.parametrize("word", STAY_TEXT)
def test_plain_words_that_look_like_other_types_stay_text(word: str) -> None:
    assert parse(f"value: {word}\n") == {"value": word}


TYPED = {
    "true": True,
    "false": False,
    "null": None,
    "~": None,
    "": None,
    "0": 0,
    "42": 42,
    "-7": -7,
    "+3": 3,
    "1800": 1800,
    "1.5": 1.5,
    "-0.25": -0.25,
    "3.": 3.0,
    ".5": 0.5,
    "1.0e+3": 1000.0,
    "2.5E-1": 0.25,
    "'42'": "42",
    '"true"': "true",
    "!!str 5": "5",
}


@pytest.mark.parametrize(("source", "value"), TYPED.items(), ids=[repr(s) for s in TYPED])
def test_only_true_false_null_and_decimal_numbers_are_typed(source: str, value: object) -> None:
    loaded = parse(f"value: {source}\n")["value"]
    assert loaded == value and type(loaded) is type(value)


def test_integer_keys_become_text_keys() -> None:
    assert parse("1: a\n") == {"1": "a"}


@pytest.fixture()
def document() -> Document:
    return parse_text(
        "# comment\nid: x\nlearning_outcomes:\n  - text:\n      lv: Plāno\n      en: Plans\n",
        Path("entry.yaml"),
        "entry.yaml",
    )


POSITIONS = {
    "value of a key": ((("id",), False), (2, 5)),
    "key": ((("id",), True), (2, 1)),
    "list item": ((("learning_outcomes", 0), False), (4, 5)),
    "list item as key falls back to the item": ((("learning_outcomes", 0), True), (4, 5)),
    "nested value": ((("learning_outcomes", 0, "text", "en"), False), (6, 11)),
    "nested key": ((("learning_outcomes", 0, "text", "en"), True), (6, 7)),
    "missing key: its mapping's key": ((("learning_outcomes", 0, "esco_skills"), True), (4, 5)),
    "missing item: its list": ((("learning_outcomes", 3, "text"), False), (4, 3)),
    "document root": (((), False), (2, 1)),
}


@pytest.mark.parametrize(("query", "expected"), POSITIONS.values(), ids=POSITIONS.keys())
def test_positions_are_one_based_and_fall_back_to_the_nearest_ancestor(
    document: Document, query: tuple[tuple[str | int, ...], bool], expected: tuple[int, int]
) -> None:
    path, key = query
    assert document.position(path, key=key) == expected


def test_problem_carries_file_position_and_field_path(document: Document) -> None:
    problem = document.problem(("learning_outcomes", 0, "text", "en"), "too short", hint="write more")
    assert problem.text() == "entry.yaml:6:11: error: learning_outcomes[0].text.en: too short Hint: write more"


# Text that a contributor can type: no control or invisible format characters
# (the loader refuses those), but tabs, line breaks and any other script.
_TEXT = st.one_of(
    st.text(
        alphabet=st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn"), include_characters="\t\n"),
        max_size=30,
    ),
    # Text that looks like a number, a date or a word that YAML 1.1 reads as a boolean.
    st.from_regex(r"[-+]?[0-9._]{0,4}(?:[eE][-+]?[0-9]{1,2})?", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|0[xob][0-9a-fA-F]{1,3}|[0-9]{1,2}:[0-9]{2}", fullmatch=True),
    st.sampled_from(STAY_TEXT),
)
_VALUES = st.one_of(
    _TEXT,
    st.integers(),
    st.booleans(),
    st.lists(_TEXT, max_size=4),
    st.floats(allow_nan=False, allow_infinity=False),
)


@settings(max_examples=150, deadline=None)
@given(data=st.dictionaries(_TEXT, _VALUES, max_size=6), allow_unicode=st.booleans())
def test_anything_yaml_safe_dump_writes_loads_back_equal(data: dict[str, Any], allow_unicode: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=allow_unicode, sort_keys=False)
    loaded = parse(text)
    assert loaded == data
    assert [type(v) for v in loaded.values()] == [type(v) for v in data.values()]
