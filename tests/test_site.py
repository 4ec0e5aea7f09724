"""The built site: every page, its facts, listings, links, languages and the build's safety."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from generator.catalogue import CatalogueInvalid
from generator.i18n import LANGUAGES, label
from generator.model import Catalogue
from generator.site.build import build

from .conftest import REPO_ROOT, SITE_URL, TODAY
from .html_support import parse


def page_file(site: Path, path: str, language: str = "lv") -> Path:
    prefix = "" if language == "lv" else "en/"
    return site / prefix / path / "index.html"


def test_every_entry_has_a_page_in_both_languages(built_site: Path, catalogue: Catalogue) -> None:
    for entry in catalogue.entries.values():
        for language in LANGUAGES:
            page = parse(page_file(built_site, f"{entry.sector}/{entry.id}", language))
            assert page.lang == language
            assert entry.title.get(language) in page.find("h1")[0].text
            assert entry.title.get(language) in page.title


def test_entry_page_shows_every_annex_element_in_order(built_site: Path, catalogue: Catalogue) -> None:
    keys = [
        "title",
        "country",
        "providers",
        "learning_outcomes",
        "workload",
        "level",
        "assessment",
        "participation",
        "quality_assurance",
        "prerequisites",
        "supervision",
        "stackability",
        "further_information",
    ]
    for entry in catalogue.published_entries():
        for language in LANGUAGES:
            page = parse(page_file(built_site, f"{entry.sector}/{entry.id}", language))
            # The Annex I sheet starts at its heading (the key facts come before it).
            start = page.elements.index(page.find("h2", id="mq-facts")[0])
            terms = [e.text.strip() for e in page.elements[start:] if e.tag == "dt"]
            expected = [label(language, f"facts.{k}") for k in keys]
            positions = [terms.index(term) for term in expected]
            assert positions == sorted(positions), f"{entry.id}: Annex I elements out of order"


def test_entry_page_carries_the_facts_of_the_entry(built_site: Path, catalogue: Catalogue) -> None:
    for entry in catalogue.published_entries():
        page = parse(page_file(built_site, f"{entry.sector}/{entry.id}", "en"))
        for outcome in entry.learning_outcomes:
            assert outcome.text.en in page.text
        assert f"LKI {entry.lki} / EQF {entry.lki}" in page.text
        assert f"{entry.hours:g} h" in page.text
        if entry.ects:
            assert f"{entry.ects:g} ECTS" in page.text
        for provider_id in entry.awarding_bodies:
            provider = catalogue.providers[provider_id]
            assert provider.legal_name in page.text
            assert provider.registration_number in page.text
            assert provider.legal_address in page.text
        assert entry.decision in page.text
        assert entry.decision_date.isoformat() in page.text
        assert entry.review_due.isoformat() in page.text
        links = page.links()
        assert any(link.endswith(f"api/v1/entries/{entry.id}.json") for link in links)
        assert any(link.endswith(f"api/v1/entries/{entry.id}/v{entry.version}.json") for link in links)


def test_stackability_links_go_both_ways(built_site: Path, catalogue: Catalogue) -> None:
    stacked = [e for e in catalogue.entries.values() if e.stacks_into]
    assert stacked, "the sample catalogue has stacking chains"
    for part in stacked:
        for whole_id in part.stacks_into:
            whole = catalogue.entries[whole_id]
            part_page = parse(page_file(built_site, f"{part.sector}/{part.id}"))
            whole_page = parse(page_file(built_site, f"{whole.sector}/{whole.id}"))
            assert any(link.rstrip("/").endswith(f"{whole.sector}/{whole.id}") for link in part_page.links())
            assert any(link.rstrip("/").endswith(f"{part.sector}/{part.id}") for link in whole_page.links())


def test_withdrawn_entry_is_a_tombstone_outside_every_listing(built_site: Path, catalogue: Catalogue) -> None:
    withdrawn = [e for e in catalogue.entries.values() if e.status == "withdrawn"]
    assert withdrawn
    for entry in withdrawn:
        page = parse(page_file(built_site, f"{entry.sector}/{entry.id}"))
        assert label("lv", "entry.withdrawn_title") in page.text
        assert entry.status_reason is not None and entry.status_reason.lv in page.text
        if entry.replaced_by:
            replacement = catalogue.entries[entry.replaced_by]
            assert any(link.rstrip("/").endswith(f"{replacement.sector}/{replacement.id}") for link in page.links())
        listings = [
            page_file(built_site, ""),
            page_file(built_site, entry.sector),
            page_file(built_site, f"levels/{entry.lki}"),
        ]
        listings += [page_file(built_site, f"providers/{p}") for p in entry.awarding_bodies]
        for listing in listings:
            assert not any(link.rstrip("/").endswith(f"/{entry.id}") for link in parse(listing).links()), listing


def test_suspended_and_overdue_entries_are_marked(built_site: Path, catalogue: Catalogue) -> None:
    suspended = [e for e in catalogue.entries.values() if e.status == "suspended"]
    overdue = [e for e in catalogue.entries.values() if e.review_overdue(TODAY)]
    assert suspended and overdue
    for entry in suspended:
        assert label("lv", "entry.suspended_title") in parse(page_file(built_site, f"{entry.sector}/{entry.id}")).text
        assert label("lv", "status.suspended") in parse(page_file(built_site, entry.sector)).text
    for entry in overdue:
        assert label("lv", "entry.review_overdue") in parse(page_file(built_site, f"{entry.sector}/{entry.id}")).text


def test_sector_pages_list_exactly_their_published_entries(built_site: Path, catalogue: Catalogue) -> None:
    by_sector = catalogue.entries_by_sector()
    for sector_id, entries in by_sector.items():
        page = parse(page_file(built_site, sector_id))
        listed = {
            link.rstrip("/").rsplit("/", 1)[-1]
            for link in page.links()
            # Entry pages, not the sector's files (its intakes.ics)
            if link.endswith("/") and link.rstrip("/").rsplit("/", 2)[-2:-1] == [sector_id]
        }
        assert listed == {e.id for e in entries}


def test_home_page_counts_agree_with_the_catalogue(built_site: Path, catalogue: Catalogue) -> None:
    page = parse(page_file(built_site, ""))
    counts = [e.text for e in page.elements if e.tag == "strong"]
    published = catalogue.published_entries()
    assert str(len(published)) in counts
    assert str(len({e.sector for e in published})) in counts
    assert str(len({p for e in published for p in e.awarding_bodies})) in counts


def test_provider_and_level_pages_exist(built_site: Path, catalogue: Catalogue) -> None:
    for provider in catalogue.providers.values():
        page = parse(page_file(built_site, f"providers/{provider.id}"))
        assert provider.legal_name in page.text
    for level, entries in catalogue.entries_by_level().items():
        page = parse(page_file(built_site, f"levels/{level}"))
        for entry in entries:
            assert entry.title.lv in page.text


def _site_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_page_shows_a_python_object_instead_of_text(built_site: Path) -> None:
    # A template that reaches a method (a label named like a dict method, `F.clear`) prints its repr.
    leaked = re.compile(r"object at 0x[0-9a-f]+|built-in method|bound method")
    found = [
        f"{p.relative_to(built_site)}: {m.group(0)}"
        for p in _site_pages(built_site)
        for m in [leaked.search(p.read_text(encoding="utf-8"))]
        if m
    ]
    assert found == []


def test_no_internal_link_is_broken(built_site: Path) -> None:
    broken = []
    for path in _site_pages(built_site):
        page_url = "http://site/" + path.relative_to(built_site).as_posix()
        for link in parse(path).links():
            target = urlsplit(urljoin(page_url, link))
            if target.scheme != "http" or target.netloc != "site":
                continue
            local = built_site / target.path.lstrip("/")
            if not (local.is_file() or (local / "index.html").is_file()):
                broken.append(f"{path.relative_to(built_site)} -> {link}")
    assert not broken, "\n".join(broken[:20])


def test_pages_load_nothing_from_third_parties(built_site: Path) -> None:
    outside = []
    for path in _site_pages(built_site):
        page = parse(path)
        for element in page.elements:
            url = element.attrs.get("src") if element.tag in ("script", "img", "iframe") else None
            if element.tag == "link" and element.attrs.get("rel") in ("stylesheet", "preconnect", "preload", "icon"):
                url = element.attrs.get("href")
            if url and urlsplit(url).netloc:
                outside.append(f"{path.relative_to(built_site)}: {url}")
    assert not outside, "\n".join(outside[:20])


def test_entry_pages_are_not_in_the_navigation(built_site: Path, catalogue: Catalogue) -> None:
    for language in LANGUAGES:
        config_text = (built_site.parent / "site-src" / language / "mkdocs.yml").read_text(encoding="utf-8")
        nav = yaml.safe_load(config_text)["nav"]
        flat = yaml.safe_dump(nav)
        for entry in catalogue.entries.values():
            assert f"{entry.id}.md" not in flat


def test_language_switcher_and_hreflang_lead_to_the_same_page(built_site: Path, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    for language, other in (("lv", "en"), ("en", "lv")):
        path = page_file(built_site, f"{entry.sector}/{entry.id}", language)
        page = parse(path)
        switch = [e for e in page.find("a") if e.attrs.get("hreflang") == other]
        assert switch
        page_url = "http://site/" + path.relative_to(built_site).as_posix()
        target = urlsplit(urljoin(page_url, switch[0].attrs["href"])).path
        expected = ("" if other == "lv" else "/en") + f"/{entry.sector}/{entry.id}/"
        assert target == expected
        alternates = {e.attrs["hreflang"]: e.attrs["href"] for e in page.find("link") if e.attrs.get("hreflang")}
        assert alternates["lv"] == f"{SITE_URL}{entry.sector}/{entry.id}/"
        assert alternates["en"] == f"{SITE_URL}en/{entry.sector}/{entry.id}/"


def test_every_page_has_its_counterpart_in_the_other_language(built_site: Path) -> None:
    english = built_site / "en"
    latvian = {p.relative_to(built_site) for p in built_site.rglob("index.html") if english not in p.parents}
    counterparts = {p.relative_to(english) for p in english.rglob("index.html")}
    assert latvian == counterparts


def test_generated_tree_builds_with_plain_mkdocs(built_site: Path, tmp_path: Path) -> None:
    config = built_site.parent / "site-src" / "lv" / "mkdocs.yml"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "index.html").is_file()


def _digest(folder: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            hasher.update(path.relative_to(folder).as_posix().encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def test_failed_build_leaves_the_previous_site_untouched(
    built_site: Path, catalogue_copy: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    before = _digest(site)
    entry = next(iter(catalogue_copy.glob("transport-logistics/*.yaml")))
    entry.write_text(entry.read_text(encoding="utf-8").replace("version:", "versoin:", 1), encoding="utf-8")
    with pytest.raises(CatalogueInvalid):
        build(
            REPO_ROOT, site, site_url=SITE_URL, today=TODAY, source_dir=tmp_path / "src", catalogue_dir=catalogue_copy
        )
    assert _digest(site) == before
    assert not (tmp_path / "src").exists()
    assert {p.name for p in tmp_path.iterdir()} == {"site", "catalogue"}


def test_build_command_reports_errors_and_writes_nothing(catalogue_copy: Path, tmp_path: Path) -> None:
    entry = next(iter(catalogue_copy.glob("transport-logistics/*.yaml")))
    entry.write_text(entry.read_text(encoding="utf-8") + "titel: x\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site-dir", str(tmp_path / "out")],
        cwd=catalogue_copy.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"{entry.relative_to(catalogue_copy.parent).as_posix()}:" in result.stderr
    assert "titel" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "out").exists()


def test_sitemap_covers_both_languages_with_alternates(built_site: Path, catalogue: Catalogue) -> None:
    from xml.etree import ElementTree

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.parse(built_site / "sitemap.xml").getroot()
    locations = {url.findtext("s:loc", namespaces=ns): url for url in root.findall("s:url", ns)}
    for entry in catalogue.entries.values():
        for prefix in ("", "en/"):
            url = locations[f"{SITE_URL}{prefix}{entry.sector}/{entry.id}/"]
            alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
            assert alternates == {
                "lv": f"{SITE_URL}{entry.sector}/{entry.id}/",
                "en": f"{SITE_URL}en/{entry.sector}/{entry.id}/",
            }
    pages = list(built_site.rglob("index.html"))
    assert len(locations) == len(pages)
    assert f"Sitemap: {SITE_URL}sitemap.xml" in (built_site / "robots.txt").read_text(encoding="utf-8")


def test_the_sitemap_lists_what_was_rendered_from_the_pages_the_build_compiled(built_site: Path) -> None:
    # The build hands the sitemap its compiled page list (no walk of the site); a merge of
    # shards walks the site instead: both give the same pages.
    from xml.etree import ElementTree

    from generator.context import BuildContext
    from generator.site.sitemap import rendered_pages

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = [
        loc.text or "" for loc in ElementTree.parse(built_site / "sitemap.xml").getroot().iterfind("s:url/s:loc", ns)
    ]
    latvian = [url.removeprefix(SITE_URL) for url in listed if not url.startswith(f"{SITE_URL}en/")]
    assert latvian == rendered_pages(built_site, BuildContext(site_url=SITE_URL, today=TODAY))
    assert len(latvian) > 70 and "" in latvian  # 37 entries and the lists, in each language


def test_timings_give_the_build_process_peak_memory_after_every_stage(capsys: pytest.CaptureFixture[str]) -> None:
    from types import SimpleNamespace

    from generator.commands.build import print_timings
    from generator.site.build import Timings

    timings = Timings()
    with timings.stage("read"):
        pass
    with timings.stage("write"):
        block = bytearray(8 * 2**20)  # touched: resident
        del block
    assert len(timings.peaks) == len(timings.stages) == 2
    first, second = timings.peaks
    assert first is not None and second is not None and 0 < first <= second  # a peak so far never falls
    print_timings(SimpleNamespace(timings=timings))  # type: ignore[arg-type]
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"  write: [0-9.]+ s wall, [0-9.]+ s CPU, peak [0-9,]+ MiB", lines[1])
