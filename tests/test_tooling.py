"""The contributor tooling: pre-commit hooks, the Makefile, and the versions they pin.

The hooks pin exact tool versions (pre-commit needs them) while pyproject.toml
gives ranges; these tests keep the two in agreement, check that the hook offered to
other catalogues runs a real `mqcat` command that fails on a broken catalogue,
and that README names the Makefile's targets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from generator.cli import COMMANDS

from .conftest import CATALOGUE_DIR, REPO_ROOT

PRE_COMMIT_CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
PRE_COMMIT_HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"


def _pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + [line for extra in project["optional-dependencies"].values() for line in extra]
    return {(r := Requirement(line)).name.lower(): r for line in lines}


def _hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load(PRE_COMMIT_CONFIG.read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_every_tool_a_hook_pins_is_within_the_range_of_pyproject() -> None:
    wanted = _pyproject_requirements()
    pins = [Requirement(str(d)) for hook in _hooks() for d in hook.get("additional_dependencies", [])]
    assert pins, "the hooks pin no tool"
    for pin in pins:
        [version] = [spec.version for spec in pin.specifier if spec.operator == "=="]
        assert pin.name.lower() in wanted, f"{pin} is not a dependency in pyproject.toml"
        assert wanted[pin.name.lower()].specifier.contains(version), f"{pin} is outside {wanted[pin.name.lower()]}"


def test_the_contributor_hooks_cover_lint_catalogue_schemas_and_workflows() -> None:
    entries = {str(hook["id"]): str(hook["entry"]) for hook in _hooks()}
    assert entries["ruff-check"].startswith("ruff check")
    assert entries["ruff-format"].startswith("ruff format --check")
    assert entries["mqcat-validate"] == "python3 -m generator validate"
    assert "--check-metaschema" in entries["json-schemas"]
    assert "vendor.github-workflows" in entries["github-workflows"]
    assert {"actionlint", "zizmor"} <= {entry.split()[0] for entry in entries.values()}


@pytest.fixture()
def offered_hook() -> dict[str, object]:
    [hook] = yaml.safe_load(PRE_COMMIT_HOOKS.read_text(encoding="utf-8"))
    return hook


def test_the_offered_hook_runs_mqcat_validate_on_catalogue_changes(offered_hook: dict[str, object]) -> None:
    assert offered_hook["id"] == "mqcat-validate"
    assert offered_hook["language"] == "python"  # pre-commit installs mqcat from the hook's repository
    script, command = str(offered_hook["entry"]).split()
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert script in scripts and command in COMMANDS
    files = re.compile(str(offered_hook["files"]))
    assert files.search("catalogue/energy/solar-pv-installation.yaml")
    assert files.search("catalogue/providers/example.yaml")
    assert not files.search("generator/cli.py")
    # Cross-file rules need every file: the hook checks the whole catalogue, not the changed files.
    assert offered_hook["pass_filenames"] is False


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "broken"])
def test_the_offered_hook_fails_exactly_when_the_catalogue_is_broken(
    offered_hook: dict[str, object], tmp_path: Path, broken: bool
) -> None:
    shutil.copytree(CATALOGUE_DIR, tmp_path / "catalogue")
    if broken:
        entry = next((tmp_path / "catalogue").glob("*/*.yaml"))
        entry.write_text(entry.read_text(encoding="utf-8").replace("version:", "versoin:", 1), encoding="utf-8")
    _, command = str(offered_hook["entry"]).split()
    # As pre-commit runs it: from the catalogue repository's root, without file names.
    done = subprocess.run(
        [sys.executable, "-m", "generator", command], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == (1 if broken else 0), done.stdout + done.stderr
    assert ("unknown field 'versoin'" in done.stdout) is broken


def test_readme_names_the_make_targets_that_exist() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    named = set(re.findall(r"`make ([a-z-]+)`", (REPO_ROOT / "README.md").read_text(encoding="utf-8")))
    assert {"test-fast", "test", "lint", "typecheck", "bench"} <= named
    assert named <= targets, f"README names targets the Makefile lacks: {named - targets}"


def test_the_changelog_names_every_published_format_version() -> None:
    from generator.opendata import FORMAT
    from generator.versions import MANIFEST_FORMAT

    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for published in (FORMAT, MANIFEST_FORMAT):
        row = re.search(rf"^\|.*\| `{published['name']}` \| (?P<version>[^ |]+) \|$", changelog, re.MULTILINE)
        assert row, f"CHANGELOG.md has no row for {published['name']}"
        assert row["version"] == published["version"], f"{published['name']} is {published['version']} now"
