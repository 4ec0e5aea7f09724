"""Running git: the one way the version history and the review tools read a repository.

Every command runs without the caller's GIT_* variables (a git hook sets GIT_DIR
and GIT_INDEX_FILE, which would point the command at the hook's repository, not
the one asked for), never prompts, and shows no signatures in logs, so that its
output is what the parsers expect.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitError(Exception):
    """A git command failed; the message says which and why."""


def _environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


class Repository:
    """A repository, or a folder inside one, to run git in."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """The finished git process, whatever its exit status; FileNotFoundError when git is not installed."""
        return subprocess.run(
            ["git", "-C", str(self.path), "-c", "log.showSignature=false", *args],
            env=_environment(),
            input=stdin,
            capture_output=True,
            check=False,
        )

    def output(self, *args: str, stdin: bytes | None = None) -> bytes:
        """The standard output of a git command; GitError, with git's last word, when it fails."""
        try:
            done = self.run(*args, stdin=stdin)
        except FileNotFoundError:
            raise GitError("git is not installed") from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {said[-1] if said else 'exit status ' + str(done.returncode)}")
        return done.stdout


def git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run a git command in `repo` and return its standard output (GitError when it fails)."""
    return Repository(repo).output(*args, stdin=stdin)
