"""Validation of the catalogue: every schema check and rule, where it reports, and the command.

Each bad catalogue is the shipped one with one thing changed in one real
sample entry, so every test shows the smallest input that triggers its check.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import schemas
from generator.catalogue import validate
from generator.cli import main
from generator.loader import load_file
from generator.problems import Problem, Severity

from .conftest import CATALOGUE_DIR, REPO_ROOT

# In person, funded, no ECTS, stacks into warehouse-operations.
FORKLIFT = "transport-logistics/forklift-safe-operation.yaml"
WAREHOUSE = "transport-logistics/warehouse-operations.yaml"
PROVIDER = "providers/example-logistics-group.yaml"


# --- helpers -----------------------------------------------------------------


def rewrite(path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    """Load a catalogue file, change its data, write it back as plain YAML."""
    data = load_file(path).data
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path


def replace_text(path: Path, old: str, new: str) -> Path:
    """Edit the file's text in one place, keeping every other line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def locate(path: Path, needle: str, at: str | None = None) -> tuple[int, int]:
    """1-based line and column of the first line with `needle`, at `needle` or at `at` in that line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number, line.index(at or needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def problems_in(catalogue_dir: Path, path: Path) -> list[Problem]:
    shown = path.relative_to(catalogue_dir.parent).as_posix()
    return [p for p in validate(catalogue_dir).problems if p.file == shown]


def only_problem(catalogue_dir: Path, path: Path) -> Problem:
    """The one problem that validation finds in `path` (and there must be only one)."""
    found = problems_in(catalogue_dir, path)
    assert len(found) == 1, "\n".join(p.text() for p in found)
    return found[0]


def delete(*keys: str | int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return change


def assign(value: Any, *keys: str | int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["validate", *args])
    out, err = capsys.readouterr()
    return status, out, err


# --- the shipped catalogue -----------------------------------------------------


def test_the_shipped_catalogue_has_no_errors_and_no_warnings() -> None:
    result = validate(CATALOGUE_DIR)
    assert [p.text() for p in result.problems] == []
    assert result.catalogue is not None and result.catalogue.entries


def test_mqcat_validate_passes_the_shipped_catalogue_as_a_command() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--strict"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip().splitlines()[-1].endswith(" checked: 0 errors, 0 warnings")


# --- schema checks ---------------------------------------------------------------


def test_unknown_field_suggests_the_closest_known_name(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, "\nhomepage:", "\nhome_page:")
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("home_page", "unknown field 'home_page'")
    assert problem.hint == "did you mean 'homepage'?"
    assert (problem.line, problem.column) == locate(path, "home_page:")


def test_unknown_field_without_a_close_name_lists_the_allowed_fields(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign("red", "colour"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.line) == ("colour", locate(path, "colour:")[0])
    assert problem.hint.startswith("allowed fields: ") and "learning_outcomes" in problem.hint


def test_missing_required_field_names_it_with_its_title(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, delete("contact"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("contact", "required field 'contact' (Contact) is missing")
    assert problem.hint == "add `contact:` here"
    assert (problem.line, problem.column) == (1, 1)


def test_several_missing_fields_are_each_named_once(catalogue_copy: Path) -> None:
    def remove(data: dict[str, Any]) -> None:
        for key in ("contact", "purpose", "workload"):
            del data[key]

    path = rewrite(catalogue_copy / FORKLIFT, remove)
    found = [p.field for p in problems_in(catalogue_copy, path) if p.message.startswith("required field")]
    assert sorted(found) == ["contact", "purpose", "workload"]


def test_missing_nested_field_points_at_its_parent_key(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, delete("quality_assurance", "review_due"))
    problem = only_problem(catalogue_copy, path)
    assert problem.field == "quality_assurance.review_due"
    assert problem.message == "required field 'review_due' (Review due) is missing"
    assert (problem.line, problem.column) == locate(path, "quality_assurance:")


def test_number_where_text_is_expected_suggests_quotes(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, 'isced_f: "1041"', "isced_f: 1041")
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("isced_f", "expected text, found a number")
    assert problem.hint == "put quotes around it to make it text"
    assert (problem.line, problem.column) == locate(path, "1041")


def test_text_where_a_number_is_expected_shows_an_example(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, "\nversion: 1\n", "\nversion: one\n")
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message, problem.hint) == (
        "version",
        "expected a whole number, found text",
        "for example 1",
    )
    assert (problem.line, problem.column) == locate(path, "one")


def test_value_outside_an_enum_lists_the_allowed_values(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, "participation_form: in-person", "participation_form: in person")
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("participation_form", "'in person' is not an allowed value")
    assert problem.hint == "did you mean 'in-person'? allowed: in-person, blended, online"
    assert (problem.line, problem.column) == locate(path, "in person")


@pytest.mark.parametrize("date", ["18.06.2025", "2025-6-18", "2025-02-30", "next spring"])
def test_date_not_written_as_a_real_yyyy_mm_dd_is_one_error(catalogue_copy: Path, date: str) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign(date, "quality_assurance", "decision_date"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("quality_assurance.decision_date", f"'{date}' is not a valid date")
    assert problem.hint == 'for example "2026-03-12"'
    assert problem.line == locate(path, "decision_date:")[0]


def test_http_address_must_be_https(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, 'homepage: "https://', 'homepage: "http://')
    problem = only_problem(catalogue_copy, path)
    assert problem.field == "homepage"
    assert problem.message.startswith("'http://") and problem.message.endswith("' is not an https:// address")
    assert problem.hint == "only https:// links are published; use the secure address"
    assert (problem.line, problem.column) == (locate(path, "homepage:")[0], len("homepage: ") + 1)


def test_e_mail_address_without_an_at_sign_is_an_error(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign("training.example.org", "contact", "email"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("contact.email", "'training.example.org' is not a valid email")
    assert problem.line == locate(path, "email:")[0]


def test_unknown_language_code_is_an_error(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign(["lv", "xx"], "languages"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("languages[1]", "'xx' is not a valid iso639-1")
    assert (problem.line, problem.column) == locate(path, "xx")


def test_language_code_in_capitals_is_an_error(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign(["LV"], "languages"))
    problem = only_problem(catalogue_copy, path)
    assert problem.field == "languages[0]"
    assert problem.message == "'LV' is not in the expected form. ISO 639-1 two-letter language code in lowercase."


def test_unknown_currency_code_is_an_error(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign({"type": "paid", "amount": 350, "currency": "EUX"}, "cost"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("cost.currency", "'EUX' is not a valid iso4217")
    assert (problem.line, problem.column) == locate(path, "EUX")


def test_unknown_country_code_is_an_error_and_entries_still_find_the_provider(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / PROVIDER, "\ncountry: LV\n", "\ncountry: XX\n")
    result = validate(catalogue_copy)
    assert [(p.file, p.field, p.message) for p in result.problems] == [
        (f"catalogue/{PROVIDER}", "country", "'XX' is not a valid iso3166-1-alpha2"),
    ]
    assert (result.problems[0].line, result.problems[0].column) == locate(path, "XX")


def test_title_needs_both_latvian_and_english(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, delete("title", "en"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.severity) == ("title.en", Severity.ERROR)
    assert problem.message == "required field 'en' is missing"
    assert problem.line == locate(path, "title:")[0]


# --- rules within one file -------------------------------------------------------


def test_id_must_equal_the_file_name(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, "\nid: forklift-safe-operation\n", "\nid: forklift-operation\n")
    problem = only_problem(catalogue_copy, path)
    assert problem.field == "id"
    assert problem.message == "id 'forklift-operation' differs from the file name 'forklift-safe-operation.yaml'"
    assert (problem.line, problem.column) == locate(path, "forklift-operation")


def test_an_entry_may_not_take_the_id_of_a_list_s_later_pages(catalogue_copy: Path) -> None:
    # `<sector>/page/2/` is the second page of the sector's list: an entry `page` would be at `<sector>/page/`.
    old = catalogue_copy / FORKLIFT
    path = old.with_name("page.yaml")
    old.rename(path)
    replace_text(path, "\nid: forklift-safe-operation\n", "\nid: page\n")
    found = [p for p in problems_in(catalogue_copy, path) if p.field == "id"]
    assert [(p.message, p.hint) for p in found] == [
        (
            "the id 'page' is reserved: a sector's list of entries goes on at page/2/, ...",
            "choose another id (and rename the file to match)",
        )
    ]
    assert (found[0].line, found[0].column) == locate(path, "page")


def test_provider_id_must_equal_the_file_name(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / PROVIDER, assign("example-logistics", "id"))
    found = problems_in(catalogue_copy, path)
    assert [(p.field, p.message) for p in found] == [
        ("id", "id 'example-logistics' differs from the file name 'example-logistics-group.yaml'"),
    ]


def test_sector_must_equal_the_folder(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, "\nsector: transport-logistics\n", "\nsector: construction\n")
    problem = only_problem(catalogue_copy, path)
    assert problem.field == "sector"
    assert problem.message == "sector 'construction' differs from the folder 'transport-logistics'"
    assert (problem.line, problem.column) == locate(path, "construction")


def test_review_must_be_due_after_the_decision(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign("2025-06-18", "quality_assurance", "review_due"))
    problem = only_problem(catalogue_copy, path)
    assert problem.field == "quality_assurance.review_due"
    assert problem.message == "review due 2025-06-18 is not after the approval date 2025-06-18"
    assert problem.line == locate(path, "review_due:")[0]


@pytest.mark.parametrize(
    ("hours", "ects", "warned"),
    [(50, 2, False), (60, 2, False), (49, 2, True), (61, 2, True), (60, 1, True), (60, 4, True)],
)
def test_ects_outside_25_to_30_hours_per_credit_is_a_warning(
    catalogue_copy: Path, hours: int, ects: int, warned: bool
) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign({"hours": hours, "ects": ects}, "workload"))
    found = problems_in(catalogue_copy, path)
    if not warned:
        assert found == []
        return
    assert [(p.field, p.severity) for p in found] == [("workload.ects", Severity.WARNING)]
    assert found[0].message.startswith(f"{hours} hours for {ects} ECTS is ")
    assert found[0].message.endswith("hours per credit; 1 ECTS is 25-30 hours")
    assert found[0].line == locate(path, "ects:")[0]


def test_strict_makes_a_warning_an_error(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rewrite(catalogue_copy / FORKLIFT, assign({"hours": 60, "ects": 1}, "workload"))
    status, out, _ = run_cli(capsys, "--catalogue", str(catalogue_copy))
    assert status == 0 and f"{FORKLIFT}:" in out and ": warning: workload.ects: " in out
    status, out, _ = run_cli(capsys, "--catalogue", str(catalogue_copy), "--strict")
    assert status == 1 and ": error: workload.ects: " in out
    assert out.strip().splitlines()[-1].endswith(": 1 error, 0 warnings")


@pytest.mark.parametrize("status", ["suspended", "withdrawn"])
def test_suspended_or_withdrawn_entry_needs_a_reason(catalogue_copy: Path, status: str) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign(status, "status"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("status", f"a {status} entry needs a status_reason")
    assert problem.line == locate(path, "status:")[0]


def test_withdrawn_entry_with_a_reason_is_valid(catalogue_copy: Path) -> None:
    def withdraw(data: dict[str, Any]) -> None:
        data["status"] = "withdrawn"
        data["status_reason"] = {"lv": "Programma vairs netiek piedāvāta.", "en": "The programme is no longer offered."}
        data["replaced_by"] = "warehouse-operations"

    path = rewrite(catalogue_copy / FORKLIFT, withdraw)
    assert problems_in(catalogue_copy, path) == []


def test_replaced_by_on_an_active_entry_is_an_error(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign("warehouse-operations", "replaced_by"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("replaced_by", "replaced_by is only for withdrawn entries")
    assert problem.line == locate(path, "replaced_by:")[0]


@pytest.mark.parametrize(("form", "article"), [("in-person", "an"), ("blended", "a")])
def test_programme_with_attendance_needs_a_place(catalogue_copy: Path, form: str, article: str) -> None:
    def no_places(data: dict[str, Any]) -> None:
        data["participation_form"] = form
        del data["locations"]

    path = rewrite(catalogue_copy / FORKLIFT, no_places)
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("locations", f"{article} {form} programme needs at least one place")
    assert (problem.line, problem.column) == (1, 1)


def test_online_programme_needs_no_place(catalogue_copy: Path) -> None:
    def online(data: dict[str, Any]) -> None:
        data["participation_form"] = "online"
        del data["locations"]

    assert problems_in(catalogue_copy, rewrite(catalogue_copy / FORKLIFT, online)) == []


def test_paid_programme_needs_an_amount(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign({"type": "paid", "currency": "EUR"}, "cost"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("cost.amount", "a paid programme needs cost.amount")
    assert (problem.line, problem.column) == locate(path, "cost:")


def test_funded_programme_needs_the_funding(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign({"type": "funded"}, "cost"))
    problem = only_problem(catalogue_copy, path)
    assert problem.field == "cost.funding"
    assert problem.message == "a funded programme needs cost.funding: who funds it and who is eligible"
    assert (problem.line, problem.column) == locate(path, "cost:")


def test_eqf_level_must_equal_the_lki_level(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign({"lki": 2, "eqf": 3}, "level"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("level.eqf", "EQF level 3 differs from LKI level 2")
    assert problem.hint == "LKI levels map one to one onto EQF levels: set `eqf: 2`"
    assert problem.line == locate(path, "eqf:")[0]


def test_isced_f_code_must_be_a_detailed_field(catalogue_copy: Path) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, 'isced_f: "1041"', 'isced_f: "1049"')
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message) == ("isced_f", "'1049' is not an ISCED-F 2013 detailed field")
    assert (problem.line, problem.column) == locate(path, '"1049"')


def test_missing_english_text_is_a_warning(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, delete("purpose", "en"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.severity, problem.message) == (
        "purpose",
        Severity.WARNING,
        "the English text is missing",
    )
    assert problem.hint.startswith("add `en:` beside `lv:`")
    assert (problem.line, problem.column) == (locate(path, "purpose:")[0] + 1, 3)  # the `lv:` to add `en:` beside


def test_missing_english_provider_name_is_a_warning(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / PROVIDER, delete("name", "en"))
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.severity) == ("name", Severity.WARNING)


def test_entry_cannot_stack_into_itself(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, assign(["forklift-safe-operation"], "stackability", "stacks_into"))
    found = problems_in(catalogue_copy, path)
    assert [(p.field, p.message) for p in found] == [("stackability.stacks_into", "an entry cannot stack into itself")]


# --- rules across files ------------------------------------------------------------


def test_id_used_in_two_sectors_is_an_error(catalogue_copy: Path) -> None:
    twin = catalogue_copy / "construction" / "forklift-safe-operation.yaml"
    shutil.copy(catalogue_copy / FORKLIFT, twin)
    rewrite(twin, assign("construction", "sector"))
    duplicates = [p for p in validate(catalogue_copy).problems if "is already used by" in p.message]
    assert len(duplicates) == 1
    problem = duplicates[0]
    assert problem.field == "id" and problem.file == f"catalogue/{FORKLIFT}"
    assert (
        problem.message
        == "id 'forklift-safe-operation' is already used by catalogue/construction/forklift-safe-operation.yaml"
    )
    assert (problem.line, problem.column) == locate(catalogue_copy / FORKLIFT, "forklift-safe-operation")


def _withdrawn_and_replaced_by(replacement: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["status"] = "withdrawn"
        data["status_reason"] = {"lv": "Aizstāta.", "en": "Replaced."}
        data["replaced_by"] = replacement

    return change


# (change, field, message, hint, text to find the line by)
UNKNOWN_REFERENCES = {
    "provider": (
        assign(["example-vocational-scool", "example-logistics-group"], "awarding_bodies"),
        "awarding_bodies[0]",
        "unknown provider 'example-vocational-scool'",
        "did you mean 'example-vocational-school'?",
        "example-vocational-scool",
    ),
    "authority": (
        assign("transport-logistics-councl", "quality_assurance", "authorised_by"),
        "quality_assurance.authorised_by",
        "unknown authorising body 'transport-logistics-councl'",
        "did you mean 'transport-logistics-council'?",
        "transport-logistics-councl",
    ),
    "stacks_into": (
        assign(["warehouse-operation"], "stackability", "stacks_into"),
        "stackability.stacks_into[0]",
        "unknown micro-qualification 'warehouse-operation'",
        "did you mean 'warehouse-operations'?",
        "- warehouse-operation",
    ),
    "replaced_by": (
        _withdrawn_and_replaced_by("warehouse-operatons"),
        "replaced_by",
        "unknown micro-qualification 'warehouse-operatons'",
        "did you mean 'warehouse-operations'?",
        "warehouse-operatons",
    ),
    "provider without a close name": (
        assign(["acme"], "awarding_bodies"),
        "awarding_bodies[0]",
        "unknown provider 'acme'",
        "add it to catalogue/providers/ first, or use an existing id",
        "acme",
    ),
}


@pytest.mark.parametrize(
    ("change", "field", "message", "hint", "needle"), UNKNOWN_REFERENCES.values(), ids=UNKNOWN_REFERENCES.keys()
)
def test_unknown_reference_suggests_an_existing_id(
    catalogue_copy: Path, change: Callable[[dict[str, Any]], None], field: str, message: str, hint: str, needle: str
) -> None:
    path = rewrite(catalogue_copy / FORKLIFT, change)
    problem = only_problem(catalogue_copy, path)
    assert (problem.field, problem.message, problem.hint) == (field, message, hint)
    assert (problem.line, problem.column) == locate(path, needle, at=needle.removeprefix("- "))


def test_unknown_sector_suggests_an_existing_one(catalogue_copy: Path) -> None:
    folder = catalogue_copy / "transport-logistic"
    folder.mkdir()
    path = rewrite(Path(shutil.move(catalogue_copy / FORKLIFT, folder)), assign("transport-logistic", "sector"))
    found = problems_in(catalogue_copy, path)
    unknown = [p for p in found if p.field == "sector"]
    assert [(p.message, p.hint) for p in unknown] == [
        ("unknown sector 'transport-logistic'", "did you mean 'transport-logistics'?"),
    ]
    assert unknown[0].line == locate(path, "sector:")[0]
    assert [p.message for p in found if p.field == ""] == [
        "the folder 'transport-logistic' is not a sector in catalogue/sectors.yaml",
    ]


def test_stackability_cycle_is_an_error(catalogue_copy: Path) -> None:
    path = rewrite(catalogue_copy / WAREHOUSE, assign(["forklift-safe-operation"], "stackability", "stacks_into"))
    cycles = [p for p in validate(catalogue_copy).problems if "cycle" in p.message]
    assert [(p.file, p.field, p.message) for p in cycles] == [
        (
            f"catalogue/{WAREHOUSE}",
            "stackability.stacks_into[0]",
            "stackability cycle: forklift-safe-operation -> warehouse-operations -> forklift-safe-operation",
        )
    ]
    assert (cycles[0].line, cycles[0].column) == locate(path, "- forklift-safe-operation", at="forklift-safe-operation")


def test_entry_with_a_schema_error_is_still_a_known_reference(catalogue_copy: Path) -> None:
    rewrite(catalogue_copy / WAREHOUSE, assign("in person", "participation_form"))
    assert problems_in(catalogue_copy, catalogue_copy / FORKLIFT) == []


# --- files and folders -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "reason", "hint"),
    [
        (
            "transport-logistics/forklift-safe-operation.yml",
            "catalogue files end in .yaml",
            "rename it to .yaml",
        ),
        (
            "transport-logistics/old/forklift-safe-operation.yaml",
            "files lie at most one folder deep in catalogue/",
            "entries live at catalogue/<sector-id>/<id>.yaml",
        ),
        (
            "forklift-safe-operation.yaml",
            "the only files directly in catalogue/ are sectors.yaml and authorities.yaml",
            "entries live at catalogue/<sector-id>/<id>.yaml",
        ),
        (
            "transport-logistics/notes.txt",
            "catalogue files end in .yaml",
            "entries live at catalogue/<sector-id>/<id>.yaml",
        ),
    ],
)
def test_file_outside_the_catalogue_layout_is_an_error(
    catalogue_copy: Path, place: str, reason: str, hint: str
) -> None:
    target = catalogue_copy / place
    target.parent.mkdir(exist_ok=True)
    shutil.move(catalogue_copy / FORKLIFT, target)
    problem = only_problem(catalogue_copy, target)
    assert (problem.message, problem.hint) == (f"not part of the catalogue layout: {reason}", hint)
    assert (problem.line, problem.column, problem.field) == (1, 1, "")


def test_reserved_sector_id_is_an_error(catalogue_copy: Path) -> None:
    def add_search_sector(data: dict[str, Any]) -> None:
        data["sectors"].append({**copy.deepcopy(data["sectors"][0]), "id": "search"})

    path = rewrite(catalogue_copy / "sectors.yaml", add_search_sector)
    problem = only_problem(catalogue_copy, path)
    index = len(load_file(path).data["sectors"]) - 1
    assert (problem.field, problem.message) == (f"sectors[{index}].id", "'search' is reserved for the site's own pages")
    assert (problem.line, problem.column) == locate(path, "search")


@pytest.mark.parametrize("page", ["statistics", "compare", "accessibility", "verifiers", "verify", "levels", "en"])
def test_a_sector_id_cannot_take_the_address_of_one_of_the_sites_pages(catalogue_copy: Path, page: str) -> None:
    # A sector's pages are `<sector>/`: the same address as the site's own page would hide one of them.
    def add_sector(data: dict[str, Any]) -> None:
        data["sectors"].append({**copy.deepcopy(data["sectors"][0]), "id": page})

    problem = only_problem(catalogue_copy, rewrite(catalogue_copy / "sectors.yaml", add_sector))
    assert problem.message == f"'{page}' is reserved for the site's own pages"


def test_sector_id_used_twice_is_an_error(catalogue_copy: Path) -> None:
    path = rewrite(
        catalogue_copy / "sectors.yaml", lambda data: data["sectors"].append(copy.deepcopy(data["sectors"][0]))
    )
    problem = only_problem(catalogue_copy, path)
    assert problem.message == "sector id 'transport-logistics' is used twice (also sectors[0])"


# --- every problem, not the first ------------------------------------------------------------


def test_three_independent_schema_errors_give_three_problems(catalogue_copy: Path) -> None:
    def three_mistakes(data: dict[str, Any]) -> None:
        data["home_page"] = data.pop("homepage")
        data["contact"]["email"] = "training.example.org"
        data["languages"] = ["lv", "xx"]

    path = rewrite(catalogue_copy / FORKLIFT, three_mistakes)
    assert sorted(p.field for p in problems_in(catalogue_copy, path)) == ["contact.email", "home_page", "languages[1]"]


def test_three_independent_rule_errors_give_three_problems(catalogue_copy: Path) -> None:
    def three_mistakes(data: dict[str, Any]) -> None:
        data["level"] = {"lki": 2, "eqf": 3}
        data["isced_f"] = "1049"
        data["quality_assurance"]["review_due"] = "2020-01-01"

    path = rewrite(catalogue_copy / FORKLIFT, three_mistakes)
    assert sorted(p.field for p in problems_in(catalogue_copy, path)) == [
        "isced_f",
        "level.eqf",
        "quality_assurance.review_due",
    ]


# --- the command ---------------------------------------------------------------------------------


def test_exit_status_is_0_for_a_valid_catalogue(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "--catalogue", str(catalogue_copy))
    files = sum(1 for _ in catalogue_copy.rglob("*.yaml"))
    assert (status, out, err) == (0, f"{files} files checked: 0 errors, 0 warnings\n", "")


def test_exit_status_is_1_with_one_line_per_problem_and_the_summary_last(
    catalogue_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, "\nhomepage:", "\nhome_page:")
    line, column = locate(path, "home_page:")
    status, out, _ = run_cli(capsys, "--catalogue", str(catalogue_copy))
    assert status == 1
    assert out.splitlines()[0] == (
        f"catalogue/{FORKLIFT}:{line}:{column}: error: home_page: unknown field 'home_page' "
        "Hint: did you mean 'homepage'?"
    )
    assert out.splitlines()[-1].endswith(" checked: 1 error, 0 warnings")


def test_exit_status_is_2_for_a_path_that_does_not_exist(
    catalogue_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(capsys, "--catalogue", str(catalogue_copy), str(catalogue_copy / "nowhere.yaml"))
    assert (status, out) == (2, "")
    assert err.startswith("mqcat validate: ") and "nowhere.yaml: no such file or folder" in err


def test_exit_status_is_2_for_an_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["validate", "--format", "xml"])
    assert exited.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_path_filter_reports_only_that_file(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_text(catalogue_copy / FORKLIFT, "\nhomepage:", "\nhome_page:")
    rewrite(catalogue_copy / WAREHOUSE, assign({"lki": 3, "eqf": 4}, "level"))
    status, out, _ = run_cli(capsys, "--catalogue", str(catalogue_copy), str(catalogue_copy / WAREHOUSE))
    assert status == 1
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"catalogue/{WAREHOUSE}"]
    assert lines[-1] == "1 file checked: 1 error, 0 warnings"


def test_path_filter_still_applies_rules_across_files(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rewrite(catalogue_copy / FORKLIFT, assign(["warehouse-operation"], "stackability", "stacks_into"))
    status, out, _ = run_cli(capsys, "--catalogue", str(catalogue_copy), str(catalogue_copy / FORKLIFT))
    assert status == 1 and "unknown micro-qualification 'warehouse-operation'" in out


def test_json_format_lists_every_problem(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = replace_text(catalogue_copy / FORKLIFT, "\nhomepage:", "\nhome_page:")
    rewrite(catalogue_copy / WAREHOUSE, assign({"hours": 200, "ects": 1}, "workload"))
    status, out, _ = run_cli(capsys, "--catalogue", str(catalogue_copy), "--format", "json")
    report = json.loads(out)
    assert status == 1
    assert (report["errors"], report["warnings"]) == (1, 1)
    assert report["files_checked"] == sum(1 for _ in catalogue_copy.rglob("*.yaml"))
    line, column = locate(path, "home_page:")
    assert report["problems"][0] == {
        "file": f"catalogue/{FORKLIFT}",
        "line": line,
        "column": column,
        "field": "home_page",
        "message": "unknown field 'home_page'",
        "severity": "error",
        "hint": "did you mean 'homepage'?",
    }
    assert report["problems"][1]["severity"] == "warning" and report["problems"][1]["field"] == "workload.ects"


def test_github_format_escapes_newlines_and_commas(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_text(catalogue_copy / FORKLIFT, "\nhomepage:", '\n"home,\\npage":')
    rewrite(catalogue_copy / WAREHOUSE, assign({"hours": 200, "ects": 1}, "workload"))
    status, out, _ = run_cli(capsys, "--catalogue", str(catalogue_copy), "--format", "github")
    lines = out.splitlines()
    assert status == 1 and len(lines) == 3
    error, warning, summary = lines
    assert error.startswith(f"::error file=catalogue/{FORKLIFT},line=")
    assert ",title=home%2C%0Apage::unknown field 'home,%0Apage' Hint: " in error
    assert warning.startswith(f"::warning file=catalogue/{WAREHOUSE},line=")
    assert summary.endswith(": 1 error, 1 warning")


# --- the schema's fast path ------------------------------------------------------------------------------

RECORD_KINDS = {
    schemas.MICRO_QUALIFICATION: "*/*.yaml",
    schemas.PROVIDER: "providers/*.yaml",
    schemas.SECTORS: "sectors.yaml",
    schemas.AUTHORITIES: "authorities.yaml",
    schemas.STATUS_LIST: "status-lists/*.yaml",
}


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_fast_path_passes_every_shipped_file_of_each_kind(kind: str) -> None:
    files = [
        p
        for p in CATALOGUE_DIR.glob(RECORD_KINDS[kind])
        if kind != schemas.MICRO_QUALIFICATION or p.parent.name not in ("providers", "status-lists")
    ]
    assert files
    for path in files:
        assert schemas.quick_check(kind)(load_file(path).data), path


_ODD_TEXT = [
    "",
    " ",
    "x",
    "lv",
    "LV",
    "xx",
    "EUR",
    "eur",
    "EUX",
    "1041",
    "0613",
    "2026-02-30",
    "2026-03-12",
    "18.06.2025",
    "http://example.org",
    "https://example.org",
    "https://",
    "a@b",
    "no-at-sign",
    "in-person",
    "online",
    "paid",
    "funded",
    "free",
    "active",
    "withdrawn",
    "weeks",
    "+371 60 000 000",
    "transport-logistics",
    "Bad Id",
    "-x-",
    "@mqcat/team",
    "\u00e5\u0101",
]
_ODD_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 2000),
        st.sampled_from([0.5, 1.5, 2.0, 2.25, 1e9, -0.0]),
        st.sampled_from(_ODD_TEXT),
        st.text(max_size=4),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["lv", "en", "municipality", "address", "hours", "type", "x"]), inner, max_size=3
        ),
    ),
    max_leaves=6,
)


def _mutate(draw: st.DrawFn, data: Any) -> None:
    """Change, remove or repeat one value somewhere in the document."""
    node = data
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        action = draw(st.sampled_from(["replace", "remove", "repeat", "add"]))
        if action == "replace":
            node[key] = draw(_ODD_VALUES)
        elif action == "remove" and (isinstance(node, dict) or len(node) > 1):
            del node[key]
        elif action == "repeat" and isinstance(node, list):
            node.append(copy.deepcopy(child))
        elif action == "add" and isinstance(node, dict):
            node[draw(st.sampled_from(["extra", "en", "lv", "ects", "funding", "starts"]))] = draw(_ODD_VALUES)
        return


@st.composite
def _changed_documents(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(sorted(_SAMPLES)))
    data = copy.deepcopy(draw(st.sampled_from(_SAMPLES[kind])))
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, data)
    return kind, data


_SAMPLES = {
    kind: [
        load_file(p).data
        for p in sorted(CATALOGUE_DIR.glob(pattern))
        if kind != schemas.MICRO_QUALIFICATION or p.parent.name != "providers"
    ][:6]
    for kind, pattern in RECORD_KINDS.items()
}


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_changed_documents())
def test_fast_path_never_passes_what_jsonschema_rejects(changed: tuple[str, Any]) -> None:
    kind, data = changed
    if schemas.quick_check(kind)(data):
        assert list(schemas.validator(kind).iter_errors(data)) == []


def test_text_output_keeps_one_problem_per_line() -> None:
    from generator.problems import Problem

    problem = Problem("f.yaml", 3, 5, 'keywords["home\npage"]', "'a\nb' is not allowed", hint="one\nline")
    assert "\n" not in problem.text()
    assert "home\\npage" in problem.text()
