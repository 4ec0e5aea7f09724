"""The catalogue's layout: one definition of which paths are catalogue files, for every tool.

Each test is the shipped catalogue with one path added or changed; anything
outside the layout is an error naming the path, and is never read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import layout, schemas
from generator.catalogue import validate
from generator.cli import main
from generator.problems import Problem

FORKLIFT = "transport-logistics/forklift-safe-operation.yaml"


def problems_at(catalogue_dir: Path, relative: str) -> list[Problem]:
    shown = f"catalogue/{relative}"
    return [p for p in validate(catalogue_dir).problems if p.file == shown]


def test_the_layout_names_are_the_schema_identifiers() -> None:
    identifier = schemas.schema("common.schema.json")["$defs"]["id"]
    assert f"^{layout.NAME.pattern}$".replace("(?:", "(") == identifier["pattern"]
    assert identifier["maxLength"] == layout.MAX_NAME


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("sectors.yaml", layout.Kind.SECTORS),
        ("authorities.yaml", layout.Kind.AUTHORITIES),
        ("providers/example-dairy-plant.yaml", layout.Kind.PROVIDER),
        (FORKLIFT, layout.Kind.ENTRY),
        (".notes.yaml", None),
        ("energy/.notes.yaml", None),
        (".hidden/x.yaml", None),
        ("energy/x.yml", None),
        ("energy/X.yaml", None),
        ("energy/abc\n.yaml", None),
        ("energy/sub/x.yaml", None),
        ("Energy/x.yaml", None),
        ("notes.yaml", None),
    ],
)
def test_kind_of_a_path_is_decided_by_the_layout_alone(relative: str, kind: layout.Kind | None) -> None:
    assert layout.kind_of(relative) is kind


def test_a_hidden_file_in_a_sector_folder_is_an_error_and_is_not_read(catalogue_copy: Path) -> None:
    # Not even valid YAML: were it read, the problem would be a syntax error.
    (catalogue_copy / "energy" / ".notes.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    [problem] = problems_at(catalogue_copy, "energy/.notes.yaml")
    assert problem.message == "not part of the catalogue layout: hidden file: no tool reads hidden files"
    assert validate(catalogue_copy).catalogue is None


def test_every_file_in_a_hidden_folder_is_named(catalogue_copy: Path) -> None:
    hidden = catalogue_copy / "energy" / ".drafts"
    hidden.mkdir()
    shutil.copy(catalogue_copy / FORKLIFT, hidden / "a.yaml")
    shutil.copy(catalogue_copy / FORKLIFT, hidden / "b.yaml")
    found = [p for p in validate(catalogue_copy).problems if ".drafts" in p.file]
    assert [p.file for p in found] == ["catalogue/energy/.drafts/a.yaml", "catalogue/energy/.drafts/b.yaml"]
    assert all("hidden folder energy/.drafts/" in p.message for p in found)


def test_a_symlink_to_a_valid_entry_outside_the_repository_is_refused(catalogue_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    shutil.move(catalogue_copy / FORKLIFT, outside)
    (catalogue_copy / FORKLIFT).symlink_to(outside)
    result = validate(catalogue_copy)
    [problem] = [p for p in result.problems if p.file == f"catalogue/{FORKLIFT}"]
    assert problem.message == "not part of the catalogue layout: it is a symbolic link; links are never followed"
    assert problem.hint == "commit the file itself, not a link to it"
    assert result.catalogue is None


def test_a_symlinked_sector_folder_is_refused_and_not_entered(catalogue_copy: Path, tmp_path: Path) -> None:
    shutil.move(catalogue_copy / "energy", tmp_path / "energy")
    (catalogue_copy / "energy").symlink_to(tmp_path / "energy", target_is_directory=True)
    result = validate(catalogue_copy)
    assert [p.file for p in result.problems if "energy" in p.file] == ["catalogue/energy"]
    assert "symbolic link" in result.problems[0].message or any("symbolic link" in p.message for p in result.problems)


def test_a_catalogue_folder_that_is_a_symlink_is_refused(tmp_path: Path, catalogue_copy: Path) -> None:
    real = tmp_path / "real"
    shutil.move(catalogue_copy, real)
    catalogue_copy.symlink_to(real, target_is_directory=True)
    result = validate(catalogue_copy)
    assert [(p.file, p.message) for p in result.problems] == [("catalogue", "the catalogue folder is a symbolic link")]


def test_a_named_pipe_is_refused_without_being_opened(catalogue_copy: Path) -> None:
    os.mkfifo(catalogue_copy / "energy" / "pipe.yaml")  # opening it would block for ever
    [problem] = problems_at(catalogue_copy, "energy/pipe.yaml")
    assert problem.message == "not part of the catalogue layout: it is not a regular file"


def test_a_file_git_ignores_is_skipped_with_a_note(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = catalogue_copy.parent
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / ".gitignore").write_text("*.swp\n", encoding="utf-8")
    (catalogue_copy / "energy" / ".solar-pv-installation.yaml.swp").write_bytes(b"\0binary swap")
    (catalogue_copy / "energy" / ".notes.yaml").write_text("x: 1\n", encoding="utf-8")
    result = validate(catalogue_copy)
    assert [p.file for p in result.problems] == ["catalogue/energy/.notes.yaml"]
    swap = "catalogue/energy/.solar-pv-installation.yaml.swp"
    assert result.notes == [f"note: {swap}: skipped, git ignores it (it is not part of the catalogue)"]
    assert main(["validate", "--catalogue", str(catalogue_copy)]) == 1
    err = capsys.readouterr().err
    assert "note: catalogue/energy/.solar-pv-installation.yaml.swp: skipped" in err


def test_folders_nested_deeper_than_the_recursion_limit_are_reported_not_a_crash(catalogue_copy: Path) -> None:
    folder = catalogue_copy / "energy"
    for _ in range(150):
        folder = folder / "d"
    folder.mkdir(parents=True)
    (folder / "x.yaml").write_text("x: 1\n", encoding="utf-8")
    # A low limit stands for a tree thousands deep (which pytest's own clean-up could not remove).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        listing = layout.scan(catalogue_copy)
    finally:
        sys.setrecursionlimit(limit)
    found = [p for p in listing.problems if p.file.startswith("catalogue/energy/d/")]
    assert len(found) == 1 and found[0].file.endswith("/d/x.yaml")
    assert found[0].message == "not part of the catalogue layout: files lie at most one folder deep in catalogue/"


@pytest.mark.parametrize(
    ("mode", "path", "message"),
    [
        ("120000", f"catalogue/{FORKLIFT}", "it is a symbolic link; links are never followed"),
        ("160000", "catalogue/energy/sub", "it is a git submodule"),
        ("100644", "catalogue/energy/.notes.yaml", "hidden file: no tool reads hidden files"),
        ("100644", "catalogue/.x/y.yaml", "hidden folder .x/: no tool reads hidden files"),
        ("100644", "catalogue/energy/abc\n.yaml", "a file's name is its id"),
    ],
)
def test_a_git_tree_entry_outside_the_layout_is_an_error(mode: str, path: str, message: str) -> None:
    problem = layout.tree_problem(mode, path)
    assert problem is not None and problem.file == path
    assert problem.message.startswith(f"not part of the catalogue layout: {message}")


@pytest.mark.parametrize("mode", sorted(layout.REGULAR_MODES))
def test_a_regular_blob_at_a_layout_path_is_a_catalogue_file(mode: str) -> None:
    assert layout.tree_problem(mode, f"catalogue/{FORKLIFT}") is None
    assert layout.tree_problem(mode, "schema/common.schema.json") is None


def test_the_shipped_catalogue_is_all_layout() -> None:
    listing = layout.scan(Path(__file__).resolve().parent.parent / "catalogue")
    assert listing.problems == [] and listing.skipped == []
    assert {f.kind for f in listing.files} == set(layout.Kind)
    assert all(re.fullmatch(r"[a-z0-9-]+\.yaml", f.parts[-1]) for f in listing.files)
