"""README's two quick-start commands, taken from README.md and run as written in a fresh clone.

The commands create their own virtual environment (a distribution's Python
refuses system-wide `pip install`, PEP 668), so the test runs them in a
temporary clone with the Python found on PATH, installing from whatever package
index pip is configured with. `apt-get` is the one program replaced: a test has
no network for `apt-get update` and must not change the machine's packages, so a
stand-in records what it was asked to install (the packages are on this
machine already: the browser tests use its Chromium).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def quick_start() -> list[str]:
    """The commands of README's quick-start block, verbatim, in order."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Quick start") :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "README's quick start has no ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_has_two_quick_start_commands_that_make_their_own_virtual_environment() -> None:
    build, test = quick_start()
    for command in (build, test):
        assert "python3 -m venv .venv" in command
        assert "python3 -m pip install" not in command, "system-wide pip install fails under PEP 668"
    assert build.endswith(".venv/bin/mqcat build")
    assert "apt-get update && apt-get install" in test and "chromium git shellcheck python3-venv" in test


def test_ci_runs_readmes_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, test = quick_start()
    assert test in ci.splitlines()


def test_contributing_installs_as_readme_does() -> None:
    text = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -e ." in text


@pytest.mark.parametrize("guide", ["CONTRIBUTING.md", "docs/reviewers-guide.md"])
def test_guides_install_into_a_virtual_environment_they_create(guide: str) -> None:
    # The reviewers' guide installs mqcat from main into a virtual environment of its own (never the
    # pull request's code): the same method as README's, at another place.
    text = (REPO_ROOT / guide).read_text(encoding="utf-8")
    assert "python3 -m venv " in text
    assert not re.search(r"^\s*(sudo )?(python3? -m )?pip3? install", text, re.MULTILINE), "a system-wide install"


def _index_reachable(tmp_path: Path) -> bool:
    """Whether pip can fetch a package at all (a configured local index counts)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(tmp_path), "pyyaml"],
        capture_output=True,
        timeout=300,
        check=False,
    )
    return done.returncode == 0


@pytest.mark.install
def test_readme_commands_work_verbatim_in_a_fresh_clone(tmp_path: Path) -> None:
    if not _index_reachable(tmp_path / "probe"):
        pytest.skip("no package index is reachable: the quick start cannot install mqcat here")
    build, test = quick_start()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    log = tmp_path / "apt-get.log"
    (stand_in / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n', encoding="utf-8")
    (stand_in / "apt-get").chmod(0o755)
    # A stock Debian/Ubuntu shell: the distribution's programs only (its python3, not one a developer added),
    # and none of the caller's virtual environment or git variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV", "PYTHON", "PYENV"))}
    env["PATH"] = os.pathsep.join([str(stand_in), *SYSTEM_PATH])

    done = subprocess.run(["bash", "-c", build], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (clone / "site" / "index.html").is_file()
    assert "Built " in done.stdout
    python = subprocess.run(
        [str(clone / ".venv/bin/python"), "-c", "import sys; print(sys.base_prefix)"], capture_output=True, text=True
    )
    if Path("/usr/bin/python3").exists():
        assert python.stdout.strip() == "/usr", "the virtual environment is not the distribution's Python"
    # What the commands create stays out of git: the clone shows no change.
    assert subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True).stdout == ""

    # The full suite would run this test again: the test command runs one small module here.
    env["PYTEST_ADDOPTS"] = "-p no:cacheprovider -q tests/test_loader.py"
    done = subprocess.run(["bash", "-c", test], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"\d+ passed", done.stdout)
    assert log.read_text(encoding="utf-8").splitlines() == [
        "update",
        "install -y --no-install-recommends chromium git shellcheck python3-venv",
    ]
