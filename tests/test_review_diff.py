"""`mqcat diff`: the review report, on real temporary git repositories.

Each test starts from a repository holding the shipped catalogue/ and schema/ on
`main`, with a branch `change` checked out, makes one kind of change (committed,
or left in the working tree) and reads the report.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import schemas
from generator.catalogue import validate
from generator.cli import main
from generator.review import fields
from generator.review.compare import ATTENTION_FIELDS, SUBSTANTIVE_FIELDS
from generator.review.report import md_text

from .conftest import REPO_ROOT
from .git_support import catalogue_repository, commit, git


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = catalogue_repository(tmp_path / "repo", "base")
    git(root, "checkout", "-q", "-b", "change")
    return root


@pytest.fixture(scope="session")
def clean_active_entries() -> list[str]:
    """The shipped catalogue's active entries without validation errors, as paths from the repository root.

    Found once: every `repo` holds the same catalogue/ and schema/ as this checkout.
    """
    result = validate(REPO_ROOT / "catalogue", root=REPO_ROOT)
    broken = {p.file for p in result.errors}
    found = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in sorted((REPO_ROOT / "catalogue").glob("*/*.yaml"))
        if path.parent.name != "providers"
        and path.relative_to(REPO_ROOT).as_posix() not in broken
        and yaml.safe_load(path.read_text(encoding="utf-8")).get("status") == "active"
    ]
    assert len(found) >= 2, "the sample catalogue needs some valid active entries"
    return found


@pytest.fixture()
def entries(repo: Path, clean_active_entries: list[str]) -> list[Path]:
    """Active entries without validation errors, so that any error in a report comes from the change."""
    return [repo / path for path in clean_active_entries]


def run_diff(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The report on the branch; changes left in the working tree are committed first, as a provider does."""
    if git(repo, "status", "--porcelain"):
        commit(repo)
    status = main(["diff", "--repo", str(repo), *args])
    return status, capsys.readouterr().out


def propose(data: dict[str, Any]) -> dict[str, Any]:
    """An entry as a provider writes it: proposed, without the council's decision."""
    data["status"] = "proposed"
    for name in ("decision", "decision_date", "review_due"):
        data["quality_assurance"].pop(name, None)
    return data


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def reviewers(repo: Path, sector: str) -> list[str]:
    registry = read(repo / "catalogue" / "sectors.yaml")
    return next(s["reviewers"] for s in registry["sectors"] if s["id"] == sector)


# --- nothing, added, changed ----------------------------------------------------------------


def test_no_change_reports_nothing_and_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_diff(repo, capsys)
    assert status == 0
    assert "No changes to the catalogue." in report


def test_added_entry_is_listed_with_the_reviewers_of_its_sector(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = entries[0]
    copy = source.with_name("brand-new-programme.yaml")
    data = propose(read(source) | {"id": "brand-new-programme"})
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert "#### Added (1)" in report
    assert "Valid, awaiting the council's decision" in report
    assert "`brand-new-programme`" in report
    for handle in reviewers(repo, source.parent.name):
        assert f"`{handle}`" in report


def test_substantive_change_with_version_raised_is_listed_in_words(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = read(entries[0])
    hours = before["workload"]["hours"]
    edit(
        entries[0],
        lambda d: (d["workload"].update(hours=hours + 20), d.update(version=d["version"] + 1, status="proposed")),
    )
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert "#### Changed (1)" in report
    assert f"Notional workload › Hours: {hours:g} → {hours + 20:g}" in report
    assert f"Version: {before['version']} → {before['version'] + 1}" in report
    assert "Notional workload changed" in report  # a point to check, not an error


def test_substantive_change_without_version_raise_is_an_error(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(entries[0], lambda d: d["workload"].update(hours=d["workload"]["hours"] + 20))
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "without raising its version" in report
    assert "### Errors" in report


def test_practical_change_without_version_raise_is_fine(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    amount = read(entries[0])["duration"]["amount"]
    edit(entries[0], lambda d: d["duration"].update(amount=amount + 1))
    status, report = run_diff(repo, capsys)  # uncommitted: the working tree is the default HEAD
    assert status == 0, report
    assert f"Calendar duration › Amount: {amount} → {amount + 1}" in report
    assert "without raising its version" not in report


def test_version_lowered_is_an_error(repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    edit(entries[0], lambda d: d.update(version=d["version"] + 1, status="proposed"))
    raised = commit(repo)
    edit(entries[0], lambda d: d.update(version=d["version"] - 1))
    lowered = commit(repo)
    status, report = run_diff(repo, capsys, raised, lowered)
    assert status == 1
    assert "version lowered" in report


def test_explicit_revisions_are_named_in_the_report(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(entries[0], lambda d: d["duration"].update(amount=d["duration"]["amount"] + 1))
    head = commit(repo)
    status, report = run_diff(repo, capsys, "main", "change")
    assert status == 0
    assert f"`main ({git(repo, 'rev-parse', 'main')[:12]})`" in report
    assert f"`change ({head[:12]})`" in report


# --- status transitions, deletion, id changes ------------------------------------------------------


# A commit as `mqcat suspend` / `withdraw` / `approve` makes it: the decision only, with the trailer.
COUNCIL = "Council decision\n\nCouncil-Action: {}"


def _reason(d: dict[str, Any], status: str) -> None:
    d.update(status=status, status_reason={"lv": "Pasniedzējs atvaļinājumā.", "en": "The trainer is on leave."})


def test_suspending_an_entry_is_listed_with_its_reason(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(entries[0], lambda d: _reason(d, "suspended"))
    commit(repo, COUNCIL.format("suspend"))
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert "#### Suspended (1)" in report
    assert f"`{entries[0].stem}`" in report
    assert "The trainer is on leave." in report
    assert "Status: “active” → “suspended”" in report


def test_a_suspension_in_a_providers_commit_is_an_error(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(entries[0], lambda d: _reason(d, "suspended"))
    commit(repo, "Suspend it myself")
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "outside a decision commit of the council" in report


def test_withdrawing_an_entry_names_its_successor(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    successor = entries[1].stem
    edit(entries[0], lambda d: (_reason(d, "withdrawn"), d.update(replaced_by=successor)))
    commit(repo, COUNCIL.format("withdraw"))
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert "#### Withdrawn (1)" in report
    assert f"replaced by `{successor}`" in report


def test_reactivating_an_entry_is_a_point_to_check(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(entries[0], lambda d: _reason(d, "suspended"))
    suspended = commit(repo, COUNCIL.format("suspend"))
    edit(entries[0], lambda d: (d.update(status="active"), d.pop("status_reason")))
    active = commit(repo, COUNCIL.format("approve"))
    status, report = run_diff(repo, capsys, suspended, active)
    assert status == 0, report
    assert "#### Reactivated (1)" in report
    assert "is made active again" in report


def test_deleting_an_entry_is_an_error(repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "rm", "-q", entries[0].relative_to(repo).as_posix())
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "#### Deleted (1)" in report
    assert f"entry '{entries[0].stem}' is deleted instead of withdrawn" in report


def test_deleting_a_referenced_entry_reports_the_problems_it_causes_elsewhere(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    target, referrer = entries[0], entries[1]
    edit(referrer, lambda d: d.update(stackability={"standalone": True, "stacks_into": [target.stem]}))
    commit(repo, "referrer stacks into target")
    git(repo, "branch", "-f", "main", "HEAD")
    git(repo, "rm", "-q", target.relative_to(repo).as_posix())
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "### New problems in files this change did not touch" in report
    assert f"`{referrer.relative_to(repo).as_posix()}:" in report


def test_renaming_an_entry_file_is_an_id_change_error(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old = entries[0]
    new = old.with_name("renamed-programme.yaml")
    git(repo, "mv", old.relative_to(repo).as_posix(), new.relative_to(repo).as_posix())
    new.write_text(
        new.read_text(encoding="utf-8").replace(f"id: {old.stem}", "id: renamed-programme"), encoding="utf-8"
    )
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "#### Id changed (1)" in report
    assert f"the id of '{old.stem}' changed to 'renamed-programme'" in report
    assert "#### Deleted" not in report and "#### Added" not in report


def test_an_id_change_in_the_working_tree_is_found_by_content(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old = entries[0]
    new = old.with_name("renamed-programme.yaml")
    old.rename(new)  # not `git mv`: git sees an untracked file and a deleted one
    edit(new, lambda d: d.update(id="renamed-programme"))
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "#### Id changed (1)" in report
    assert f"`{old.stem}` → `renamed-programme`" in report


# --- flags -----------------------------------------------------------------------------------


def test_removed_learning_outcome_is_shown_by_its_text_and_flagged(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = next(p for p in entries if len(read(p)["learning_outcomes"]) >= 2)
    removed = read(path)["learning_outcomes"][-1]["text"]
    edit(path, lambda d: (d["learning_outcomes"].pop(), d.update(version=d["version"] + 1, status="proposed")))
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert f"removed: “{md_text(removed['lv'])}” / “{md_text(removed['en'])}”" in report
    assert "1 learning outcome(s) removed" in report
    assert "text:" not in report  # words, not a YAML diff


def test_added_learning_outcome_is_shown_by_its_text(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = {"text": {"lv": "Sagatavo pārskatu.", "en": "Prepares a report."}}
    edit(
        entries[0],
        lambda d: (d["learning_outcomes"].append(outcome), d.update(version=d["version"] + 1, status="proposed")),
    )
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert "added: “Sagatavo pārskatu.” / “Prepares a report.”" in report


@pytest.mark.parametrize(
    "field, change, words",
    [
        (
            "level",
            lambda d: d["level"].update(lki=d["level"]["lki"] % 8 + 1, eqf=d["level"]["lki"] % 8 + 1),
            "Level changed",
        ),
        (
            "assessment",
            lambda d: d["assessment"]["description"].update(lv="Jauns apraksts."),
            "Type of assessment changed",
        ),
        (
            "participation_form",
            lambda d: d.update(
                participation_form="blended" if d["participation_form"] != "blended" else "in-person",
                locations=d.get("locations") or [{"municipality": "Rīga"}],
            ),
            "Form of participation changed",
        ),
    ],
)
def test_changes_reviewers_must_check_are_flagged(
    repo: Path,
    entries: list[Path],
    capsys: pytest.CaptureFixture[str],
    field: str,
    change: Callable[[dict[str, Any]], None],
    words: str,
) -> None:
    edit(entries[0], lambda d: (change(d), d.update(version=d["version"] + 1, status="proposed")))
    _status, report = run_diff(repo, capsys)
    assert "### Needs attention" in report
    assert words in report


def test_awarding_bodies_change_is_flagged(repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    current = read(entries[0])["awarding_bodies"]
    other = next(p.stem for p in sorted((repo / "catalogue" / "providers").glob("*.yaml")) if p.stem not in current)
    edit(entries[0], lambda d: d.update(awarding_bodies=[other]))
    _status, report = run_diff(repo, capsys)
    assert f"awarding bodies of '{entries[0].stem}' changed" in report
    change = report[report.index("Awarding body:") :]
    change = change[: change.index("⚠️")]
    assert all(f"“{provider}”" in change for provider in [*current, other])


def test_moving_an_entry_to_another_sector_is_flagged_and_needs_both_councils(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old_sector = entries[0].parent.name
    new_sector = next(s["id"] for s in read(repo / "catalogue" / "sectors.yaml")["sectors"] if s["id"] != old_sector)
    target = repo / "catalogue" / new_sector / entries[0].name
    target.parent.mkdir(exist_ok=True)
    entries[0].rename(target)
    edit(target, lambda d: d.update(sector=new_sector))
    _status, report = run_diff(repo, capsys)
    assert f"moves from sector '{old_sector}' to '{new_sector}'" in report
    for handle in reviewers(repo, old_sector) + reviewers(repo, new_sector):
        assert f"`{handle}`" in report


# --- providers, registries, files outside the catalogue ------------------------------------------


def test_provider_change_is_listed_and_needs_a_maintainer(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    provider = sorted((repo / "catalogue" / "providers").glob("*.yaml"))[0]
    edit(provider, lambda d: d.update(legal_address="Jauna iela 1, Rīga, LV-1001"))
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert "### Providers" in report
    assert f"Provider `{provider.stem}` changed" in report
    assert "Legal address:" in report and "“Jauna iela 1, Rīga, LV-1001”" in report
    assert "Needs a maintainer" in report


def test_reviewers_change_in_the_sector_registry_is_listed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "catalogue" / "sectors.yaml", lambda d: d["sectors"][0]["reviewers"].append("@mqcat/extra-reviewers"))
    _status, report = run_diff(repo, capsys)
    assert "### Sectors, authorities and maintainers" in report
    assert "Reviewers:" in report
    assert "the sector registry changed: needs a maintainer" in report


@pytest.mark.parametrize(
    "path, area",
    [
        (".github/workflows/publish.yml", "workflows"),
        ("schema/extra.schema.json", "schema"),
        ("generator/extra.py", "generator"),
    ],
)
def test_file_outside_the_catalogue_needs_a_maintainer(
    repo: Path, capsys: pytest.CaptureFixture[str], path: str, area: str
) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("{}\n", encoding="utf-8")
    commit(repo)
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert "### Files outside catalogue/ (needs a maintainer)" in report
    assert f"| `{path}` | {area} | added |" in report
    assert f"outside catalogue/ changed ({area}): needs a maintainer" in report


# --- validation, unreadable files, output formats ---------------------------------------------------


def test_validation_problems_in_changed_files_are_listed_and_fail(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        entries[0],
        lambda d: (
            d["level"].update(eqf=d["level"]["lki"] % 8 + 1),
            d.update(version=d["version"] + 1, status="proposed"),
        ),
    )
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "### Validation of the changed catalogue files" in report
    assert f"`{entries[0].relative_to(repo).as_posix()}:" in report
    assert "`level.eqf`" in report


def test_unreadable_file_is_reported_not_a_traceback(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    entries[0].write_text("id: [unclosed\n", encoding="utf-8")
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert "#### Could not be read (1)" in report
    assert "YAML syntax error" in report
    assert "Deleted" not in report


def test_github_format_adds_annotations_on_stderr_with_file_and_line(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(entries[0], lambda d: d["workload"].update(hours=d["workload"]["hours"] + 20))
    commit(repo)
    status = main(["diff", "--repo", str(repo), "--format", "github"])
    out, err = capsys.readouterr()
    assert status == 1
    path = entries[0].relative_to(repo).as_posix()
    assert re.search(rf"^::error file={re.escape(path)},line=\d+,col=\d+,title=version::", err, re.MULTILINE)
    assert re.search(rf"^::warning file={re.escape(path)},line=\d+", err, re.MULTILINE)
    # Standard output stays the Markdown report, so it can go straight into $GITHUB_STEP_SUMMARY.
    assert out.startswith("## Micro-qualification review report")
    assert "::error" not in out


def test_output_option_writes_the_report_to_a_file(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.md"
    status, output = run_diff(repo, capsys, "--output", str(summary))
    assert status == 0
    assert output == ""
    assert "No changes to the catalogue." in summary.read_text(encoding="utf-8")


def test_base_falls_back_to_origin_main(repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    base = git(repo, "rev-parse", "main")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    git(repo, "branch", "-D", "main")
    edit(entries[0], lambda d: d["duration"].update(amount=d["duration"]["amount"] + 1))
    status, report = run_diff(repo, capsys)
    assert status == 0, report
    assert f"Comparing `{base[:12]}` (base)" in report
    assert "#### Changed (1)" in report


def test_unknown_revision_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--repo", str(repo), "no-such-branch"]) == 2
    assert "unknown revision 'no-such-branch'" in capsys.readouterr().err


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--repo", str(tmp_path)]) == 2
    assert "mqcat diff: git" in capsys.readouterr().err


# --- contributor text cannot inject Markdown ---------------------------------------------------------

HOSTILE = (
    "Safe <img src=x onerror=alert(1)> [click](https://evil.example) ![pic](https://evil.example/p.png) "
    "@someone @org/team | a | b `code` *bold* _it_ ~~gone~~ $x^2$ #12 www.evil.example <!-- hidden -->"
    "\n# Heading\n- item\n| x | y |"
)


def _assert_inert(report: str) -> None:
    assert "<img" not in report and "<!--" not in report
    assert "](" not in report.replace("\\](", "")  # no link or image syntax survives
    assert "@someone" not in report and "@org/team" not in report  # no mention
    assert "https://evil" not in report and "www.evil" not in report  # no autolink
    for line in report.splitlines():
        assert not line.startswith(("# ", "- item", "| x")), line  # no block escaped its line


def test_hostile_title_does_not_inject_markdown(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit(entries[0], lambda d: d["title"].update(en=HOSTILE))
    _status, report = run_diff(repo, capsys)
    assert "Title › English" in report
    _assert_inert(report)
    assert r"\*bold\*" in report and r"\`code\`" in report


def test_hostile_new_entry_title_does_not_inject_markdown(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    copy = entries[0].with_name("hostile-programme.yaml")
    shutil.copy(entries[0], copy)
    edit(copy, lambda d: (d.update(id="hostile-programme"), d["title"].update(en=HOSTILE)))
    _status, report = run_diff(repo, capsys)
    assert "#### Added (1)" in report
    _assert_inert(report)


def test_hostile_sector_name_stays_in_its_table_cell(
    repo: Path, entries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sector = entries[0].parent.name

    def rename(d: dict[str, Any]) -> None:
        next(s for s in d["sectors"] if s["id"] == sector)["name"]["en"] = HOSTILE

    edit(repo / "catalogue" / "sectors.yaml", rename)
    edit(entries[0], lambda d: d["duration"].update(amount=d["duration"]["amount"] + 1))
    _status, report = run_diff(repo, capsys)
    rows = [line for line in report.splitlines() if line.startswith("| ") and f"`{sector}`" in line]
    assert len(rows) == 1
    unescaped_pipes = re.findall(r"(?<!\\)\|", rows[0])
    assert len(unescaped_pipes) == 3  # | sector | reviewers |
    _assert_inert(report)


def test_the_version_rule_names_fields_of_the_schema() -> None:
    properties = fields.root(schemas.MICRO_QUALIFICATION)["properties"]
    assert set(SUBSTANTIVE_FIELDS) | set(ATTENTION_FIELDS) <= set(properties)
