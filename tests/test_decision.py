"""The council records its decision: `mqcat approve`, `suspend`, `withdraw`, and what the review report makes of it.

On real temporary git repositories: a provider's commit proposes, the council's
command writes exactly the decision in a commit of its own, and the report (and
the pull-request check, `mqcat diff --require-decision`) tells the two apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main

from .git_support import catalogue_repository, commit, git

SOURCE = "catalogue/transport-logistics/forklift-safe-operation.yaml"
PROPOSAL_ID = "forklift-refresher-training"
PROPOSAL = f"catalogue/transport-logistics/{PROPOSAL_ID}.yaml"
DECISION = "Protokols Nr. 7/2026, 3. p."


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped catalogue on main, a branch with one proposal committed by the provider; cwd is the clone."""
    root = catalogue_repository(tmp_path / "repo", "base")
    git(root, "checkout", "-q", "-b", "proposal")
    text = (root / SOURCE).read_text(encoding="utf-8")
    text = text.replace("id: forklift-safe-operation", f"id: {PROPOSAL_ID}")
    text = text.replace("status: active", "status: proposed  # written by the provider")
    text = re.sub(r"\n  (decision|decision_date|review_due): [^\n]*", "", text)
    (root / PROPOSAL).write_text(text, encoding="utf-8")
    commit(root, "Add forklift-refresher-training")
    git(root, "config", "user.name", "Council Member")
    git(root, "config", "user.email", "council@example.org")
    git(root, "config", "commit.gpgsign", "false")
    monkeypatch.chdir(root)
    return root


def approve(*extra: str, entry: str = PROPOSAL_ID) -> int:
    return main(["approve", entry, "--decision", DECISION, "--date", "2026-11-20", *extra])


def diff(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    status = main(["diff", "--repo", str(repo), "main", *extra])
    out, err = capsys.readouterr()
    return status, out, err


def data(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # dates stay text, as mqcat reads them


# --- approve -------------------------------------------------------------------------------------


def test_approve_writes_exactly_the_decision_and_keeps_every_other_byte(repo: Path) -> None:
    before = (repo / PROPOSAL).read_text(encoding="utf-8")
    assert approve("--review-due", "2029-11-20") == 0
    after = (repo / PROPOSAL).read_text(encoding="utf-8")
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert removed == ["status: proposed  # written by the provider"]
    assert added == [
        "status: active  # written by the provider",
        f'  decision: "{DECISION}"',
        "  decision_date: 2026-11-20",
        "  review_due: 2029-11-20",
    ]
    assert after.replace("status: active", "status: proposed") == before.replace(
        "  authorised_by: transport-logistics-council\n",
        "  authorised_by: transport-logistics-council\n"
        f'  decision: "{DECISION}"\n  decision_date: 2026-11-20\n  review_due: 2029-11-20\n',
    )


def test_approve_commits_the_decision_on_its_own(repo: Path) -> None:
    assert approve() == 0
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "show", "--format=", "--name-only", "HEAD").splitlines() == [PROPOSAL]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith(f"Approve {PROPOSAL_ID}: {DECISION} (2026-11-20)")
    assert "Council-Action: approve" in message
    assert git(repo, "log", "-1", "--format=%an") == "Council Member"


def test_review_due_defaults_to_three_years_later(repo: Path) -> None:
    assert approve() == 0
    assert data(repo / PROPOSAL)["quality_assurance"]["review_due"] == "2029-11-20"


def test_approve_refuses_while_the_file_has_uncommitted_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / PROPOSAL
    path.write_text(path.read_text(encoding="utf-8") + "# a note\n", encoding="utf-8")
    assert approve() == 1
    assert "not committed" in capsys.readouterr().err
    assert "decision:" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--decision", "MELNRAKSTS"], "does not look like the council's decision"),
        (["--decision", "TODO"], "does not look like the council's decision"),
        (["--date", "2999-01-01"], "in the future"),
        (["--review-due", "2026-01-01"], "not after the decision date"),
    ],
)
def test_approve_refuses_what_the_council_cannot_have_decided(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    base = {"--decision": DECISION, "--date": "2026-11-20"}
    pairs = dict(zip(args[::2], args[1::2], strict=True))
    argv = ["approve", PROPOSAL_ID]
    for key, value in {**base, **pairs}.items():
        argv += [key, value]
    before = (repo / PROPOSAL).read_text(encoding="utf-8")
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert words in err and "Fix:" in err
    assert (repo / PROPOSAL).read_text(encoding="utf-8") == before


def test_approve_refuses_an_unknown_id_with_a_suggestion(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert approve(entry="forklift-refresher-trainig") == 1
    assert f"did you mean '{PROPOSAL_ID}'?" in capsys.readouterr().err


# --- suspend and withdraw --------------------------------------------------------------------------


def test_suspend_writes_the_status_and_reason_only(repo: Path) -> None:
    entry = "forklift-safe-operation"
    status = main(
        ["suspend", entry, "--decision", "Protokols Nr. 8/2026, 1. p.", "--date", "2026-11-25",
         "--reason-lv", "Nav pasniedzēja.", "--reason-en", "No trainer."]
    )  # fmt: skip
    assert status == 0
    after = data(repo / SOURCE)
    assert after["status"] == "suspended"
    assert after["status_reason"] == {"lv": "Nav pasniedzēja.", "en": "No trainer."}
    changed = git(repo, "show", "--format=", "--unified=0", "HEAD").splitlines()
    assert [line for line in changed if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))] == [
        "-status: active",
        "+status: suspended",
        "+status_reason:",
        '+  lv: "Nav pasniedzēja."',
        '+  en: "No trainer."',
    ]


def test_withdraw_names_the_successor(repo: Path) -> None:
    status = main(
        ["withdraw", "forklift-safe-operation", "--decision", "Protokols Nr. 9/2026, 1. p.", "--date", "2026-11-26",
         "--reason-lv", "Aizstāta.", "--replaced-by", "warehouse-operations"]
    )  # fmt: skip
    assert status == 0
    after = data(repo / SOURCE)
    assert (after["status"], after["replaced_by"]) == ("withdrawn", "warehouse-operations")


def test_a_proposal_cannot_be_suspended(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["suspend", PROPOSAL_ID, "--decision", "Protokols Nr. 8/2026, 1. p.", "--date", "2026-11-25",
         "--reason-lv", "Nav."]
    )  # fmt: skip
    assert status == 1
    assert "proposed, not approved" in capsys.readouterr().err


# --- the review report and the pull-request check --------------------------------------------------


def test_a_proposal_is_valid_and_awaits_the_decision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report, _ = diff(repo, capsys)
    assert status == 0, report
    assert "**Valid, awaiting the council's decision** (`forklift-refresher-training`)" in report
    assert "### The council's decision" in report
    assert "⏳ valid, awaiting the council's decision" in report


def test_the_required_check_fails_until_the_decision_is_recorded(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = diff(repo, capsys, "--require-decision", "--format", "github")
    assert status == 1
    assert "::error title=Awaiting the council's decision::valid, awaiting the council's decision" in err
    assert approve() == 0
    status, report, err = diff(repo, capsys, "--require-decision")
    assert status == 0, report + err
    assert "**Approved: ready to merge.**" in report


def test_the_report_shows_the_decision_and_who_recorded_it_in_which_commit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert approve() == 0
    head = git(repo, "rev-parse", "HEAD")
    _, report, _ = diff(repo, capsys)
    row = next(line for line in report.splitlines() if line.startswith(f"| `{PROPOSAL_ID}`"))
    assert "✅ approved" in row and f"“{DECISION}”" in row and "“2026-11-20”" in row and "“2029-11-20”" in row
    assert f"`{head[:12]}` by Council Member" in row and "decision commit" in row and "`mqcat approve`" in row
    assert "by t &lt;t@" in row and "(proposal)" in row  # the provider's commit only proposed


def test_decision_fields_written_by_the_provider_are_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / PROPOSAL
    text = path.read_text(encoding="utf-8").replace("status: proposed", "status: active")
    text = text.replace(
        "  authorised_by: transport-logistics-council\n",
        '  authorised_by: transport-logistics-council\n  decision: "Nr. 1/2026"\n'
        "  decision_date: 2026-11-01\n  review_due: 2028-11-01\n",
    )
    path.write_text(text + "# and a note\n", encoding="utf-8")
    provider_commit = commit(repo, "Fill in the approval myself")
    status, report, _ = diff(repo, capsys, "--require-decision")
    assert status == 1
    assert f"changed in commit {provider_commit[:12]} by t &lt;t@" in report
    assert "outside a decision commit" in report
    assert "**Not valid:**" in report


def test_a_new_version_needs_the_councils_decision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / SOURCE
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    commit(repo, "Version 2")
    status, report, _ = diff(repo, capsys)
    assert status == 1
    assert "version 2 of 'forklift-safe-operation' has no decision of the council" in report


def test_only_committed_changes_count(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    venv = repo / "venv-of-a-provider" / "lib"
    venv.mkdir(parents=True)
    for index in range(50):
        (venv / f"module{index}.py").write_text("x = 1\n", encoding="utf-8")
    draft = repo / "catalogue/transport-logistics/half-written.yaml"
    draft.write_text("id: half-written\n", encoding="utf-8")
    status, report, _ = diff(repo, capsys)
    assert status == 0, report
    assert "venv-of-a-provider" not in report and "module1" not in report
    assert "`half-written`" not in report
    assert "1 uncommitted file(s) under `catalogue/` are left out" in report
