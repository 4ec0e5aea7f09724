"""Sharded builds: the parts of `mqcat build --shard I/N`, merged, are the site of one build."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.model import Catalogue
from generator.site.build import build, merge
from generator.site.shards import Shard, ShardMismatch

from .conftest import CATALOGUE_DIR, REPO_ROOT, SITE_URL, TODAY, made_once


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def shard_sites(work: Path, count: int) -> list[Path]:
    sites = []
    for number in range(1, count + 1):
        site = work / f"shard-{number}"
        build(
            REPO_ROOT,
            site,
            site_url=SITE_URL,
            today=TODAY,
            source_dir=work / f"src-{number}",
            catalogue_dir=CATALOGUE_DIR,
            shard=Shard(number, count),
            # One language after the other (`--jobs 1`) for the second part: the merged site
            # below equals the single build only if that renders the same pages too.
            jobs=1 if number == 2 else None,
        )
        sites.append(site)
    return sites


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    work = made_once(tmp_path_factory, "shards", lambda work: shard_sites(work, 3))
    return [work / f"shard-{number}" for number in range(1, 4)]


def test_merged_shards_are_the_single_build_byte_for_byte(shards: list[Path], built_site: Path, tmp_path: Path) -> None:
    merged = tmp_path / "site"
    merge(REPO_ROOT, merged, shards, site_url=SITE_URL, today=TODAY, catalogue_dir=CATALOGUE_DIR)
    ours, single = tree(merged), tree(built_site)
    assert sorted(ours) == sorted(single)
    assert [path for path in single if ours[path] != single[path]] == []


def test_each_entry_page_is_rendered_by_exactly_one_shard(shards: list[Path], catalogue: Catalogue) -> None:
    for entry in catalogue.entries.values():
        owners = [site for site in shards if (site / entry.sector / entry.id / "index.html").is_file()]
        assert len(owners) == 1, (entry.id, owners)
    assert all(any((site / e.sector / e.id).is_dir() for e in catalogue.entries.values()) for site in shards)


def test_merge_refuses_a_missing_part(shards: list[Path], tmp_path: Path) -> None:
    with pytest.raises(ShardMismatch, match="1/N to N/N"):
        merge(REPO_ROOT, tmp_path / "site", shards[:2], site_url=SITE_URL, today=TODAY, catalogue_dir=CATALOGUE_DIR)
    assert not (tmp_path / "site").exists()


def test_merge_refuses_shards_that_disagree(shards: list[Path], tmp_path: Path) -> None:
    import shutil

    copies = []
    for site in shards:
        copies.append(tmp_path / site.name)
        shutil.copytree(site, copies[-1])
    (copies[1] / "index.html").write_text("changed", encoding="utf-8")
    with pytest.raises(ShardMismatch, match=r"index\.html"):
        merge(REPO_ROOT, tmp_path / "site", copies, site_url=SITE_URL, today=TODAY, catalogue_dir=CATALOGUE_DIR)


@pytest.mark.parametrize("spec", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_malformed_shard_is_a_usage_error(
    spec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    # In this process (a usage error is found before anything is read): an exception would fail the test.
    assert main(["build", "--shard", spec, "--site-dir", str(tmp_path / "s")]) == 2
    assert "I/N" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
