"""The issue forms for providers without git, and `mqcat form-to-entry` on real issue bodies.

The fixtures in tests/data/forms/ are issue bodies in the Markdown GitHub writes
for a submitted form: one `### <label>` heading per element, `_No response_` for
an optional element left empty, `- [X]` / `- [ ]` for checkboxes. Variants
(Windows line endings, a 60 KB body, a body over GitHub's limit) are made from
them in the tests.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator import cli, schemas
from generator.catalogue import validate
from generator.forms import body, convert, render, reply, serialize, spec
from generator.forms.answers import FieldProblem
from generator.forms.spec import Kind
from generator.loader import load_file, parse_text

from .conftest import CATALOGUE_DIR, REPO_ROOT

FORMS = REPO_ROOT / "tests" / "data" / "forms"
PROPOSAL = FORMS / "proposal.md"


def fixture(name: str) -> str:
    return (FORMS / name).read_text(encoding="utf-8")


def answer(text: str, label_start: str, new: str) -> str:
    """The body with one element's answer replaced, as an edit of the issue would do."""
    pattern = re.compile(rf"(^### {re.escape(label_start)}[^\n]*\n\n)(.*?)(?=\n\n### |\Z)", re.MULTILINE | re.DOTALL)
    assert pattern.search(text), f"no heading starting with {label_start!r}"
    return pattern.sub(lambda match: match.group(1) + new, text, count=1)


def by_field(submission: convert.Submission) -> dict[str | None, list[FieldProblem]]:
    found: dict[str | None, list[FieldProblem]] = {}
    for problem in submission.problems:
        found.setdefault(problem.field, []).append(problem)
    return found


# --------------------------------------------------------------------------- the forms


def test_the_committed_forms_are_what_mqcat_forms_writes() -> None:
    expected = render.render_all(CATALOGUE_DIR)
    assert set(expected) == {
        Path(".github/ISSUE_TEMPLATE/propose-micro-qualification.yml"),
        Path(".github/ISSUE_TEMPLATE/change-micro-qualification.yml"),
    }
    for relative, text in expected.items():
        assert (REPO_ROOT / relative).read_text(encoding="utf-8") == text, f"run `mqcat forms`: {relative}"


def test_forms_check_passes_on_the_repository(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(REPO_ROOT)
    assert cli.main(["forms", "--check"]) == 0


def _repository_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(CATALOGUE_DIR, root / "catalogue")
    shutil.copytree(REPO_ROOT / ".github" / "ISSUE_TEMPLATE", root / ".github" / "ISSUE_TEMPLATE")
    return root


def test_forms_check_fails_when_a_sector_is_added_and_forms_rewrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    root = _repository_copy(tmp_path)
    sectors = root / "catalogue" / "sectors.yaml"
    sectors.write_text(
        sectors.read_text(encoding="utf-8")
        + """  - id: maritime
    name:
      lv: "Jūrniecība"
      en: "Maritime"
    council:
      lv: "Jūrniecības nozares ekspertu padome"
      en: "Sectoral expert council for maritime"
    nace: ["50"]
    reviewers:
      - "@mqcat/maritime-council"
""",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    assert cli.main(["forms", "--check"]) == 1
    assert "propose-micro-qualification.yml differs" in capsys.readouterr().err
    assert cli.main(["forms"]) == 0
    form = yaml.safe_load((root / ".github/ISSUE_TEMPLATE/propose-micro-qualification.yml").read_text("utf-8"))
    sector = next(item for item in form["body"] if item.get("id") == "sector")
    assert sector["attributes"]["options"][-1].startswith("maritime — Jūrniecība / Maritime")
    assert cli.main(["forms", "--check"]) == 0


def test_forms_check_fails_when_a_schema_field_is_asked_for_by_no_element(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(spec.NOT_ASKED, spec.ENTRY, {})
    problems = spec.uncovered(spec.proposal_form())
    assert "micro-qualification.schema.json: no form field asks for version" in problems
    assert "micro-qualification.schema.json: no form field asks for quality_assurance.decision" in problems
    monkeypatch.chdir(REPO_ROOT)
    assert cli.main(["forms", "--check"]) == 1


def test_the_proposal_form_covers_every_field_of_entries_and_providers() -> None:
    assert spec.uncovered(spec.proposal_form()) == []


def _form(name: str) -> dict:
    return yaml.safe_load((REPO_ROOT / ".github" / "ISSUE_TEMPLATE" / name).read_text(encoding="utf-8"))


def _elements(form: dict) -> dict[str, dict]:
    return {item["id"]: item for item in form["body"] if "id" in item}


@pytest.mark.parametrize(
    ("element_id", "schema_path"),
    [
        ("participation-form", ("participation_form",)),
        ("supervision", ("assessment", "supervision")),
        ("cost-type", ("cost", "type")),
        ("duration-unit", ("duration", "unit")),
        ("provider-type", ("type",)),
        ("provider-region", ("region",)),
        ("assessment-methods", ("assessment", "methods", "*")),
        ("schedule-times", ("schedule", "times", "*")),
    ],
)
def test_every_enumeration_is_offered_exactly_as_the_schema_allows(element_id: str, schema_path: tuple) -> None:
    element = _elements(_form("propose-micro-qualification.yml"))[element_id]
    schema_name = schemas.PROVIDER if element_id.startswith("provider-") else schemas.MICRO_QUALIFICATION
    allowed = spec.node_at(schema_name, schema_path)["enum"]
    raw = element["attributes"]["options"]
    offered = [render.option_value(option["label"] if isinstance(option, dict) else option) for option in raw]
    assert offered == allowed
    assert element["type"] == ("checkboxes" if "*" in schema_path else "dropdown")


def test_levels_sectors_authorities_and_fields_of_education_come_from_the_registries() -> None:
    elements = _elements(_form("propose-micro-qualification.yml"))
    assert elements["level"]["attributes"]["options"] == [str(level) for level in range(1, 9)]
    registries = render.Registries.read(CATALOGUE_DIR)
    sectors = [render.option_value(option) for option in elements["sector"]["attributes"]["options"]]
    assert sectors == [sector["id"] for sector in registries.sectors]
    authorities = [render.option_value(option) for option in elements["authorised-by"]["attributes"]["options"]]
    assert authorities == [authority["id"] for authority in registries.authorities]
    fields = [render.option_value(option) for option in elements["isced-f"]["attributes"]["options"]]
    assert "1041" in fields and len(fields) == len(set(fields)) > 100


def test_both_languages_are_asked_where_the_schema_has_both() -> None:
    elements = _elements(_form("propose-micro-qualification.yml"))
    for text in ("title", "purpose", "outcomes", "assessment", "quality-assurance", "prerequisites", "funding"):
        assert {f"{text}-lv", f"{text}-en"} <= set(elements), text
    assert elements["title-en"]["validations"]["required"] is True  # the schema requires English for titles
    assert elements["purpose-en"]["validations"]["required"] is False  # ... and recommends it elsewhere
    assert elements["outcomes-lv"]["type"] == "textarea" and elements["places"]["type"] == "textarea"
    assert "One outcome per line" in elements["outcomes-en"]["attributes"]["description"]


def test_labels_are_bilingual_and_unique_in_both_forms() -> None:
    for name in ("propose-micro-qualification.yml", "change-micro-qualification.yml"):
        labels = [item["attributes"]["label"] for item in _form(name)["body"] if "id" in item]
        assert len(labels) == len(set(labels))
        assert all(re.fullmatch(r".+ \(.+\)", label) for label in labels)


def test_the_change_form_asks_for_the_id_first_and_requires_nothing_else() -> None:
    form = _form("change-micro-qualification.yml")
    elements = [item for item in form["body"] if "id" in item]
    assert elements[0]["id"] == "entry-to-change" and elements[0]["validations"]["required"] is True
    assert form["labels"] == ["entry-change"]
    optional = [item for item in elements[2:] if item["type"] != "checkboxes"]
    assert optional and all(item["validations"]["required"] is False for item in optional)
    assert "sector" not in {item["id"] for item in elements}


# --------------------------------------------------------------------------- reading a body


def test_a_body_splits_into_answers_by_heading() -> None:
    answers = body.split(fixture("proposal.md"), spec.proposal_form())
    assert answers.values["title-en"] == "Securing loads on heavy goods vehicles"
    assert answers.values["esco-skills"] == ""  # _No response_
    assert answers.missing == [] and answers.repeated == {}


def test_windows_line_endings_read_the_same() -> None:
    crlf = convert.read(fixture("proposal.md").replace("\n", "\r\n"), CATALOGUE_DIR)
    lf = convert.read(fixture("proposal.md"), CATALOGUE_DIR)
    assert crlf.entry == lf.entry
    assert "\r" not in json.dumps(crlf.entry)


def test_a_heading_repeated_inside_another_answer_is_reported_not_guessed() -> None:
    text = answer(
        fixture("proposal.md"), "Purpose in English", "Text.\n\n### Title in English (Nosaukums angliski)\n\nX"
    )
    submission = convert.read(text, CATALOGUE_DIR)
    problems = by_field(submission)["title-en"]
    assert any("appears 2 times" in problem.en and "2 reizes" in problem.lv for problem in problems)
    assert submission.files == {}


def test_a_body_edited_by_hand_reports_each_missing_field() -> None:
    submission = convert.read(fixture("proposal-hand-edited.md"), CATALOGUE_DIR)
    problems = by_field(submission)
    assert "heading was removed" in problems["sector"][0].en
    assert "virsraksts izdzēsts" in problems["purpose-lv"][0].lv
    assert "keywords-lv" not in problems  # an optional field whose heading is gone is just empty
    assert submission.files == {}


def test_a_body_longer_than_github_allows_is_refused() -> None:
    text = fixture("proposal.md") + "x" * body.MAX_BODY_CHARACTERS
    submission = convert.read(text, CATALOGUE_DIR)
    assert [problem.field for problem in submission.errors] == [None]
    assert "at most 65536 are read" in submission.errors[0].en


def test_mistakes_are_reported_per_field_in_both_languages() -> None:
    submission = convert.read(fixture("proposal-mistakes.md"), CATALOGUE_DIR)
    problems = by_field(submission)
    expected = {
        "provider": ("Did you mean “example-riga-logistics-academy”?", "Vai domājāt “example-riga-logistics-academy”?"),
        "title-en": ("required, but it is empty", "obligāts, bet tas ir tukšs"),
        "workload-hours": ("“forty” is not a number", "“forty” nav skaitlis"),
        "level": ("“9” is not one of the choices", "“9” nav neviena no veidlapas izvēlēm"),
        "outcomes-en": ("3 outcomes in Latvian and 2 in English", "Latviski ir 3 rezultāti, angliski 2"),
        "languages": ("“latvian” is not a valid two-letter language code", "“latvian” neatbilst formai"),
        "start-dates": ("“2027-02-30” is not a valid date", "“2027-02-30” neatbilst formai"),
        "contact-email": ("is not a valid e-mail address", "e-pasta adrese"),
        "contact-phone": ("“12345” is not in the expected form", "“12345” nav gaidītajā formā"),
        "homepage": ("is not a web address starting with https://", "nav tīmekļa adrese, kas sākas ar https://"),
        # The catalogue's rules speak too, where their input has no problem of its own.
        "places": ("not online needs at least one place", "jānorāda vismaz viena norises vieta"),
        "cost-amount": ("A paid programme needs its price and currency", "jānorāda cena un valūta"),
    }
    for field_id, (english, latvian) in expected.items():
        assert field_id in problems, f"no problem reported for {field_id}"
        assert any(english in p.en and latvian in p.lv for p in problems[field_id]), problems[field_id]
    assert problems["start-dates"][0].item == 1
    # One message per mistake: the unreadable workload is not also reported by the ECTS rule.
    assert "workload-ects" not in problems and len(problems["workload-hours"]) == 1
    assert submission.files == {} and submission.entry is not None


def test_messages_name_form_fields_never_files_or_lines() -> None:
    submission = convert.read(fixture("proposal-mistakes.md"), CATALOGUE_DIR)
    for problem in submission.problems:
        for text in (problem.text("en"), problem.text("lv")):
            assert ".yaml" not in text and not re.search(r":\d+:\d+", text), text


def test_an_id_that_exists_is_refused_naming_the_existing_entry() -> None:
    text = answer(fixture("proposal.md"), "Identifier of the micro-qualification", "forklift-safe-operation")
    submission = convert.read(text, CATALOGUE_DIR)
    (problem,) = by_field(submission)["id"]
    assert "“forklift-safe-operation” is already used by the micro-qualification" in problem.en
    assert "catalogue/transport-logistics/forklift-safe-operation.yaml" in problem.en
    assert "Droša iekrāvēja vadīšana noliktavā" in problem.lv
    assert submission.files == {}


def test_an_id_made_from_the_title_that_exists_is_refused_too() -> None:
    text = answer(fixture("proposal.md"), "Title in English", "Forklift safe operation")
    submission = convert.read(text, CATALOGUE_DIR)
    assert "forklift-safe-operation" in by_field(submission)["id"][0].en


def test_a_malformed_id_gets_a_suggestion() -> None:
    text = answer(fixture("proposal.md"), "Identifier of the micro-qualification", "Load_Securing 2027")
    (problem,) = by_field(convert.read(text, CATALOGUE_DIR))["id"]
    assert "“Load_Securing 2027” cannot be an identifier" in problem.en and "“load-securing-2027”" in problem.en


def test_invisible_characters_are_refused_at_their_field() -> None:
    text = answer(fixture("proposal.md"), "Title in English", "Securing\u200bloads")
    (problem,) = by_field(convert.read(text, CATALOGUE_DIR))["title-en"]
    assert "ZERO WIDTH SPACE" in problem.en and "neredzama rakstzīme" in problem.lv


def test_the_change_form_refuses_an_unknown_entry_with_a_suggestion() -> None:
    text = answer(fixture("change.md"), "Identifier of the micro-qualification to change", "forklift-safe-operatio")
    (problem,) = by_field(convert.read(text, CATALOGUE_DIR))["entry-to-change"]
    assert "“forklift-safe-operatio”" in problem.en and "“forklift-safe-operation”" in problem.en


def test_the_change_form_with_nothing_to_change_says_so() -> None:
    text = fixture("change.md")
    for label in ("Cost ", "Price for one learner", "Currency", "Start dates", "Groups on request"):
        text = answer(text, label, "_No response_")
    submission = convert.read(text, CATALOGUE_DIR)
    assert [problem.field for problem in submission.errors] == [None]
    assert "No field to change" in submission.errors[0].en


# --------------------------------------------------------------------------- valid forms become files


def test_a_change_rewrites_only_what_changed_and_keeps_the_version_for_a_practical_change() -> None:
    submission = convert.read(fixture("change.md"), CATALOGUE_DIR)
    assert submission.errors == []
    original = load_file(CATALOGUE_DIR / "transport-logistics" / "forklift-safe-operation.yaml").data
    changed = submission.entry
    # Fields given replace those parts; the parts not given (here the funding text) stay.
    assert changed["cost"] == {"type": "paid", "amount": 420, "currency": "EUR", "funding": original["cost"]["funding"]}
    assert changed["intakes"] == {"on_demand": False, "starts": ["2027-03-01"]}
    rest = {key: value for key, value in changed.items() if key not in ("cost", "intakes")}
    assert rest == {key: value for key, value in original.items() if key not in ("cost", "intakes")}
    assert list(submission.files) == ["catalogue/transport-logistics/forklift-safe-operation.yaml"]


def test_a_written_change_validates_with_the_whole_catalogue(tmp_path: Path) -> None:
    root = _repository_copy(tmp_path)
    submission = convert.read(fixture("change.md"), root / "catalogue")
    convert.write(submission, root)
    result = validate(root / "catalogue")
    assert result.errors == [], [problem.text() for problem in result.errors]
    assert result.catalogue is not None
    assert result.catalogue.entries["forklift-safe-operation"].data["cost"]["amount"] == 420


def test_the_yaml_is_written_by_a_serializer_and_reads_back_exactly() -> None:
    submission = convert.read(fixture("proposal-hostile.md"), CATALOGUE_DIR)
    entry = submission.entry
    assert entry is not None
    hostile = entry["purpose"]["en"]
    assert hostile.startswith("<script>alert('x')</script>") and "!!python/object/apply:os.system" in hostile
    assert entry["keywords"]["en"] == ["load securing", '"quoted": yes', "no", "0613", "2027-01-01"]
    text = serialize.dump(entry, serialize.ENTRY_MODELINE)
    assert parse_text(text, Path("x.yaml"), "x.yaml").data == entry
    # Texts another YAML reader could take for a truth value or a number are quoted.
    assert '\n    - "no"\n    - "0613"\n    - 2027-01-01\n' in text
    assert '\n    - "\\"quoted\\": yes"\n' in text


def test_reply_comment_escapes_what_the_submitter_wrote() -> None:
    text = answer(fixture("proposal.md"), "Notional workload in hours", "<img src=x onerror=alert(1)> @maintainers")
    comment = reply.markdown(convert.read(text, CATALOGUE_DIR))
    assert "<img" not in comment and "&lt;img" in comment
    assert "@maintainers" not in comment
    assert comment.startswith(reply.MARKER)


def test_reply_text_lists_each_problem_in_both_languages() -> None:
    output = reply.text(convert.read(fixture("proposal-mistakes.md"), CATALOGUE_DIR))
    assert "Notional workload in hours (Nosacītā slodze stundās):\n  en: “forty” is not a number" in output
    assert "  lv: “forty” nav skaitlis" in output


def test_form_to_entry_writes_nothing_when_the_form_has_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    root = _repository_copy(tmp_path)
    before = sorted(path.relative_to(root) for path in root.rglob("*"))
    monkeypatch.chdir(root)
    assert cli.main(["form-to-entry", str(FORMS / "proposal-mistakes.md"), "--reply-dir", str(tmp_path / "r")]) == 1
    assert sorted(path.relative_to(root) for path in root.rglob("*")) == before
    result = json.loads((tmp_path / "r" / "result.json").read_text(encoding="utf-8"))
    assert result["valid"] is False and result["files"] == [] and result["errors"] >= 10
    assert not (tmp_path / "r" / "commit-message.txt").exists()
    assert "“forty” is not a number" in (tmp_path / "r" / "comment.md").read_text(encoding="utf-8")


def test_form_to_entry_writes_a_change_with_the_submitter_as_co_author(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    root = _repository_copy(tmp_path)
    monkeypatch.chdir(root)
    status = cli.main(
        [
            "form-to-entry",
            str(FORMS / "change.md"),
            "--reply-dir",
            str(tmp_path / "r"),
            "--issue",
            "42",
            "--author",
            "kurzeme-trainer",
            "--author-id",
            "1234567",
        ]
    )
    assert status == 0
    assert "Wrote catalogue/transport-logistics/forklift-safe-operation.yaml" in capsys.readouterr().out
    message = (tmp_path / "r" / "commit-message.txt").read_text(encoding="utf-8")
    assert message.startswith("Propose a change to forklift-safe-operation\n")
    assert "From issue #42" in message
    assert message.rstrip().endswith(
        "Co-authored-by: kurzeme-trainer <1234567+kurzeme-trainer@users.noreply.github.com>"
    )
    result = json.loads((tmp_path / "r" / "result.json").read_text(encoding="utf-8"))
    assert result["valid"] is True and result["files"] == ["catalogue/transport-logistics/forklift-safe-operation.yaml"]


def test_a_login_that_is_not_a_github_login_is_not_written_as_co_author(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    root = _repository_copy(tmp_path)
    monkeypatch.chdir(root)
    arguments = ["form-to-entry", str(FORMS / "change.md"), "--check", "--reply-dir", str(tmp_path / "r")]
    assert cli.main([*arguments, "--author", "x\nCo-authored-by: evil <e@example.org>", "--author-id", "1"]) == 0
    assert "Co-authored-by" not in (tmp_path / "r" / "commit-message.txt").read_text(encoding="utf-8")


def test_form_to_entry_reports_an_unreadable_body_as_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    bad = tmp_path / "body.md"
    bad.write_bytes(b"### Sector\n\n\xff\xfe")
    monkeypatch.chdir(REPO_ROOT)
    assert cli.main(["form-to-entry", str(bad), "--check"]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_the_change_form_fixture_is_written_with_the_change_form() -> None:
    assert convert.detect(fixture("change.md")).name == "change"
    assert convert.detect(fixture("proposal.md")).name == "proposal"
    assert convert.detect("").name == "proposal"


def test_every_kind_of_element_appears_in_the_proposal_fixture() -> None:
    answers = body.split(fixture("proposal.md"), spec.proposal_form())
    form = spec.proposal_form()
    kinds = {form.field(field_id).kind for field_id, value in answers.values.items() if value}
    assert kinds >= set(Kind) - {Kind.ESCO}


def test_esco_skills_attach_to_the_numbered_outcomes() -> None:
    skill = "http://data.europa.eu/esco/skill/7fa82c1a-9d7f-4a42-93fb-c1e2b0a2d4a6"
    text = answer(fixture("proposal.md"), "ESCO skills", f"2: {skill}\n5: {skill}\nnot a line")
    submission = convert.read(text, CATALOGUE_DIR)
    problems = by_field(submission)["esco-skills"]
    assert any("refers to outcome 5, but there are 3 outcomes" in problem.en for problem in problems)
    assert any("“not a line”" in problem.en for problem in problems)
    assert submission.entry["learning_outcomes"][1]["esco_skills"] == [skill]
    assert "esco_skills" not in submission.entry["learning_outcomes"][0]


def test_no_form_asks_for_what_the_schema_marks_as_the_councils_record(monkeypatch: pytest.MonkeyPatch) -> None:
    form = spec.proposal_form()
    decision = spec.FormField("decision", spec.ENTRY, (("quality_assurance", "decision"),), Kind.LINE)
    broken = spec.Form(form.name, form.file_name, form.label, (*form.fields, decision))
    assert "micro-qualification.schema.json: quality_assurance.decision is written by the council" in " ".join(
        spec.uncovered(broken)
    )


# --------------------------------------------------------------------------- proposals become proposed entries


def _written(tmp_path: Path, text: str) -> tuple[convert.Submission, Path]:
    root = _repository_copy(tmp_path)
    submission = convert.read(text, root / "catalogue")
    assert submission.errors == [], [problem.en for problem in submission.errors]
    convert.write(submission, root)
    return submission, root


def _valid_proposed(root: Path, entry_id: str) -> dict:
    result = validate(root / "catalogue")
    assert result.errors == [], [problem.text() for problem in result.errors]
    doc = load_file(next((root / "catalogue").glob(f"*/{entry_id}.yaml")))
    assert doc.data["status"] == "proposed"
    return doc.data


def test_a_filled_in_proposal_becomes_a_proposed_entry_that_validates(tmp_path: Path) -> None:
    submission, root = _written(tmp_path, fixture("proposal.md"))
    assert list(submission.files) == ["catalogue/transport-logistics/securing-loads-on-heavy-goods-vehicles.yaml"]
    entry = _valid_proposed(root, "securing-loads-on-heavy-goods-vehicles")
    assert entry["version"] == 1
    assert entry["awarding_bodies"] == ["example-riga-logistics-academy"]
    assert entry["level"] == {"lki": 3, "eqf": 3}
    assert entry["quality_assurance"]["authorised_by"] == "transport-logistics-council"
    assert not {"decision", "decision_date", "review_due"} & set(entry["quality_assurance"])
    assert next(outcome["text"]["en"] for outcome in entry["learning_outcomes"]).startswith("Calculates")
    assert entry["locations"] == [
        {"municipality": "Rīga", "address": "Piemēra iela 4, Rīga, LV-1004"},
        {"municipality": "Ventspils"},
    ]
    assert entry["intakes"] == {"on_demand": False, "starts": ["2027-02-01", "2027-03-15"]}
    assert entry["assessment"]["methods"] == ["written-test", "practical-demonstration"]
    assert entry["languages"] == ["lv", "ru"]
    assert entry["stackability"] == {"standalone": True}
    assert list(entry)[:5] == ["id", "version", "status", "title", "purpose"]  # the schema's order
    # The one point to improve is reported, and does not stop the proposal.
    assert [(problem.field, problem.warning) for problem in submission.problems] == [("workload-ects", True)]


def test_the_written_file_starts_with_the_schema_modeline(tmp_path: Path) -> None:
    _, root = _written(tmp_path, fixture("proposal.md"))
    path = root / "catalogue/transport-logistics/securing-loads-on-heavy-goods-vehicles.yaml"
    assert path.read_text(encoding="utf-8").startswith(serialize.ENTRY_MODELINE + "id: ")


def test_a_proposal_with_only_the_required_fields_is_valid(tmp_path: Path) -> None:
    text = fixture("proposal-required-only.md")
    assert text.count(body.NO_RESPONSE) > 30
    _submission, root = _written(tmp_path, text)
    entry = _valid_proposed(root, "securing-loads-on-heavy-goods-vehicles")
    for optional in ("prerequisites", "stackability", "schedule", "locations", "homepage", "keywords"):
        assert optional not in entry
    assert "en" not in entry["purpose"] or entry["purpose"]["en"]


def test_a_proposal_registers_a_new_provider_with_it(tmp_path: Path) -> None:
    submission, root = _written(tmp_path, fixture("proposal-new-provider.md"))
    assert sorted(submission.files) == [
        "catalogue/providers/kurzeme-freight-school.yaml",
        "catalogue/transport-logistics/securing-loads-on-heavy-goods-vehicles.yaml",
    ]
    entry = _valid_proposed(root, "securing-loads-on-heavy-goods-vehicles")
    assert entry["awarding_bodies"] == ["kurzeme-freight-school"]
    provider = load_file(root / "catalogue/providers/kurzeme-freight-school.yaml").data
    assert provider["legal_name"] == 'SIA "Kurzemes Kravu skola"'
    assert provider["type"] == "training-centre" and provider["region"] == "Kurzeme" and provider["country"] == "LV"
    assert "example" not in provider


def test_a_new_provider_whose_id_is_taken_is_refused() -> None:
    text = answer(fixture("proposal-new-provider.md"), "Provider id", "example-dairy-plant")
    (problem,) = by_field(convert.read(text, CATALOGUE_DIR))["provider"]
    assert "“example-dairy-plant” is already registered" in problem.en


def test_hostile_text_is_stored_as_text_and_validates(tmp_path: Path) -> None:
    submission, root = _written(tmp_path, fixture("proposal-hostile.md"))
    entry = _valid_proposed(root, "securing-loads-on-heavy-goods-vehicles")
    assert entry["purpose"]["en"] == submission.entry["purpose"]["en"]
    assert "${{ github.token }} $(touch /tmp/pwned)" in entry["purpose"]["en"]
    assert entry["further_information"]["en"].startswith("<img src=x onerror=alert(1)>")


def test_a_60_kb_body_with_thirty_long_outcomes_is_read_whole(tmp_path: Path) -> None:
    lv = "\n".join(
        f"- {number}. rezultāts: " + "Plāno un pārbauda kravas nostiprinājumu. " * 23 for number in range(30)
    )
    en = "\n".join(f"- Outcome {number}: " + "Plans and checks how a load is secured. " * 24 for number in range(30))
    text = answer(
        answer(fixture("proposal.md"), "Learning outcomes in Latvian", lv), "Learning outcomes in English", en
    )
    assert 60_000 <= len(text) <= body.MAX_BODY_CHARACTERS
    _submission, root = _written(tmp_path, text)
    entry = _valid_proposed(root, "securing-loads-on-heavy-goods-vehicles")
    assert len(entry["learning_outcomes"]) == 30
    assert entry["learning_outcomes"][29]["text"]["en"].startswith("Outcome 29: Plans")


def test_a_windows_body_becomes_the_same_file(tmp_path: Path) -> None:
    lf, _ = _written(tmp_path / "lf", fixture("proposal-new-provider.md"))
    crlf, _ = _written(tmp_path / "crlf", fixture("proposal-new-provider.md").replace("\n", "\r\n"))
    assert crlf.files == lf.files


def test_a_substantive_change_is_a_new_proposed_version(tmp_path: Path) -> None:
    text = answer(fixture("change.md"), "Notional workload in hours", "48")
    _submission, root = _written(tmp_path, text)
    entry = _valid_proposed(root, "forklift-safe-operation")
    original = load_file(CATALOGUE_DIR / "transport-logistics" / "forklift-safe-operation.yaml").data
    assert entry["version"] == original["version"] + 1
    assert entry["workload"]["hours"] == 48
    assert not {"decision", "decision_date", "review_due"} & set(entry["quality_assurance"])


def test_form_to_entry_writes_a_proposal_and_its_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    root = _repository_copy(tmp_path)
    monkeypatch.chdir(root)
    reply_dir = tmp_path / "r"
    assert cli.main(["form-to-entry", str(FORMS / "proposal-new-provider.md"), "--reply-dir", str(reply_dir)]) == 0
    out = capsys.readouterr().out
    assert "Wrote catalogue/providers/kurzeme-freight-school.yaml" in out
    assert "Wrote catalogue/transport-logistics/securing-loads-on-heavy-goods-vehicles.yaml" in out
    result = json.loads((reply_dir / "result.json").read_text(encoding="utf-8"))
    assert result["new_provider"] == "kurzeme-freight-school" and result["version"] == 1
    assert "The proposal is a pull request" in (reply_dir / "comment.md").read_text(encoding="utf-8")
    title = (reply_dir / "pull-request-title.txt").read_text(encoding="utf-8")
    assert title == "Propose securing-loads-on-heavy-goods-vehicles: Securing loads on heavy goods vehicles\n"
    assert cli.main(["validate"]) == 0


def test_a_contact_needs_an_e_mail_or_a_telephone_number() -> None:
    text = answer(fixture("proposal-required-only.md"), "Contact e-mail", "_No response_")
    (problem,) = by_field(convert.read(text, CATALOGUE_DIR))["contact-email"]
    assert problem.en == "Give at least one of: “Contact e-mail”, “Contact telephone”."
    assert problem.lv == "Norādiet vismaz vienu no: “Saziņas e-pasts”, “Saziņas tālrunis”."


def test_what_the_whole_catalogue_refuses_is_taken_back(tmp_path: Path) -> None:
    root = _repository_copy(tmp_path)
    # The sample decision "PIEMĒRS: ..." is a placeholder once the provider is no longer a sample provider.
    for name in ("example-vocational-school", "example-logistics-group"):
        provider = root / "catalogue" / "providers" / f"{name}.yaml"
        provider.write_text(provider.read_text(encoding="utf-8").replace("example: true\n", ""), encoding="utf-8")
    entry = root / "catalogue" / "transport-logistics" / "forklift-safe-operation.yaml"
    before = entry.read_text(encoding="utf-8")
    submission = convert.read(fixture("change.md"), root / "catalogue")
    assert submission.errors == []
    assert convert.write(submission, root) == []
    assert entry.read_text(encoding="utf-8") == before
    assert submission.files == {} and submission.errors
    assert all("catalogue's check reports" in problem.en or problem.field for problem in submission.errors)


def test_a_change_with_a_mistake_still_hears_from_the_rules() -> None:
    text = answer(fixture("change.md"), "Price for one learner", "four hundred")
    text = answer(text, "ECTS credits", "10")  # far too many for the entry's hours
    submission = convert.read(text, CATALOGUE_DIR)
    problems = by_field(submission)
    assert "“four hundred” is not a number" in problems["cost-amount"][0].en
    (ects,) = problems["workload-ects"]
    assert ects.warning and "1 ECTS credit is 25-30 hours" in ects.en and "25-30 mācību stundas" in ects.lv
    assert sorted(problems) == ["cost-amount", "workload-ects"]


def test_contributors_hear_of_stale_forms_before_they_commit() -> None:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    hook = hooks["mqcat-forms"]
    assert hook["entry"] == "python3 -m generator forms --check" and hook["pass_filenames"] is False
    watched = re.compile(hook["files"])
    for path in (
        "schema/common.schema.json",
        "catalogue/sectors.yaml",
        "generator/i18n/lv.yaml",
        "generator/forms/spec.py",
        ".github/ISSUE_TEMPLATE/propose-micro-qualification.yml",
    ):
        assert watched.search(path), path
    assert not watched.search("catalogue/energy/solar-pv-installation.yaml")
