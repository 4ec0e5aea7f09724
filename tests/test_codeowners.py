"""`mqcat codeowners`: .github/CODEOWNERS follows catalogue/sectors.yaml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.review.codeowners import MAINTAINED_PATHS, read_registry, render

from .conftest import REPO_ROOT


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A folder with a copy of the shipped sector registry (all that CODEOWNERS is made from)."""
    (tmp_path / "catalogue").mkdir()
    shutil.copy(REPO_ROOT / "catalogue" / "sectors.yaml", tmp_path / "catalogue" / "sectors.yaml")
    return tmp_path


def _codeowners(repo: Path, *args: str) -> int:
    return main(["codeowners", "--catalogue", str(repo / "catalogue"), *args])


def _owners(text: str) -> dict[str, list[str]]:
    rules = [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {rule[0]: rule[1:] for rule in rules}


def test_each_sector_folder_is_owned_by_its_reviewers(repo: Path) -> None:
    registry = read_registry(repo / "catalogue" / "sectors.yaml")
    owners = _owners(render(registry))
    for sector in registry["sectors"]:
        assert owners[f"/catalogue/{sector['id']}/"] == sector["reviewers"]


@pytest.mark.parametrize(
    "path",
    [
        "/catalogue/sectors.yaml",
        "/catalogue/authorities.yaml",
        "/catalogue/providers/",
        "/schema/",
        "/generator/",
        "/.github/",
        "/mkdocs.yml",
        "/pyproject.toml",
    ],
)
def test_the_machinery_and_registries_are_owned_by_the_maintainers(repo: Path, path: str) -> None:
    registry = read_registry(repo / "catalogue" / "sectors.yaml")
    assert path in MAINTAINED_PATHS
    assert _owners(render(registry))[path] == registry["maintainers"]


def test_specific_rules_come_after_the_catch_all(repo: Path) -> None:
    # GitHub applies the last matching line: "*" first, or it would override everything.
    patterns = list(_owners(render(read_registry(repo / "catalogue" / "sectors.yaml"))))
    assert patterns[0] == "*"


def test_header_says_the_file_is_generated_and_how_to_regenerate(repo: Path) -> None:
    header = render(read_registry(repo / "catalogue" / "sectors.yaml")).split("\n\n")[0]
    assert "GENERATED" in header
    assert "`mqcat codeowners`" in header
    assert all(line.startswith("#") for line in header.splitlines())


def test_codeowners_writes_the_file(repo: Path) -> None:
    assert _codeowners(repo) == 0
    written = (repo / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert written == render(read_registry(repo / "catalogue" / "sectors.yaml"))


def test_check_passes_when_the_file_is_fresh(repo: Path) -> None:
    _codeowners(repo)
    assert _codeowners(repo, "--check") == 0


def test_check_fails_with_the_fix_when_the_registry_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _codeowners(repo)
    sectors_file = repo / "catalogue" / "sectors.yaml"
    registry = yaml.safe_load(sectors_file.read_text(encoding="utf-8"))
    registry["sectors"][0]["reviewers"].append("@mqcat/new-reviewers")
    sectors_file.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    capsys.readouterr()
    assert _codeowners(repo, "--check") == 1
    err = capsys.readouterr().err
    assert "run `mqcat codeowners`" in err
    assert "+/catalogue/" in err and "@mqcat/new-reviewers" in err  # the diff shows what would change


def test_check_fails_when_the_file_was_edited_by_hand(repo: Path) -> None:
    _codeowners(repo)
    target = repo / ".github" / "CODEOWNERS"
    target.write_text(target.read_text(encoding="utf-8") + "/docs/ @someone\n", encoding="utf-8")
    assert _codeowners(repo, "--check") == 1


def test_check_fails_when_the_file_is_missing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _codeowners(repo, "--check") == 1
    assert "is missing" in capsys.readouterr().err
    assert not (repo / ".github" / "CODEOWNERS").exists()


def test_an_invalid_registry_is_refused_without_writing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sectors_file = repo / "catalogue" / "sectors.yaml"
    sectors_file.write_text(
        re.sub(r'"@mqcat/maintainers"', '"not a handle"', sectors_file.read_text(encoding="utf-8")), encoding="utf-8"
    )
    assert _codeowners(repo) == 2
    assert "catalogue/sectors.yaml" in capsys.readouterr().err
    assert not (repo / ".github" / "CODEOWNERS").exists()


def test_the_committed_codeowners_is_up_to_date() -> None:
    committed = REPO_ROOT / ".github" / "CODEOWNERS"
    assert committed.read_text(encoding="utf-8") == render(read_registry(REPO_ROOT / "catalogue" / "sectors.yaml")), (
        "run `mqcat codeowners` and commit .github/CODEOWNERS"
    )
