"""Every pattern of the schemas means the whole value: no trailing line break, nothing before or after.

JSON Schema searches a pattern anywhere in a value, and Python's `$` matches
before a final line break, so "abc\\n" used to pass "^[a-z]+$". These tests
take each pattern of every schema file, generate values it matches, and check
that the validator accepts them and refuses them with a line break or a
character added at either end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import schemas
from generator.catalogue import validate
from generator.loader import load_file

SCHEMA_FILES = sorted(schemas.SCHEMA_DIR.glob("*.schema.json"))


def patterns_in(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(JSON pointer, pattern) for every `pattern` keyword in a schema document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "pattern" and isinstance(item, str):
                yield where, item
            else:
                yield from patterns_in(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from patterns_in(item, f"{where}/{index}")


PATTERNS = sorted(
    {
        (f"{path.name}#{pointer}", pattern)
        for path in SCHEMA_FILES
        for pointer, pattern in patterns_in(json.loads(path.read_text(encoding="utf-8")))
    }
)


def test_the_schemas_have_patterns_to_check() -> None:
    assert len(PATTERNS) >= 10


@pytest.mark.parametrize(("where", "pattern"), PATTERNS, ids=[where for where, _ in PATTERNS])
def test_every_schema_pattern_is_anchored_for_other_tools_too(where: str, pattern: str) -> None:
    # Editors and other validators search patterns (ECMA-262): anchors make them mean the whole value as well.
    assert pattern.startswith("^") and pattern.endswith("$"), where


@pytest.mark.parametrize(("where", "pattern"), PATTERNS, ids=[where for where, _ in PATTERNS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_schema_pattern_matches_the_whole_value(where: str, pattern: str, data: st.DataObject) -> None:
    check = schemas.Validator({"type": "string", "pattern": pattern})
    value = data.draw(st.from_regex(pattern, fullmatch=True), label="value")
    assert check.is_valid(value), (where, value)
    if pattern == schemas.schema("common.schema.json")["$defs"]["plain_text"]["pattern"]:
        # Plain texts may have line breaks anywhere; their pattern only refuses a blank text.
        assert not check.is_valid(data.draw(st.text(" \t\n\r", max_size=5)))
        return
    for changed in (value + "\n", "\n" + value, value + "\r\n", value + "\u2028", value + "\u0085"):
        assert not check.is_valid(changed), (where, changed)


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        ("^[a-z0-9]+(-[a-z0-9]+)*$", "abc\n"),
        ("^\\+[0-9][0-9 ]{6,18}[0-9]$", "+371 67 000 000\n"),
        ("^https://[^\\s]+$", "https://example.org\n"),
        ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "2026-01-01\n"),
        ("^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$", "a@example.org\n"),
    ],
)
def test_a_trailing_line_break_fails_anchored_patterns(pattern: str, value: str) -> None:
    assert not schemas.Validator({"type": "string", "pattern": pattern}).is_valid(value)
    assert schemas.Validator({"type": "string", "pattern": pattern}).is_valid(value.rstrip("\n"))


def test_an_id_with_a_trailing_line_break_is_refused_in_a_catalogue_file(catalogue_copy: Path) -> None:
    path = catalogue_copy / "transport-logistics" / "forklift-safe-operation.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: forklift-safe-operation", 'id: "forklift-safe-operation\\n"', 1), "utf-8")
    assert load_file(path).data["id"] == "forklift-safe-operation\n"
    problems = [p for p in validate(catalogue_copy).problems if p.field == "id"]
    assert problems and problems[0].file == "catalogue/transport-logistics/forklift-safe-operation.yaml"
    assert "is not in the expected form" in problems[0].message


def test_blank_text_is_still_refused_as_blank(catalogue_copy: Path) -> None:
    path = catalogue_copy / "transport-logistics" / "forklift-safe-operation.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('en: "Safe forklift operation in a warehouse"', 'en: "  \\n "', 1), "utf-8")
    [problem] = [p for p in validate(catalogue_copy).problems if p.field == "title.en"]
    assert problem.message == "the text is blank"
