"""Incremental builds (`mqcat serve`, `mqcat build --incremental`) leave the site a full build makes.

Each test builds a real catalogue repository in full, edits it as a provider or a
council would, builds again incrementally (real MkDocs), builds the edited
catalogue in full elsewhere, and compares the two sites file by file. The full
build of a catalogue state (the repository's files and its commit) is made once
per test run: several tests reach the same state.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalogue import CatalogueInvalid
from generator.model import MicroQualification
from generator.site import compile as compile_module
from generator.site import views
from generator.site.build import build
from generator.site.incremental import Builder, DataJob, Settings

from .conftest import REPO_ROOT, SITE_URL, TODAY, made_once
from .git_support import catalogue_repository, git

TRANSPORT = Path("catalogue") / "transport-logistics"


def _repository(root: Path) -> Path:
    repo = catalogue_repository(root)
    shutil.copy2(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    return repo


def _builder(repo: Path, work: Path, *, persist: bool = False) -> Builder:
    return Builder(Settings(repo, work / "site", work / "site-src", site_url=SITE_URL, today=TODAY), persist=persist)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _state(repo: Path) -> str:
    """A digest of what a full build of `repo` reads: its commit (the history) and its files.

    Not .git (the commit stands for it) nor build/, where `mqcat build` writes its source tree.
    """
    digest = hashlib.sha256(git(repo, "rev-parse", "HEAD").encode("ascii"))
    for path in sorted(repo.rglob("*")):
        if path.is_file() and path.relative_to(repo).parts[0] not in {".git", "build"}:
            digest.update(path.relative_to(repo).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def assert_same_site(incremental: Path, repo: Path, factory: pytest.TempPathFactory, tag: str = "") -> None:
    """The incremental site holds exactly the files, with exactly the bytes, of a full build of `repo`.

    `tag` names what the test changed beside the catalogue (a setting), so that builds of the same state
    with other settings are not taken for each other.
    """

    def full_build(work: Path) -> None:
        build(repo, work / "site", site_url=SITE_URL, today=TODAY, source_dir=work / "site-src")

    full = made_once(factory, f"full-{tag}{_state(repo)[:16]}", full_build)
    ours, theirs = _files(incremental), _files(full / "site")
    assert sorted(set(ours) - set(theirs)) == [], "files a full build does not write"
    assert sorted(set(theirs) - set(ours)) == [], "files the incremental build lacks"
    assert [name for name in theirs if ours[name] != theirs[name]] == [], "files with other bytes"


def _title(repo: Path) -> None:
    _replace(repo / TRANSPORT / "forklift-safe-operation.yaml", 'lv: "Droša iekrāvēja', 'lv: "Jauna droša iekrāvēja')


def _stacks_into(repo: Path) -> None:
    _replace(
        repo / TRANSPORT / "warehouse-order-picking-and-dispatch.yaml",
        "stacks_into:\n    - warehouse-operations",
        "stacks_into:\n    - forklift-safe-operation",
    )


def _suspended(repo: Path) -> None:
    path = repo / TRANSPORT / "forklift-safe-operation.yaml"
    _replace(path, "status: active\n", "status: suspended\n")
    path.write_text(
        path.read_text(encoding="utf-8") + 'status_reason:\n  lv: "Nav pasniedzēja."\n  en: "No trainer."\n',
        encoding="utf-8",
    )


def _new_entry(repo: Path) -> None:
    text = (repo / TRANSPORT / "forklift-safe-operation.yaml").read_text(encoding="utf-8")
    text = text.replace("id: forklift-safe-operation", "id: forklift-night-shifts", 1)
    text = text.replace('lv: "Droša iekrāvēja', 'lv: "Nakts maiņu iekrāvēja', 1)
    (repo / TRANSPORT / "forklift-night-shifts.yaml").write_text(text, encoding="utf-8")


def _deleted_entry(repo: Path) -> None:
    (repo / TRANSPORT / "tachograph-driving-time-rules.yaml").unlink()


def _provider_name(repo: Path) -> None:
    _replace(
        repo / "catalogue" / "providers" / "example-riga-logistics-academy.yaml",
        'en: "Example Riga Logistics Academy"',
        'en: "Example Riga Academy of Logistics"',
    )


def _level(repo: Path) -> None:
    # A new level is a change of substance: a new version.
    path = repo / TRANSPORT / "adr-dangerous-goods-route-planning.yaml"
    _replace(path, "version: 2\n", "version: 3\n")
    _replace(path, "lki: 4\n  eqf: 4\n", "lki: 5\n  eqf: 5\n")


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("an entry's title", _title),
    ("an entry's stacks_into target", _stacks_into),
    ("an entry suspended", _suspended),
    ("a new entry", _new_entry),
    ("a deleted entry", _deleted_entry),
    ("a provider's name", _provider_name),
    ("an entry's level", _level),
]


def test_after_each_edit_an_incremental_build_leaves_the_site_a_full_build_makes(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lists on pages of 4 cards (50 on the site): the sample's lists then span pages, and an entry
    # added, removed, renamed or moved to another level moves the cards after it between pages.
    monkeypatch.setattr(compile_module, "LISTING_SIZE", 4)
    repo = _repository(tmp_path / "repo")
    builder = _builder(repo, tmp_path)
    assert builder.build().full
    assert (tmp_path / "site" / "transport-logistics" / "page" / "2" / "index.html").is_file()
    builder.warm()  # as serve does: MkDocs' configuration and templates read before the first change
    for name, edit in EDITS:
        edit(repo)
        update = builder.build()
        assert not update.full, name
        assert update.pages > 0, name
        assert_same_site(tmp_path / "site", repo, tmp_path_factory, tag="pages-of-4")


def test_the_first_change_after_a_full_build_makes_only_the_cards_of_the_entries_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The full build keeps the cards it made; without them the first change made every card again.
    repo = _repository(tmp_path / "repo")
    builder = _builder(repo, tmp_path)
    assert builder.pages().full
    assert builder.state is not None
    before = builder.state.keys
    made: list[str] = []
    card = views.card

    def counted(entry: MicroQualification, *args: object, **kwargs: object) -> dict[str, object]:
        made.append(entry.id)
        return card(entry, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "card", counted)
    _title(repo)
    update = builder.pages()
    assert not update.full
    assert builder.state is not None
    changed = {entry_id for entry_id, key in builder.state.keys.items() if before.get(entry_id) != key}
    assert "forklift-safe-operation" in changed
    assert len(changed) < len(before) / 2
    assert sorted(made) == sorted([*changed, *changed])  # each in both languages, once


def test_a_changed_navigation_builds_in_full(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    repo = _repository(tmp_path / "repo")
    builder = _builder(repo, tmp_path)
    builder.build()
    _replace(repo / "catalogue" / "sectors.yaml", 'en: "Transport and logistics"', 'en: "Transport, logistics"')
    assert builder.build().full
    assert_same_site(tmp_path / "site", repo, tmp_path_factory)


def test_an_unchanged_catalogue_writes_no_page(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    builder = _builder(repo, tmp_path)
    builder.build()
    update = builder.build()
    assert not update.full
    assert update.pages == 0


def test_a_catalogue_error_keeps_the_site_and_the_next_build_stays_incremental(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = _repository(tmp_path / "repo")
    builder = _builder(repo, tmp_path)
    builder.build()
    before = _files(tmp_path / "site")
    path = repo / TRANSPORT / "forklift-safe-operation.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "titel: x\n", encoding="utf-8")
    with pytest.raises(CatalogueInvalid):
        builder.build()
    assert _files(tmp_path / "site") == before
    path.write_text(good, encoding="utf-8")
    _title(repo)
    assert not builder.build().full
    assert_same_site(tmp_path / "site", repo, tmp_path_factory)


def test_a_new_process_continues_from_the_state_on_disk(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = _repository(tmp_path / "repo")
    _builder(repo, tmp_path, persist=True).build()
    _title(repo)
    update = _builder(repo, tmp_path, persist=True).build()
    assert not update.full
    assert_same_site(tmp_path / "site", repo, tmp_path_factory)


def test_the_state_on_disk_of_other_settings_is_not_used(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    _builder(repo, tmp_path, persist=True).build()
    other = Builder(
        Settings(repo, tmp_path / "site", tmp_path / "site-src", site_url="https://other.example.org/", today=TODAY),
        persist=True,
    )
    assert other.build().full


def test_the_writers_in_the_background_complete_the_site_and_a_newer_change_stops_them(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # What `mqcat serve` does: the pages first, the open data in a child process.
    repo = _repository(tmp_path / "repo")
    builder = _builder(repo, tmp_path)
    builder.build()
    _title(repo)
    first = builder.pages().pending
    assert first is not None
    stopped = DataJob(first)
    stopped.start()
    stopped.cancel()
    _provider_name(repo)
    pending = builder.pages().pending
    assert pending is not None
    job = DataJob(pending)
    job.start()
    while (result := job.poll()) is None:
        time.sleep(0.1)
    assert result == ("done", [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "site", "site-src"]  # no folder left behind
    assert_same_site(tmp_path / "site", repo, tmp_path_factory)


def test_mqcat_build_incremental_continues_from_the_last_build(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = _repository(tmp_path / "repo")
    command = [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--incremental",
        "--site-dir",
        str(tmp_path / "site"),
        "--site-url",
        SITE_URL,
        "--today",
        TODAY.isoformat(),
        "--timings",
    ]
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    first = subprocess.run(command, cwd=repo, env=environment, capture_output=True, text=True, check=True)
    assert "compile the changed pages" not in first.stdout
    _title(repo)
    second = subprocess.run(command, cwd=repo, env=environment, capture_output=True, text=True, check=True)
    assert "compile the changed pages" in second.stdout  # the incremental path, not a full build
    assert_same_site(tmp_path / "site", repo, tmp_path_factory)
