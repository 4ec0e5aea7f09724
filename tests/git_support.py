"""Real git repositories in temporary folders, for the tests of versions and review reports.

One helper for every test that runs git: the caller's GIT_* variables are cleared
(a test started from a git hook must not touch the outer repository), the author
is fixed and commits are unsigned, and every commit has a fixed date unless the
test gives one, so that histories are reproducible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .conftest import CATALOGUE_DIR, REPO_ROOT

FIRST_DAY = "2026-01-10T12:00:00+02:00"


def git(repo: Path, *args: str, date: str = FIRST_DAY) -> str:
    """Run git in `repo`; its standard output without surrounding white space."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    process = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return process.stdout.strip()


def commit(repo: Path, message: str = "change", date: str = FIRST_DAY) -> str:
    """Stage everything and commit it; the new commit's id."""
    git(repo, "add", "-A", date=date)
    git(repo, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


def catalogue_repository(root: Path, message: str = "Catalogue") -> Path:
    """A new repository at `root` holding the shipped catalogue/ and schema/, committed once on `main`."""
    root.mkdir()
    shutil.copytree(CATALOGUE_DIR, root / "catalogue")
    shutil.copytree(REPO_ROOT / "schema", root / "schema")
    git(root, "init", "-q", "-b", "main")
    commit(root, message)
    return root
