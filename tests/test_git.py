"""generator/git.py: the one way mqcat runs git, on real temporary repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.git import GitError, Repository, git

from .git_support import commit
from .git_support import git as setup_git


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("x\n", encoding="utf-8")
    setup_git(root, "init", "-q", "-b", "main")
    commit(root, "start")
    return root


def test_the_callers_git_variables_do_not_redirect_the_command(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A git hook runs with GIT_DIR and GIT_INDEX_FILE of its own repository.
    other = tmp_path / "other"
    other.mkdir()
    setup_git(other, "init", "-q", "-b", "main")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert git(repo, "rev-parse", "--show-toplevel").decode().strip() == str(repo.resolve())
    assert git(repo, "ls-files").decode().split() == ["README.md"]


def test_a_failing_command_says_which_and_why(repo: Path) -> None:
    with pytest.raises(GitError, match=r"^git rev-parse failed: fatal: Needed a single revision$"):
        git(repo, "rev-parse", "--verify", "no-such-revision^{commit}")


def test_run_returns_the_process_whatever_its_status(repo: Path) -> None:
    done = Repository(repo).run("rev-parse", "--verify", "--quiet", "no-such-revision")
    assert done.returncode != 0 and done.stdout == b""


def test_without_git_on_the_path_the_error_says_so(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo))
    with pytest.raises(GitError, match="git is not installed"):
        git(repo, "status")
