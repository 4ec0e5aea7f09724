"""Regression corpus: a hostile pull request cannot publish, hide or break anything (issue 11).

Each attack is made on a real git repository in a temporary folder, the way a
pull request would make it, and `mqcat validate`, `mqcat diff` and `mqcat
build` run on it as the workflows run them, in a separate process. Each test
asserts the exit status, the message (naming the path) and that nothing was
published.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from generator.catalogue import load_catalogue
from generator.context import BuildContext
from generator.versions import read_history, write_versions

from .conftest import REPO_ROOT, SITE_URL, TODAY
from .git_support import catalogue_repository, commit, git

FORKLIFT = "catalogue/transport-logistics/forklift-safe-operation.yaml"


def mqcat(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run this checkout's mqcat in `repo`, as a workflow step does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """The shipped catalogue committed on main, with a pull-request branch `pr` checked out."""
    root = catalogue_repository(tmp_path / "repo")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    commit(root, "site settings")
    git(root, "switch", "-q", "-c", "pr")
    return root


def forklift(repo: Path) -> dict:
    return yaml.safe_load((repo / FORKLIFT).read_text(encoding="utf-8"))


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stdout + done.stderr, done.stderr


def assert_refused_everywhere(repo: Path, path: str, words: str) -> str:
    """validate, diff and build all fail naming `path`, and no site is written; the diff's report."""
    validate = mqcat(repo, "validate")
    assert validate.returncode == 1 and f"{path}:" in validate.stdout and words in validate.stdout, validate.stdout
    diff = mqcat(repo, "diff", "main", "pr")
    assert diff.returncode == 1, diff.stdout
    assert path.replace("\n", "\\n") in diff.stdout or path in diff.stdout, diff.stdout
    build = mqcat(repo, "build", "--site-dir", "site")
    assert build.returncode == 1 and f"{path}:" in build.stderr and words in build.stderr, build.stderr
    assert not (repo / "site").exists()
    assert not list(repo.glob(".site-*")) and not list((repo / "build").glob(".site-src-*"))
    for done in (validate, diff, build):
        no_traceback(done)
    return diff.stdout


# --- files that no tool reads ------------------------------------------------------------


def test_a_hidden_file_in_a_sector_folder_is_refused_by_validate_diff_and_build(repo: Path) -> None:
    data = forklift(repo)
    data.update(version=2, title={"lv": "Uzbrucēja teksts", "en": "The attacker's text"})
    hidden = repo / "catalogue" / "energy" / ".notes.yaml"
    hidden.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    commit(repo, "notes")
    hidden_file = "catalogue/energy/.notes.yaml"
    report = assert_refused_everywhere(repo, hidden_file, "not part of the catalogue layout: hidden file")
    assert "No changes to the catalogue" not in report
    assert "outside the catalogue layout" in report


def test_a_hidden_file_merged_anyway_never_becomes_a_published_version(repo: Path) -> None:
    data = forklift(repo)
    data.update(version=2, title={"lv": "Uzbrucēja teksts", "en": "The attacker's text"})
    (repo / "catalogue" / "energy" / ".notes.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    commit(repo, "notes")
    history = read_history(repo)
    assert (data["id"], 2) not in history.versions
    assert history.versions[(data["id"], 1)].data["title"] == forklift(repo)["title"]


def test_an_entry_file_in_another_sectors_folder_never_becomes_a_published_version(repo: Path) -> None:
    data = forklift(repo)
    data.update(version=2, title={"lv": "Uzbrucēja teksts", "en": "The attacker's text"})
    (repo / "catalogue" / "energy" / "forklift-safe-operation.yaml").write_text(yaml.safe_dump(data), "utf-8")
    commit(repo, "the same id in another sector")
    assert mqcat(repo, "validate").returncode == 1
    history = read_history(repo)
    assert (data["id"], 2) not in history.versions
    assert any("differs from the folder" in w.message for w in history.warnings)


def test_a_reviewer_runs_main_s_mqcat_against_the_pull_request_with_repo(repo: Path, tmp_path: Path) -> None:
    (repo / "catalogue" / "energy" / ".notes.yaml").write_text("x: 1\n", encoding="utf-8")
    commit(repo, "notes")
    # From outside the checkout: nothing of the pull request is imported or run.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    diff = mqcat(outside, "diff", "--repo", str(repo), "main", "pr")
    assert diff.returncode == 1
    assert "`catalogue/energy/.notes.yaml`" in diff.stdout and "outside the catalogue layout" in diff.stdout


def test_a_symlink_to_a_valid_entry_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    data = forklift(repo)
    data.update(id="linked-entry", sector="energy")
    outside.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (repo / "catalogue" / "energy" / "linked-entry.yaml").symlink_to(outside)
    commit(repo, "a link")
    assert_refused_everywhere(repo, "catalogue/energy/linked-entry.yaml", "symbolic link")


def test_a_symlink_in_the_history_of_main_refuses_the_build(repo: Path) -> None:
    entry = repo / FORKLIFT
    real = repo / "forklift.yaml"
    shutil.move(entry, real)
    entry.symlink_to(os.path.relpath(real, entry.parent))
    commit(repo, "link")
    entry.unlink()
    shutil.move(real, entry)
    commit(repo, "the file again")
    build = mqcat(repo, "build", "--site-dir", "site")
    assert build.returncode == 1
    assert f"{FORKLIFT}:1:1: error: in commit " in build.stderr
    assert "of the history: not part of the catalogue layout: it is a symbolic link" in build.stderr
    assert not (repo / "site").exists()
    no_traceback(build)


# --- texts that pass for something else ----------------------------------------------------


def test_an_id_with_a_trailing_newline_is_refused(repo: Path) -> None:
    data = forklift(repo)
    data["id"] = "forklift-safe-operation\n"
    (repo / FORKLIFT).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    commit(repo, "newline id")
    assert_refused_everywhere(repo, FORKLIFT, "id: 'forklift-safe-operation\\n' is not in the expected form")


def test_a_file_named_with_a_newline_is_outside_the_layout(repo: Path) -> None:
    data = forklift(repo)
    data.update(id="abc\n", sector="energy")
    (repo / "catalogue" / "energy" / "abc\n.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    commit(repo, "newline name")
    validate = mqcat(repo, "validate")
    assert validate.returncode == 1
    assert "catalogue/energy/abc\\n.yaml:1:1: error: not part of the catalogue layout" in validate.stdout
    no_traceback(validate)


def test_a_noncharacter_in_a_text_is_refused_with_its_name(repo: Path) -> None:
    text = (repo / FORKLIFT).read_text(encoding="utf-8")
    (repo / FORKLIFT).write_text(text.replace('en: "Safe forklift', 'en: "Safe\\uFFFE forklift', 1), "utf-8")
    commit(repo, "U+FFFE")
    assert_refused_everywhere(repo, FORKLIFT, "U+FFFE (noncharacter)")


# --- inputs that used to crash --------------------------------------------------------------


def test_deep_nesting_is_one_error_in_validate_diff_and_build(repo: Path) -> None:
    path = repo / FORKLIFT
    path.write_text(path.read_text(encoding="utf-8") + "extra: " + "[" * 800 + "]" * 800 + "\n", encoding="utf-8")
    commit(repo, "deep")
    assert_refused_everywhere(repo, FORKLIFT, "nested more than 32 levels deep")


def test_deep_nesting_once_in_history_does_not_break_later_builds(repo: Path) -> None:
    hidden = repo / "catalogue" / "energy" / "deep-entry.yaml"
    hidden.write_text("id: " + "[" * 900 + "]" * 900 + "\n", encoding="utf-8")
    commit(repo, "deep")
    hidden.unlink()
    commit(repo, "gone")
    history = read_history(repo)
    assert any("nested more than 32 levels deep" in w.message for w in history.warnings)
    assert mqcat(repo, "validate").returncode == 0


# --- published versions cannot be rewritten ---------------------------------------------------


def test_rewriting_main_history_is_refused_against_the_published_versions(repo: Path, tmp_path: Path) -> None:
    git(repo, "switch", "-q", "main")
    published = tmp_path / "published"
    context = BuildContext(site_url=SITE_URL, today=TODAY)
    write_versions(load_catalogue(repo / "catalogue"), published, context, repo)
    versions_json = published / "api" / "v1" / "versions.json"
    assert json.loads(versions_json.read_text(encoding="utf-8"))["entries"]["forklift-safe-operation"]
    # Rewrite history from its first commit: the same version 1 with another text (as a force push would).
    git(repo, "checkout", "-q", "--orphan", "rewritten")  # keeps the files, drops the history
    data = forklift(repo)
    data["title"]["en"] = "Rewritten title"
    (repo / FORKLIFT).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    commit(repo, "rewritten history")
    build = mqcat(repo, "build", "--site-dir", "site", "--published-versions", str(versions_json))
    assert build.returncode == 1, build.stderr
    assert f"{FORKLIFT}:1:1: error: version: version 1 of 'forklift-safe-operation' is published as sha256-" in (
        build.stderr
    )
    assert "a published version would change; nothing was written" in build.stderr
    assert not (repo / "site").exists()
    no_traceback(build)


def test_a_published_version_missing_from_the_build_is_refused(repo: Path, tmp_path: Path) -> None:
    manifest = {
        "format": {"name": "mqcat-versions", "version": "1.0"},
        "entries": {"gone-entry": {"versions": [{"version": 3, "digestSRI": "sha256-AAAA"}]}},
    }
    path = tmp_path / "versions.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    build = mqcat(repo, "build", "--site-dir", "site", "--published-versions", str(path))
    assert build.returncode == 1
    assert "version 3 of 'gone-entry' is published (sha256-AAAA) but missing from this build" in build.stderr
    assert not (repo / "site").exists()


def test_an_unreadable_published_versions_source_is_one_line(repo: Path, tmp_path: Path) -> None:
    build = mqcat(repo, "build", "--published-versions", str(tmp_path / "none.json"))
    assert build.returncode == 1
    assert build.stderr.strip().startswith("mqcat build: cannot read the published versions:")
    assert len(build.stderr.strip().splitlines()) == 1
    build = mqcat(repo, "build", "--published-versions", "http://example.org/versions.json")
    assert "only a file or an https:// address" in build.stderr


# --- the build's own robustness -----------------------------------------------------------------


def test_an_unwritable_output_folder_is_a_one_line_error_and_leaves_nothing(repo: Path) -> None:
    build = mqcat(repo, "build", "--site-dir", "/sys/mqcat-site")
    assert build.returncode == 1
    assert build.stderr.startswith("mqcat build: cannot write ")
    assert len(build.stderr.strip().splitlines()) == 1, build.stderr
    assert not list((repo / "build").glob(".site-src-*"))


def _signals_as_in_a_terminal() -> None:
    """In the build's process before it starts: SIGINT and SIGTERM as a terminal's job has them.

    A command a non-interactive shell starts in the background (`pytest ... &`) begins with
    SIGINT ignored, and a child inherits that: the build would never see the Ctrl+C sent here.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


@pytest.mark.parametrize(("name", "status"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_during_the_build_leaves_nothing_behind_and_keeps_the_previous_site(
    repo: Path, name: str, status: int
) -> None:
    site = repo / "site"
    site.mkdir()
    (site / "index.html").write_text("previous site", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--site-dir", "site"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl+C or a CI runner would signal
        preexec_fn=_signals_as_in_a_terminal,
    )
    deadline = time.monotonic() + 120
    # Wait until the build writes into its temporary folders (MkDocs is running by then).
    while not list(repo.glob(".site-*.data/*")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the build ended before it could be interrupted"
    os.killpg(process.pid, getattr(signal, name))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == status, stderr
    assert f"stopped by {name}; nothing was written, the previous site stays" in stderr
    assert "Traceback" not in stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "previous site"
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith(".site")) == []
    assert not list((repo / "build").glob(".site-src-*"))


def test_the_site_is_written_with_ordinary_permissions(built_site: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    assert umask == 0o022, "this test assumes the usual umask"
    modes = {(path.is_dir(), path.stat().st_mode & 0o777) for path in [built_site, *built_site.rglob("*")]}
    assert modes == {(True, 0o755), (False, 0o644)}


def test_the_publish_workflow_compares_with_the_published_versions() -> None:
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    [step] = [s for s in workflow["jobs"]["build"]["steps"] if "mqcat build" in s.get("run", "")]
    assert step["env"]["PUBLISHED_VERSIONS"] == "${{ vars.PUBLISHED_VERSIONS_URL }}"
    assert '--published-versions "$PUBLISHED_VERSIONS"' in step["run"]
    # An unset variable fails the job instead of silently skipping the comparison.
    assert ': "${PUBLISHED_VERSIONS:?' in step["run"]
    guide = (REPO_ROOT / "docs" / "reviewers-guide.md").read_text(encoding="utf-8")
    assert "PUBLISHED_VERSIONS_URL" in guide and "no force pushes" in guide


# --- changes that reach another sector ------------------------------------------------------------


def test_stacking_into_another_sectors_entry_names_both_councils(repo: Path) -> None:
    path = repo / "catalogue" / "electronics-ict" / "sql-data-querying.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    - data-analytics-foundations", "    - warehouse-operations", 1), "utf-8")
    commit(repo, "stack into a transport entry")
    diff = mqcat(repo, "diff", "main", "pr")
    no_traceback(diff)
    report = diff.stdout
    who = report[report.index("### Who approves") :].split("\n### ")[0]
    registry = yaml.safe_load((repo / "catalogue" / "sectors.yaml").read_text(encoding="utf-8"))
    reviewers = {s["id"]: s["reviewers"] for s in registry["sectors"]}
    for sector in ("electronics-ict", "transport-logistics"):
        assert f"`{sector}`" in who, who
        assert all(f"`{r}`" in who for r in reviewers[sector]), who
    assert "'sql-data-querying' now stacks into 'warehouse-operations'" in who
    assert (
        "'sql-data-querying' (electronics-ict) now stacks into 'warehouse-operations' of sector 'transport-logistics'"
    ) in report
    assert "no longer stacks into 'data-analytics-foundations'" not in who  # same sector: no one else to ask
