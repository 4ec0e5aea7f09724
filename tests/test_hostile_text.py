"""Hostile contributor text reaches every page as text: no markup, no script, no link."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from .a11y_support import serve
from .conftest import CATALOGUE_DIR, build_site, made_once
from .html_support import parse

MARK = "mqPwned"
PAYLOADS = [
    f"<script>window.{MARK}=1</script>",
    f"</script><script>window.{MARK}=2</script>",
    f'" onmouseover="window.{MARK}=3" x="',
    f"javascript:window.{MARK}=4",
    f"[click](javascript:window.{MARK}=5) ![img](https://evil.example/{MARK}.png)",
    f'<img src="https://evil.example/{MARK}.png" onerror="window.{MARK}=6">',
    "{{ config.site_name }} {% raw %} &amp; &lt;b&gt;",
    f'=HYPERLINK("https://evil.example/{MARK}")',
    f"<!-- {MARK} --> ]]> <![CDATA[ x ]]>",
]
ENTRY = "transport-logistics/forklift-safe-operation.yaml"
PROVIDER_KEYS = ("legal_name", "legal_address")


def _poison(value: Any, counter: list[int]) -> Any:
    """Replace every free text (language maps, keywords) with a hostile payload."""
    if isinstance(value, dict):
        if set(value) <= {"lv", "en"} and all(isinstance(v, str) for v in value.values()):
            counter[0] += 1
            payload = PAYLOADS[counter[0] % len(PAYLOADS)]
            return {lang: f"{payload} {lang}" for lang in value}
        return {key: _poison(item, counter) for key, item in value.items()}
    if isinstance(value, list):
        return [_poison(item, counter) for item in value]
    return value


def _hostile_files() -> tuple[dict[str, Any], dict[str, Any]]:
    """The entry and its provider with a payload in every free text (the same every time)."""
    data = _poison(yaml.safe_load((CATALOGUE_DIR / ENTRY).read_text(encoding="utf-8")), [0])
    data["keywords"] = {"lv": [p[:60] for p in PAYLOADS[:5]], "en": [p[:60] for p in PAYLOADS[4:]]}
    data["quality_assurance"]["decision"] = PAYLOADS[1]
    data["version"] += 1  # a changed published entry needs a new version
    data["contact"]["name"] = PAYLOADS[2]
    for index, location in enumerate(data.get("locations", [])):
        location["municipality"] = PAYLOADS[index % len(PAYLOADS)][:80]
        location["address"] = PAYLOADS[(index + 1) % len(PAYLOADS)]
    provider_path = CATALOGUE_DIR / "providers" / f"{data['awarding_bodies'][0]}.yaml"
    provider = _poison(yaml.safe_load(provider_path.read_text(encoding="utf-8")), [3])
    for key in PROVIDER_KEYS:
        provider[key] = PAYLOADS[5] + " " + key
    return data, provider


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data, provider = _hostile_files()

    def make(work: Path) -> None:
        catalogue = work / "catalogue"
        shutil.copytree(CATALOGUE_DIR, catalogue)
        (catalogue / ENTRY).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        provider_path = catalogue / "providers" / f"{data['awarding_bodies'][0]}.yaml"
        provider_path.write_text(yaml.safe_dump(provider, allow_unicode=True, sort_keys=False), encoding="utf-8")
        build_site(work, catalogue)

    return made_once(tmp_path_factory, "hostile", make) / "site", data


def _pages(site: Path, data: dict[str, Any]) -> list[Path]:
    pages = []
    for prefix in ("", "en/"):
        pages += [
            site / prefix / data["sector"] / data["id"] / "index.html",
            site / prefix / data["sector"] / "index.html",
            site / prefix / "providers" / data["awarding_bodies"][0] / "index.html",
            site / prefix / "index.html",
            site / prefix / "levels" / str(data["level"]["lki"]) / "index.html",
        ]
    return pages


def test_hostile_text_adds_no_markup(hostile_site: tuple[Path, dict[str, Any]]) -> None:
    site, data = hostile_site
    for path in _pages(site, data):
        page = parse(path)
        for element in page.elements:
            assert not any(name.startswith("on") for name in element.attrs), (path, element)
            for attribute in ("href", "src", "action"):
                value = element.attrs.get(attribute, "")
                assert not value.lower().startswith("javascript:"), (path, element)
                assert "evil.example" not in value, (path, element)
            if element.tag == "script":
                assert MARK not in element.text or element.attrs.get("type") in (
                    "application/ld+json",
                    "application/json",
                ), path
        assert page.find("img") == [] or all("evil" not in e.attrs.get("src", "") for e in page.find("img"))


def test_hostile_text_is_shown_as_text(hostile_site: tuple[Path, dict[str, Any]]) -> None:
    site, data = hostile_site
    page = parse(site / data["sector"] / data["id"] / "index.html")
    assert data["title"]["lv"] in page.text
    assert data["title"]["lv"] in page.title
    assert data["learning_outcomes"][0]["text"]["lv"] in page.text


def test_json_ld_in_script_is_data_and_cannot_close_the_element(hostile_site: tuple[Path, dict[str, Any]]) -> None:
    site, data = hostile_site
    raw = (site / data["sector"] / data["id"] / "index.html").read_text(encoding="utf-8")
    page = parse(site / data["sector"] / data["id"] / "index.html")
    blocks = [e.text for e in page.find("script") if e.attrs.get("type") == "application/ld+json"]
    assert blocks, "the entry page embeds schema.org JSON-LD"
    for block in blocks:
        assert "</" not in block and "<!--" not in block
        parsed = json.loads(block)
        assert MARK in json.dumps(parsed)
    assert raw.count("<script") == raw.count("</script>")


def test_csv_cells_cannot_become_formulas(hostile_site: tuple[Path, dict[str, Any]]) -> None:
    site, _ = hostile_site
    with (site / "api" / "v1" / "catalogue.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), cell


def test_feeds_escape_hostile_text(hostile_site: tuple[Path, dict[str, Any]]) -> None:
    site, _ = hostile_site
    for feed in (site / "feed.atom", site / "en" / "feed.atom"):
        tree = ElementTree.parse(feed)
        texts = " ".join(tree.getroot().itertext())
        assert MARK in texts
        assert not any(element.tag.endswith("script") for element in tree.iter())


@pytest.mark.browser
def test_hostile_text_runs_nothing_in_the_browser(hostile_site: tuple[Path, dict[str, Any]], browser: Any) -> None:
    site, data = hostile_site
    with serve(site) as base:
        context = browser.new_context()
        outside: list[str] = []
        dialogs: list[str] = []
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(base)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        hovered = 0
        for path in _pages(site, data):
            page.goto(base + path.relative_to(site).parent.as_posix() + "/")
            page.wait_for_load_state("load")
            # Hover over every element that shows hostile text, where an injected handler would sit.
            carriers = page.query_selector_all(f"main :is(p, li, dd, dt, h1, h2, h3, a, span):has-text('{MARK}')")
            hovered += len(carriers)
            for element in carriers[:60]:
                if element.is_visible():
                    element.hover(timeout=1000, force=True)
            assert page.evaluate(f"typeof window.{MARK}") == "undefined", path
        context.close()
    assert hovered, "the pages show the hostile text"
    assert not dialogs
    assert not [url for url in outside if "evil.example" in url]


def test_search_data_escapes_hostile_text(hostile_site: tuple[Path, dict[str, Any]]) -> None:
    site, _ = hostile_site
    for language_root in (site, site / "en"):
        finder = json.loads((language_root / "finder" / "entries.json").read_text(encoding="utf-8"))
        assert any(MARK in record[2] for record in finder["entries"])  # kept as data; the finder sets textContent


def test_calendar_feeds_carry_hostile_text_as_text(hostile_site: tuple[Path, dict[str, Any]]) -> None:
    from icalendar import Calendar

    site, data = hostile_site
    for prefix, language in (("", "lv"), ("en/", "en")):
        calendar = Calendar.from_ical((site / prefix / data["sector"] / data["id"] / "intakes.ics").read_bytes())
        summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
        assert summaries and all(data["title"][language] in summary for summary in summaries)


@pytest.mark.browser
def test_finder_excerpts_and_the_comparison_run_nothing(
    hostile_site: tuple[Path, dict[str, Any]], browser: Any
) -> None:
    site, data = hostile_site
    with serve(site) as base:
        context = browser.new_context()
        outside: list[str] = []
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(base)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page = context.new_page()
        # The poisoned title holds a script element as text: the finder finds it and marks the word.
        page.goto(f"{base}en/finder/?s=script")
        page.wait_for_function("() => document.querySelectorAll('#mq-results mark').length > 0", timeout=10_000)
        for element in page.query_selector_all("#mq-results :is(a, p, mark, dd)"):
            if element.is_visible():
                element.hover(timeout=1000, force=True)
        assert page.evaluate(f"typeof window.{MARK}") == "undefined"
        page.goto(f"{base}compare/?e={data['sector']}/{data['id']}")
        page.wait_for_function("() => document.querySelectorAll('.mq-comparison__table td').length > 0")
        for element in page.query_selector_all(".mq-comparison__table :is(th, td, a)"):
            if element.is_visible():
                element.hover(timeout=1000, force=True)
        assert page.evaluate(f"typeof window.{MARK}") == "undefined"
        context.close()
    assert not [url for url in outside if "evil.example" in url]
