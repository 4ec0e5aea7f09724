"""Long lists (a sector's, a level's, a provider's entries) on pages of LISTING_SIZE cards.

The sample catalogue's lists fit on one page at the real size (50), so the site is
built here with pages of 4 cards: every list of more than four entries is split.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from generator.context import BuildContext, listing_path, source_file
from generator.model import Catalogue, MicroQualification
from generator.site import compile as compile_module
from generator.site.compile import compile_tree
from generator.site.shards import Shard

from .conftest import REPO_ROOT, build_site, made_once
from .html_support import Page, parse

SIZE = 4


def _build_small_pages(work: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compile_module, "LISTING_SIZE", SIZE)
        build_site(work)


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return made_once(tmp_path_factory, "paged", _build_small_pages) / "site"


def lists(catalogue: Catalogue) -> dict[str, list[MicroQualification]]:
    """Every list of entries on the site: its first page's path -> the entries, in the order shown."""
    shown = {f"{sector}/": entries for sector, entries in catalogue.entries_by_sector().items()}
    shown |= {f"providers/{provider}/": entries for provider, entries in catalogue.entries_by_provider().items()}
    shown |= {f"levels/{level}/": entries for level, entries in catalogue.entries_by_level().items()}
    return shown


def page_at(site: Path, language: str, path: str) -> Page:
    return parse(site / ("" if language == "lv" else f"{language}/") / path / "index.html")


def cards(page: Page) -> list[str]:
    """The ids of the entries whose cards the page shows, in order (a card's title is its only link)."""
    ids, in_title = [], False
    for element in page.elements:  # in document order
        if element.tag == "h3":
            in_title = "mq-card__title" in element.attrs.get("class", "")
        elif element.tag == "a" and in_title:
            ids.append(element.attrs["href"].rstrip("/").rsplit("/", 1)[-1])
            in_title = False
    return ids


def page_links(page: Page, url: str) -> dict[str, str]:
    """The links between pages, as absolute URLs: "prev", "next" and each page number shown."""
    found = {}
    for element in page.elements:
        if element.tag != "a" or "href" not in element.attrs:
            continue
        if element.attrs.get("rel") in ("prev", "next"):
            found[element.attrs["rel"]] = urljoin(url, element.attrs["href"])
        elif element.attrs.get("aria-label") and element.text.strip().isdigit():
            found[element.text.strip()] = urljoin(url, element.attrs["href"])
    return found


def test_every_list_is_split_into_pages_that_show_each_entry_once_in_order(
    paged_site: Path, catalogue: Catalogue
) -> None:
    split = 0
    for language in ("lv", "en"):
        for path, entries in lists(catalogue).items():
            count = max(1, math.ceil(len(entries) / SIZE))
            shown: list[str] = []
            for number in range(1, count + 1):
                page = page_at(paged_site, language, listing_path(path, number))
                shown += cards(page)
                # The heading counts the whole list on every page.
                assert f"({len(entries)})" in page.text
            assert shown == [e.id for e in entries], (language, path)
            # No page beyond the last.
            assert not (paged_site / ("" if language == "lv" else "en") / listing_path(path, count + 1)).exists()
            split += count > 1
    assert split >= 6  # the sample has lists longer than four in sectors, levels and providers


def test_pages_link_to_each_other_and_name_the_page_they_are(paged_site: Path, catalogue: Catalogue) -> None:
    for language, title_of in (("en", r", page (\d+) of (\d+)"), ("lv", r", (\d+)\. lapa no (\d+)")):
        for path, entries in lists(catalogue).items():
            count = math.ceil(len(entries) / SIZE)
            if count < 2:
                continue
            for number in range(1, count + 1):
                here = listing_path(path, number)
                page = page_at(paged_site, language, here)
                assert len(page.find("nav", **{"class": "mq-pages"})) == 1
                root = "https://x.test/"
                targets = page_links(page, urljoin(root, here))
                if number > 1:
                    assert targets["prev"] == urljoin(root, listing_path(path, number - 1))
                else:
                    assert "prev" not in targets
                if number < count:
                    assert targets["next"] == urljoin(root, listing_path(path, number + 1))
                else:
                    assert "next" not in targets
                current = [e for e in page.elements if e.tag == "a" and e.attrs.get("aria-current") == "page"]
                assert [e.text.strip() for e in current] == [str(number)]
                # The first and the last page are always a click away.
                assert targets["1"] == urljoin(root, path)
                assert targets[str(count)] == urljoin(root, listing_path(path, count))
                match = re.search(title_of, page.title)
                if number == 1:
                    assert match is None, page.title
                else:
                    assert match and match.groups() == (str(number), str(count)), page.title


def test_later_pages_are_in_the_sitemap_and_have_their_counterpart_in_the_other_language(
    paged_site: Path, catalogue: Catalogue
) -> None:
    sitemap = (paged_site / "sitemap.xml").read_text(encoding="utf-8")
    later = [listing_path(path, 2) for path, entries in lists(catalogue).items() if len(entries) > SIZE]
    assert later
    for path in later:
        assert f"/{path}</loc>" in sitemap
        english = page_at(paged_site, "en", path)
        assert any(link.endswith(f"/{path}") for link in english.links()), path  # the language switch


def test_a_list_that_fits_on_one_page_has_no_page_links(built_site: Path, catalogue: Catalogue) -> None:
    # At the real size every sample list fits: no navigation between pages, and the site is as before.
    for path in lists(catalogue):
        page = page_at(built_site, "lv", path)
        assert page.find("nav", **{"class": "mq-pages"}) == []
        assert not (built_site / listing_path(path, 2)).exists()


def test_each_later_page_is_compiled_by_exactly_one_shard(
    catalogue: Catalogue, context: BuildContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compile_module, "LISTING_SIZE", SIZE)
    trees = []
    for number in (1, 2, 3):
        out = tmp_path / str(number)
        compile_tree(catalogue, context, out, REPO_ROOT / "mkdocs.yml", shard=Shard(number, 3))
        trees.append(out)
    for path, entries in lists(catalogue).items():
        for number in range(2, math.ceil(len(entries) / SIZE) + 1):
            source = source_file(listing_path(path, number))
            owners = [tree for tree in trees if (tree / "lv" / "docs" / source).is_file()]
            assert len(owners) == 1, (source, owners)
