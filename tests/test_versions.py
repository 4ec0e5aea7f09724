"""Immutable published versions, read from a real git repository made in a temporary folder.

Each test commits a copy of the sample catalogue, changes an entry the way a
pull request would, commits again and checks what `write_versions` publishes or
refuses.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalogue import load_catalogue
from generator.context import BuildContext
from generator.problems import Problem, Severity
from generator.versions import VersionsRefused, last_changed, write_versions

from .conftest import API, CATALOGUE_DIR, SITE_URL, TODAY
from .git_support import catalogue_repository, commit, git


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of the sample catalogue, committed once."""
    return catalogue_repository(tmp_path / "repo")


@pytest.fixture()
def entry_id(repo: Path) -> str:
    """An active entry of the sample catalogue, at version 1."""
    catalogue = load_catalogue(repo / "catalogue")
    return sorted(e.id for e in catalogue.entries.values() if e.status == "active" and e.version == 1)[0]


def entry_file(repo: Path, entry_id: str) -> Path:
    [path] = (repo / "catalogue").glob(f"*/{entry_id}.yaml")
    return path


def edit(repo: Path, entry_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = entry_file(repo, entry_id)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def new_outcome(data: dict[str, Any]) -> None:
    data["learning_outcomes"][0]["text"]["en"] += " Also under supervision."


def raise_version(data: dict[str, Any]) -> None:
    data["version"] += 1


def publish(repo: Path, site: Path) -> list[Problem]:
    catalogue = load_catalogue(repo / "catalogue")
    return write_versions(catalogue, site, BuildContext(SITE_URL, TODAY), repo)


def version_file(site: Path, entry_id: str, version: int) -> Path:
    return site / API / "entries" / entry_id / f"v{version}.json"


def manifest(site: Path) -> dict[str, Any]:
    return json.loads((site / API / "versions.json").read_text(encoding="utf-8"))


def test_every_published_version_is_written_and_never_changes(repo: Path, entry_id: str, tmp_path: Path) -> None:
    publish(repo, tmp_path / "first")
    before = version_file(tmp_path / "first", entry_id, 1).read_bytes()
    edit(repo, entry_id, lambda d: (new_outcome(d), raise_version(d)))
    commit(repo, "Version 2", "2026-03-05T12:00:00+02:00")

    publish(repo, tmp_path / "second")
    assert version_file(tmp_path / "second", entry_id, 1).read_bytes() == before
    second = json.loads(version_file(tmp_path / "second", entry_id, 2).read_bytes())
    assert second["version"] == 2
    assert second["entry"]["learning_outcomes"][0]["text"]["en"].endswith("Also under supervision.")
    listed = manifest(tmp_path / "second")["entries"][entry_id]
    assert [v["version"] for v in listed["versions"]] == [1, 2]
    assert [v["published"] for v in listed["versions"]] == ["2026-01-10", "2026-03-05"]
    assert listed["current_version"] == 2


def test_manifest_digests_are_the_sri_of_the_exact_bytes(repo: Path, entry_id: str, tmp_path: Path) -> None:
    edit(repo, entry_id, lambda d: (new_outcome(d), raise_version(d)))
    commit(repo, "Version 2")
    publish(repo, tmp_path)
    entries = manifest(tmp_path)["entries"]
    assert len(entries[entry_id]["versions"]) == 2
    for record in entries.values():
        for version in record["versions"]:
            content = (tmp_path / version["url"].removeprefix(SITE_URL)).read_bytes()
            digest = base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")
            assert version["digestSRI"] == f"sha256-{digest}"
            assert version["mediaType"] == "application/json"


def test_the_manifest_written_an_entry_at_a_time_is_one_canonical_document(
    repo: Path, entry_id: str, tmp_path: Path
) -> None:
    edit(repo, entry_id, lambda d: (new_outcome(d), raise_version(d)))
    commit(repo, "Version 2")
    publish(repo, tmp_path)
    written = (tmp_path / API / "versions.json").read_bytes()
    document = json.loads(written)
    assert list(document) == ["entries", "format", "generated", "site"]
    assert written == (json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def test_versioned_file_is_the_canonical_source_document(repo: Path, entry_id: str, tmp_path: Path) -> None:
    publish(repo, tmp_path)
    entry = load_catalogue(repo / "catalogue").entries[entry_id]
    expected = json.dumps(
        {"entry": entry.data, "id": entry_id, "version": 1}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
    assert version_file(tmp_path, entry_id, 1).read_bytes() == expected


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "working-tree"])
def test_changed_substance_under_a_published_version_is_refused(
    repo: Path, entry_id: str, tmp_path: Path, committed: bool
) -> None:
    edit(repo, entry_id, new_outcome)
    if committed:
        commit(repo, "Outcome changed, version kept")
    with pytest.raises(VersionsRefused) as refused:
        publish(repo, tmp_path)
    [problem] = refused.value.problems
    path = entry_file(repo, entry_id)
    assert problem.file == path.relative_to(repo).as_posix()
    assert problem.field == "version"
    assert problem.severity is Severity.ERROR
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1].startswith("version:")
    assert "learning_outcomes" in problem.message
    assert "raise version to 2" in problem.hint


def test_practical_changes_and_withdrawal_keep_the_version_and_its_bytes(
    repo: Path, entry_id: str, tmp_path: Path
) -> None:
    publish(repo, tmp_path / "first")
    before = version_file(tmp_path / "first", entry_id, 1).read_bytes()

    def withdraw(data: dict[str, Any]) -> None:
        data["intakes"] = {"on_demand": True}
        data["status"] = "suspended"
        data["status_reason"] = {"lv": "Nav pasniedzēja.", "en": "No trainer available."}

    edit(repo, entry_id, withdraw)
    commit(repo, "Suspended")
    assert publish(repo, tmp_path / "second") == []
    assert version_file(tmp_path / "second", entry_id, 1).read_bytes() == before
    assert [v["version"] for v in manifest(tmp_path / "second")["entries"][entry_id]["versions"]] == [1]


def test_last_changed_is_the_date_of_the_last_commit_of_each_file(repo: Path, entry_id: str) -> None:
    edit(repo, entry_id, lambda d: (new_outcome(d), raise_version(d)))
    commit(repo, "Version 2", "2026-03-05T12:00:00+02:00")
    catalogue = load_catalogue(repo / "catalogue")
    changed = last_changed(repo, catalogue)
    assert changed[entry_id] == dt.date(2026, 3, 5)
    assert set(changed) == set(catalogue.entries)
    assert {day for other, day in changed.items() if other != entry_id} == {dt.date(2026, 1, 10)}


def test_a_merged_branch_publishes_what_was_merged(repo: Path, entry_id: str, tmp_path: Path) -> None:
    git(repo, "switch", "-q", "-c", "proposal")
    edit(repo, entry_id, lambda d: (new_outcome(d), raise_version(d)))
    commit(repo, "Draft of version 2")
    edit(repo, entry_id, lambda d: d["learning_outcomes"][0]["text"].update(en="Final wording."))
    commit(repo, "Review comments")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge proposal", "proposal", date="2026-04-01T12:00:00+03:00")

    publish(repo, tmp_path)
    second = json.loads(version_file(tmp_path, entry_id, 2).read_bytes())
    assert second["entry"]["learning_outcomes"][0]["text"]["en"] == "Final wording."
    assert manifest(tmp_path)["entries"][entry_id]["versions"][1]["published"] == "2026-04-01"


def test_a_historical_file_that_does_not_load_is_skipped_with_a_warning(
    repo: Path, entry_id: str, tmp_path: Path
) -> None:
    path = entry_file(repo, entry_id)
    original = path.read_text(encoding="utf-8")
    publish(repo, tmp_path / "first")
    path.write_text("id: [unclosed\n", encoding="utf-8")
    commit(repo, "Broken")
    path.write_text(original, encoding="utf-8")
    commit(repo, "Fixed")

    warnings = publish(repo, tmp_path / "second")
    assert [w.file for w in warnings] == [path.relative_to(repo).as_posix()]
    assert warnings[0].severity is Severity.WARNING and "in commit" in warnings[0].message
    assert (
        version_file(tmp_path / "second", entry_id, 1).read_bytes()
        == version_file(tmp_path / "first", entry_id, 1).read_bytes()
    )


def test_an_id_from_history_never_becomes_a_path_outside_the_api(repo: Path, entry_id: str, tmp_path: Path) -> None:
    path = entry_file(repo, entry_id)
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(f"id: {entry_id}", "id: ../../../escaped"), encoding="utf-8")
    commit(repo, "Hostile id")
    path.write_text(original, encoding="utf-8")
    commit(repo, "Restored")

    site = tmp_path / "site"
    warnings = publish(repo, site)
    assert any("no valid `id`" in w.message for w in warnings)
    assert not any("escaped" in p.name for p in tmp_path.rglob("*"))


def test_version_lower_than_a_published_one_is_a_warning(repo: Path, entry_id: str, tmp_path: Path) -> None:
    original = entry_file(repo, entry_id).read_text(encoding="utf-8")
    edit(repo, entry_id, lambda d: (new_outcome(d), raise_version(d)))
    commit(repo, "Version 2")
    entry_file(repo, entry_id).write_text(original, encoding="utf-8")
    warnings = publish(repo, tmp_path)
    assert [(w.field, w.severity) for w in warnings] == [("version", Severity.WARNING)]
    assert "set `version: 3`" in warnings[0].hint


def test_without_git_only_current_versions_are_published_with_a_warning(catalogue_copy: Path, tmp_path: Path) -> None:
    catalogue = load_catalogue(catalogue_copy)
    site = tmp_path / "site"
    warnings = write_versions(catalogue, site, BuildContext(SITE_URL, TODAY), catalogue_copy.parent)
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING
    assert "only the current version" in warnings[0].message
    written = {p.relative_to(site / API / "entries").as_posix() for p in (site / API / "entries").rglob("*.json")}
    assert written == {f"{e.id}/v{e.version}.json" for e in catalogue.entries.values()}
    assert all(v["published"] is None for r in manifest(site)["entries"].values() for v in r["versions"])
    assert last_changed(catalogue_copy.parent, catalogue) == {}


def test_a_shallow_clone_is_refused(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    with pytest.raises(VersionsRefused) as refused:
        publish(clone, tmp_path / "site")
    assert "shallow" in refused.value.problems[0].message
    assert not (tmp_path / "site").exists()


def test_a_repository_without_catalogue_history_publishes_current_versions_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("Not yet a catalogue.\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Start")
    shutil.copytree(CATALOGUE_DIR, root / "catalogue")
    warnings = publish(root, tmp_path / "site")
    assert [w.severity for w in warnings] == [Severity.WARNING]
    assert "only the current version" in warnings[0].message
    catalogue = load_catalogue(root / "catalogue")
    assert all(version_file(tmp_path / "site", e.id, e.version).is_file() for e in catalogue.entries.values())
