"""The proposal workflow's scripts, run for real on temporary git repositories.

The `run:` scripts of .github/workflows/proposal.yml are taken from the workflow
file itself (not copied) and run with bash as the runner does, with the
runner's variables pointing into a temporary folder and `mqcat` being this
checkout's code. The push runs against a local bare repository standing in for
github.com, and `gh` is a stand-in that records what it is asked (for the
push and the comment); the close job (one `gh` call) is not run here.
tests/test_github_config.py checks every job's permissions and structure, and
actionlint and zizmor the whole file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO_ROOT
from .git_support import catalogue_repository, commit, git

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "proposal.yml"
FORMS = REPO_ROOT / "tests" / "data" / "forms"


def scripts(job: str) -> dict[str, str]:
    """The `run:` scripts of one job, by step name."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {step["name"]: step["run"] for step in workflow["jobs"][job]["steps"] if "run" in step}


def make_repository(tmp_path: Path) -> Path:
    """The default branch as the workflow checks it out: catalogue, schema, CODEOWNERS, issue forms."""
    root = tmp_path / "repo"
    catalogue_repository(root)
    shutil.copytree(REPO_ROOT / ".github", root / ".github")
    commit(root, "GitHub configuration")
    return root


def make_runner(tmp_path: Path) -> dict[str, str]:
    """The runner's environment: temporary folder, output files, and `mqcat` from this checkout."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "mqcat"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env['PATH']}",
        PYTHONPATH=str(REPO_ROOT),
        RUNNER_TEMP=str(temp),
        GITHUB_OUTPUT=str(tmp_path / "output.txt"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        ISSUE_NUMBER="7",
        AUTHOR="kurzeme-trainer",
        AUTHOR_ID="1234567",
    )
    return env


@pytest.fixture()
def repository(tmp_path: Path) -> Path:
    return make_repository(tmp_path)


@pytest.fixture()
def runner(tmp_path: Path) -> dict[str, str]:
    return make_runner(tmp_path)


def run_step(script: str, cwd: Path, env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    # `bash -e` is what the runner uses for a `run:` step without a `shell:`.
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env={**env, **extra}, capture_output=True, text=True, timeout=300
    )


def outputs(env: dict[str, str]) -> dict[str, str]:
    text = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8") if Path(env["GITHUB_OUTPUT"]).exists() else ""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def run_read_job(repository: Path, env: dict[str, str], body: str) -> dict[str, str]:
    """The read job's scripts in order, honouring their `if:` on the form's validity; the step outputs."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    for step in workflow["jobs"]["read"]["steps"]:
        if "run" not in step or step["name"] == "Install mqcat":
            continue
        gated = "steps.form.outputs.valid == 'true'" in str(step.get("if", ""))
        if gated and outputs(env).get("valid") != "true":
            continue
        event = Path(env["RUNNER_TEMP"]).parent / "event.json"
        event.write_text(json.dumps({"action": "opened", "issue": {"number": 7, "body": body}}), encoding="utf-8")
        result = run_step(step["run"], repository, env, GITHUB_EVENT_PATH=str(event))
        assert result.returncode == 0, f"step {step['name']!r} failed:\n{result.stdout}\n{result.stderr}"
    return outputs(env)


HOSTILE = '$(touch {marker}) `touch {marker}` "; touch {marker}; echo " ${{{{ github.token }}}} %0A::error::x'


class Run:
    """One run of the read job on a form, shared by the tests that read its results."""

    def __init__(self, tmp_path: Path, body: str) -> None:
        self.tmp_path = tmp_path
        self.repository = make_repository(tmp_path)
        self.runner = make_runner(tmp_path)
        self.base = git(self.repository, "rev-parse", "HEAD")
        self.outputs = run_read_job(self.repository, self.runner, body)
        self.reply = Path(self.runner["RUNNER_TEMP"]) / "reply"


@pytest.fixture(scope="module")
def change_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The change form, with hostile text in its reason, through the read job."""
    tmp_path = tmp_path_factory.mktemp("change-run")
    hostile = HOSTILE.format(marker=tmp_path / "pwned")
    body = (FORMS / "change.md").read_text(encoding="utf-8").replace("New prices from 2027", hostile)
    return Run(tmp_path, body)


def test_a_valid_form_becomes_one_commit_with_the_submitter_as_co_author(change_run: Run) -> None:
    repository = change_run.repository
    assert change_run.outputs["valid"] == "true"
    assert git(repository, "rev-parse", "HEAD~1") == change_run.base
    changed = git(repository, "diff", "--name-only", "HEAD~1", "HEAD")
    assert changed == "catalogue/transport-logistics/forklift-safe-operation.yaml"
    message = git(repository, "log", "-1", "--format=%B")
    assert "Co-authored-by: kurzeme-trainer <1234567+kurzeme-trainer@users.noreply.github.com>" in message
    assert git(repository, "log", "-1", "--format=%an") == "github-actions[bot]"
    body = (change_run.reply / "pull-request-body.md").read_text(encoding="utf-8")
    assert body.startswith("Closes #7\n\nMade by the proposal workflow from issue #7, submitted by @kurzeme-trainer")
    assert "forklift-safe-operation" in body and "Changed" in body
    # The council's checklist from the pull request template, which GitHub does not apply here.
    assert "## 2. Review by the sector's expert council" in body and "- [ ] **Valid assessment" in body
    assert (change_run.reply / "proposal.bundle").is_file()
    assert json.loads((change_run.reply / "result.json").read_text(encoding="utf-8"))["valid"] is True


def test_the_body_is_data_never_a_script(change_run: Run) -> None:
    assert not (change_run.tmp_path / "pwned").exists()
    written = (Path(change_run.runner["RUNNER_TEMP"]) / "issue-body.md").read_text(encoding="utf-8")
    assert HOSTILE.format(marker=change_run.tmp_path / "pwned") in written


def test_a_form_with_problems_gives_a_comment_and_no_commit(repository: Path, runner: dict[str, str]) -> None:
    base = git(repository, "rev-parse", "HEAD")
    found = run_read_job(repository, runner, (FORMS / "proposal-mistakes.md").read_text(encoding="utf-8"))
    assert found["valid"] == "false"
    assert git(repository, "rev-parse", "HEAD") == base
    assert git(repository, "status", "--porcelain") == ""
    reply = Path(runner["RUNNER_TEMP"]) / "reply"
    comment = (reply / "comment.md").read_text(encoding="utf-8")
    assert "“forty” is not a number" in comment and "“forty” nav skaitlis" in comment
    assert not (reply / "proposal.bundle").exists()


def _clone_at_base(repository: Path, tmp_path: Path, base: str) -> Path:
    clone = tmp_path / "writer"
    git(tmp_path, "clone", "-q", str(repository), str(clone))
    git(clone, "checkout", "-q", base)
    return clone


def test_the_writer_accepts_the_bundle_of_a_valid_form(change_run: Run) -> None:
    clone = _clone_at_base(change_run.repository, change_run.tmp_path, change_run.base)
    check = scripts("pull-request")["Check that the commit only adds or changes catalogue files"]
    result = run_step(check, clone, change_run.runner)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("path", "content"),
    [
        (".github/workflows/evil.yml", "on: push\n"),
        ("generator/__init__.py", "import os\n"),
        ("catalogue/transport-logistics/.hidden.yaml", "id: x\n"),
    ],
)
def test_the_writer_refuses_a_bundle_that_touches_anything_else(
    repository: Path, runner: dict[str, str], tmp_path: Path, path: str, content: str
) -> None:
    base = git(repository, "rev-parse", "HEAD")
    target = repository / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    commit(repository, "tampered")
    reply = Path(runner["RUNNER_TEMP"]) / "reply"
    reply.mkdir()
    git(repository, "bundle", "create", str(reply / "proposal.bundle"), "HEAD~1..HEAD")
    clone = _clone_at_base(repository, tmp_path, base)
    check = scripts("pull-request")["Check that the commit only adds or changes catalogue files"]
    result = run_step(check, clone, runner)
    assert result.returncode != 0
    assert "outside the catalogue layout" in result.stdout


def test_the_writer_refuses_a_bundle_that_deletes_an_entry(
    repository: Path, runner: dict[str, str], tmp_path: Path
) -> None:
    base = git(repository, "rev-parse", "HEAD")
    (repository / "catalogue" / "transport-logistics" / "forklift-safe-operation.yaml").unlink()
    commit(repository, "deleted")
    reply = Path(runner["RUNNER_TEMP"]) / "reply"
    reply.mkdir()
    git(repository, "bundle", "create", str(reply / "proposal.bundle"), "HEAD~1..HEAD")
    clone = _clone_at_base(repository, tmp_path, base)
    check = scripts("pull-request")["Check that the commit only adds or changes catalogue files"]
    result = run_step(check, clone, runner)
    assert result.returncode != 0 and "deletes, renames or retypes" in result.stdout


def test_a_proposal_with_a_new_provider_passes_the_writer_check(
    repository: Path, runner: dict[str, str], tmp_path: Path
) -> None:
    base = git(repository, "rev-parse", "HEAD")
    found = run_read_job(repository, runner, (FORMS / "proposal-new-provider.md").read_text(encoding="utf-8"))
    assert found["valid"] == "true"
    assert git(repository, "diff", "--name-only", "HEAD~1", "HEAD").splitlines() == [
        "catalogue/providers/kurzeme-freight-school.yaml",
        "catalogue/transport-logistics/securing-loads-on-heavy-goods-vehicles.yaml",
    ]
    assert git(repository, "log", "-1", "--format=%s") == "Propose securing-loads-on-heavy-goods-vehicles"
    clone = _clone_at_base(repository, tmp_path, base)
    check = scripts("pull-request")["Check that the commit only adds or changes catalogue files"]
    result = run_step(check, clone, runner)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_largest_body_github_allows_reaches_the_file_whole(runner: dict[str, str], tmp_path: Path) -> None:
    # 65,536 four-byte characters: 256 KiB, twice what one environment variable may hold.
    huge = "\U0001f600" * 65_536 + "\n### x\r\n$(touch pwned)"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"issue": {"body": huge}}), encoding="utf-8")
    step = scripts("read")["Write the issue body to a file"]
    result = run_step(step, tmp_path, runner, GITHUB_EVENT_PATH=str(event))
    assert result.returncode == 0, result.stderr
    assert (Path(runner["RUNNER_TEMP"]) / "issue-body.md").read_bytes() == huge.encode("utf-8")
    assert not (tmp_path / "pwned").exists()


def test_an_issue_without_a_body_gives_an_empty_file(runner: dict[str, str], tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"issue": {"body": None}}), encoding="utf-8")
    result = run_step(scripts("read")["Write the issue body to a file"], tmp_path, runner, GITHUB_EVENT_PATH=str(event))
    assert result.returncode == 0 and (Path(runner["RUNNER_TEMP"]) / "issue-body.md").read_bytes() == b""


# ------------------------------------------------------------------ the writer's push, against a local "GitHub"

FAKE_GH = """#!/bin/sh
# Records each call; answers `pr list`, `pr view` and `pr create` as GitHub's CLI would.
echo "$*" >> "$FAKE_GH_LOG"
case "$1 $2" in
  "pr list") cat "$FAKE_GH_OPEN" ;;
  "pr view") echo "https://github.com/example/catalogue/pull/$3" ;;
  "pr create") echo 5 > "$FAKE_GH_OPEN"; echo "https://github.com/example/catalogue/pull/5" ;;
esac
"""


def push(run: Run, tmp_path: Path, origin: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """The push step, in a fresh checkout of the base, with github.com/example/catalogue served from `origin`."""
    clone = tmp_path / f"writer-{len(list(tmp_path.glob('writer-*')))}"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", run.base)
    bin_dir = tmp_path / "fake-bin"
    if not bin_dir.exists():
        bin_dir.mkdir()
        (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
        (bin_dir / "gh").chmod(0o755)
        (tmp_path / "open-pr.txt").write_text("", encoding="utf-8")
    config = tmp_path / "gitconfig"
    config.write_text(f'[url "{origin}"]\n\tinsteadOf = https://github.com/example/catalogue.git\n', encoding="utf-8")
    output = tmp_path / "push-output.txt"
    output.write_text("", encoding="utf-8")
    env = {
        **run.runner,
        "PATH": f"{bin_dir}{os.pathsep}{run.runner['PATH']}",
        "GIT_CONFIG_GLOBAL": str(config),
        "GITHUB_OUTPUT": str(output),
        "GH_TOKEN": "not-a-real-token",
        "GH_REPO": "example/catalogue",
        "BASE_BRANCH": "main",
        "FAKE_GH_LOG": str(tmp_path / "gh.log"),
        "FAKE_GH_OPEN": str(tmp_path / "open-pr.txt"),
    }
    step = scripts("pull-request")["Push the branch and open or update the pull request"]
    result = run_step(step, clone, env)
    return result, outputs(env)


def test_the_writer_pushes_the_branch_opens_the_pull_request_and_then_updates_it(
    change_run: Run, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(change_run.repository), str(origin))
    git(origin, "update-ref", "refs/heads/main", change_run.base)
    result, found = push(change_run, tmp_path, origin)
    assert result.returncode == 0, result.stdout + result.stderr
    assert found["url"] == "https://github.com/example/catalogue/pull/5"
    pushed = git(origin, "rev-parse", "refs/heads/proposal/issue-7")
    assert git(origin, "rev-parse", f"{pushed}^") == change_run.base
    log = (tmp_path / "gh.log").read_text(encoding="utf-8")
    assert "pr create --base main --head proposal/issue-7 --title Propose a change to forklift-safe-operation" in log
    # The same form again (an edit of the title only): the branch is left alone, the pull request updated.
    result, found = push(change_run, tmp_path, origin)
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(origin, "rev-parse", "refs/heads/proposal/issue-7") == pushed
    assert "pr edit 5 --title" in (tmp_path / "gh.log").read_text(encoding="utf-8")


def test_the_writer_never_overwrites_a_reviewers_commit(change_run: Run, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(change_run.repository), str(origin))
    git(origin, "update-ref", "refs/heads/main", change_run.base)
    push(change_run, tmp_path, origin)
    reviewer = tmp_path / "reviewer"
    git(tmp_path, "clone", "-q", "-b", "proposal/issue-7", str(origin), str(reviewer))
    (reviewer / "catalogue" / "transport-logistics" / "forklift-safe-operation.yaml").write_text(
        (reviewer / "catalogue" / "transport-logistics" / "forklift-safe-operation.yaml").read_text("utf-8") + "\n",
        encoding="utf-8",
    )
    reviewed = commit(reviewer, "Council's suggestion")
    git(reviewer, "push", "-q", "origin", "HEAD:refs/heads/proposal/issue-7")
    result, found = push(change_run, tmp_path, origin)
    assert result.returncode == 0, result.stdout + result.stderr
    assert found["url"] == ""
    assert "has commits by reviewers" in result.stdout
    assert git(origin, "rev-parse", "refs/heads/proposal/issue-7") == reviewed


FAKE_GH_COMMENT = """#!/bin/sh
# `issue comment --edit-last` fails as on an issue with no earlier answer; the new comment's text is kept.
echo "$*" >> "$FAKE_GH_LOG"
case "$*" in
  *--edit-last*) exit 1 ;;
esac
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cp "$2" "$FAKE_GH_BODY"; fi
  shift
done
"""


@pytest.mark.parametrize(
    ("url", "result", "expected"),
    [
        ("https://github.com/example/catalogue/pull/5", "success", "https://github.com/example/catalogue/pull/5"),
        ("", "success", "Reviewers have added their own changes"),
        ("", "failure", "Izmaiņu pieprasījumu neizdevās izveidot"),
    ],
)
def test_the_comment_adds_the_link_or_says_why_there_is_none(
    change_run: Run, tmp_path: Path, url: str, result: str, expected: str
) -> None:
    reply = tmp_path / "runner-temp" / "reply"
    shutil.copytree(change_run.reply, reply)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH_COMMENT, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    env = {
        **change_run.runner,
        "PATH": f"{bin_dir}{os.pathsep}{change_run.runner['PATH']}",
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "FAKE_GH_LOG": str(tmp_path / "gh.log"),
        "FAKE_GH_BODY": str(tmp_path / "posted.md"),
        "PULL_REQUEST_URL": url,
        "PULL_REQUEST_RESULT": result,
    }
    step = scripts("comment")["Comment the problems, or the pull request's link"]
    finished = run_step(step, tmp_path, env)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    posted = (tmp_path / "posted.md").read_text(encoding="utf-8")
    assert posted.startswith("<!-- mqcat form reply -->") and "The proposal is a pull request" in posted
    assert expected in posted
    calls = (tmp_path / "gh.log").read_text(encoding="utf-8").splitlines()
    assert calls[0].startswith("issue comment 7 --edit-last") and calls[1].startswith("issue comment 7 --body-file")
