"""Every problem in one run: rules run beside schema errors, one message per problem, hints that fit."""

from __future__ import annotations

from pathlib import Path

from generator.catalogue import validate

FORKLIFT = "transport-logistics/forklift-safe-operation.yaml"
WAREHOUSE = "transport-logistics/warehouse-operations.yaml"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _found(catalogue_dir: Path, name: str) -> list[tuple[str, str, str]]:
    shown = f"catalogue/{name}"
    return [(p.field, p.message, p.hint) for p in validate(catalogue_dir).problems if p.file == shown]


def test_a_schema_error_does_not_hide_reference_and_level_problems(catalogue_copy: Path) -> None:
    path = catalogue_copy / FORKLIFT
    _replace(path, '  lv: "Droša iekrāvēja vadīšana noliktavā"', '  lv: ""')
    _replace(path, "  - example-vocational-school\n", "  - acme-school\n")
    _replace(path, "  eqf: 2", "  eqf: 3")
    fields = [field for field, _, _ in _found(catalogue_copy, FORKLIFT)]
    assert sorted(fields) == ["awarding_bodies[0]", "level.eqf", "title.lv"]


def test_a_blank_required_text_is_one_problem_and_never_told_to_go(catalogue_copy: Path) -> None:
    _replace(catalogue_copy / FORKLIFT, '  lv: "Droša iekrāvēja vadīšana noliktavā"', '  lv: ""')
    (problem,) = _found(catalogue_copy, FORKLIFT)
    assert problem[:2] == ("title.lv", "the text is blank")
    assert "remove" not in problem[2] and "required" in problem[2]


def test_a_blank_optional_text_may_be_removed(catalogue_copy: Path) -> None:
    _replace(
        catalogue_copy / FORKLIFT,
        '  lv: "Vismaz 18 gadu vecums un derīga veselības pārbaudes karte darbam ar iekrāvēju."',
        '  lv: "  "',
    )
    (problem,) = _found(catalogue_copy, FORKLIFT)
    assert problem == (
        "prerequisites.lv",
        "the text is blank",
        "write the text, or remove `prerequisites` if you do not need it",
    )


def test_a_broken_field_is_reported_once_not_again_by_a_rule(catalogue_copy: Path) -> None:
    _replace(catalogue_copy / FORKLIFT, "  eqf: 2", "  eqf: 9")
    problems = _found(catalogue_copy, FORKLIFT)
    assert [field for field, _, _ in problems] == ["level.eqf"]  # the schema's maximum, not also "differs from LKI"


def test_an_entry_that_does_not_load_is_still_known_to_its_references(catalogue_copy: Path) -> None:
    _replace(catalogue_copy / WAREHOUSE, '  en: "', "  en: Note: ")
    others = [p for p in validate(catalogue_copy).problems if p.file != f"catalogue/{WAREHOUSE}"]
    assert not [p.text() for p in others if "warehouse-operations" in p.message]


def test_an_unknown_reference_suggests_only_a_near_miss(catalogue_copy: Path) -> None:
    (catalogue_copy / WAREHOUSE).unlink()
    hints = [p.hint for p in validate(catalogue_copy).problems if "unknown micro-qualification" in p.message]
    assert hints
    assert all("did you mean" not in hint for hint in hints)


def test_a_text_cut_off_by_an_unquoted_hash_says_to_quote_it(catalogue_copy: Path) -> None:
    _replace(catalogue_copy / FORKLIFT, '  en: "Safe forklift operation in a warehouse"', "  en: #1 forklift course")
    (problem,) = _found(catalogue_copy, FORKLIFT)
    assert problem[0] == "title.en"
    assert "unquoted ' #'" in problem[2] and "double quotes" in problem[2]
