"""What a learner decides by (issue 17), in headless Chromium: key facts first and correct, the
pages and components it added accessible in both palettes and languages, reflow at 320 px, print."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from generator.i18n import LANGUAGES, label
from generator.model import Catalogue, MicroQualification

from .a11y_support import describe_violations, serious_violations, settle
from .conftest import TODAY

pytestmark = pytest.mark.browser

SCHEMES = {"light": "default", "dark": "slate"}
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}

KEY_FACTS_JS = """() => Object.fromEntries([...document.querySelectorAll('#mq-key-facts > div')]
  .map(d => [d.dataset.fact, d.querySelector('dd').innerText.replace(/\\s+/g, ' ').trim()]))"""


def entry_path(entry: MicroQualification, language: str) -> str:
    return ("" if language == "lv" else "en/") + f"{entry.sector}/{entry.id}/"


def stacked_entry(catalogue: Catalogue) -> MicroQualification:
    """An active entry in a sample stacking chain (it has parts and counts towards a qualification)."""
    built_from = catalogue.built_from()
    return next(e for e in catalogue.published_entries() if e.status == "active" and built_from.get(e.id))


@pytest.fixture()
def open_page(browser: Any, served_site: str) -> Iterator[Callable[..., Any]]:
    """open_page(path, scheme="light", window=DESKTOP) -> a loaded, settled page in a fresh context."""
    contexts = []

    def open_(path: str, scheme: str = "light", window: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(color_scheme=scheme, viewport=window)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(served_site + path)
        assert response is not None and response.ok, path
        settle(page)
        return page

    yield open_
    for context in contexts:
        context.close()


def test_key_facts_show_the_catalogue_for_every_sample_entry(
    browser: Any, served_site: str, catalogue: Catalogue
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        for entry in catalogue.published_entries():
            for language in LANGUAGES:
                page.goto(served_site + entry_path(entry, language))
                facts = page.evaluate(KEY_FACTS_JS)
                where = f"{entry.id} ({language})"
                assert facts["workload"].startswith(f"{entry.hours:g} h"), where
                assert facts["level"] == f"LKI {entry.lki} / EQF {entry.lki}", where
                paid = f"{entry.cost_amount:g} {entry.cost_currency}" if entry.cost_type == "paid" else None
                assert facts["cost"] == (paid or label(language, f"cost_type.{entry.cost_type}")), where
                upcoming = [d for d in entry.starts if d >= TODAY]
                if upcoming:
                    assert facts["intake"].startswith(upcoming[0].isoformat()), where
                else:
                    no_start = "facts.on_demand" if entry.on_demand else "key.no_intake"
                    assert facts["intake"] == label(language, no_start), where
                assert facts["participation"] == label(language, f"participation_form.{entry.participation_form}")
                for provider in entry.awarding_bodies:
                    assert catalogue.providers[provider].name.get(language) in facts["providers"], where
                # Above the fold on a 1280x800 screen: the whole list for an active entry; after the
                # notice of a suspended or withdrawn one, at least its start.
                box = page.evaluate("document.getElementById('mq-key-facts').getBoundingClientRect().toJSON()")
                edge = box["bottom"] if entry.status == "active" else box["top"] + 40
                assert edge <= DESKTOP["height"], f"{where}: key facts end at {box['bottom']} px"
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_facts_come_first_on_a_phone(open_page: Any, catalogue: Catalogue, language: str) -> None:
    entry = stacked_entry(catalogue)
    page = open_page(entry_path(entry, language), window=NARROW)
    order = page.evaluate("[...document.querySelectorAll('main .md-content h2')].map(h => h.id).filter(Boolean)")
    assert order[0] == "mq-key", order


def _pages(catalogue: Catalogue) -> dict[str, str]:
    """Pages with what issue 17 added, by kind (paths from a language's root)."""
    entry = stacked_entry(catalogue)
    return {
        "entry": f"{entry.sector}/{entry.id}/",
        "sector": f"{entry.sector}/",
        "statistics": "statistics/",
    }


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["entry", "sector", "statistics"])
def test_new_pages_and_components_have_no_serious_wcag_violations(
    open_page: Any, catalogue: Catalogue, kind: str, language: str, scheme: str
) -> None:
    path = ("" if language == "lv" else "en/") + _pages(catalogue)[kind]
    page = open_page(path, scheme)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEMES[scheme]
    violations = serious_violations(page)
    assert not violations, f"{page.url} ({scheme}):\n{describe_violations(violations)}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["entry", "sector", "statistics"])
def test_new_pages_need_no_sideways_scrolling_at_320_css_pixels(
    open_page: Any, catalogue: Catalogue, kind: str, language: str
) -> None:
    path = ("" if language == "lv" else "en/") + _pages(catalogue)[kind]
    page = open_page(path, window=NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url}: {width} px wide"


@pytest.mark.parametrize("language", LANGUAGES)
def test_entry_page_prints_as_a_fact_sheet_of_at_most_two_pages(
    browser: Any, served_site: str, catalogue: Catalogue, language: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.emulate_media(media="print")
    try:
        for entry in catalogue.published_entries():
            page.goto(served_site + entry_path(entry, language))
            shown = page.evaluate(
                """() => ({
                  nav: !!document.querySelector('.md-sidebar--primary')?.checkVisibility(),
                  header: !!document.querySelector('.md-header')?.checkVisibility(),
                  facts: !!document.getElementById('mq-key-facts')?.checkVisibility(),
                  written: getComputedStyle(document.querySelector('.mq-entry a[href^="mailto:"]'), '::after').content,
                })"""
            )
            assert not shown["nav"] and not shown["header"] and shown["facts"], f"{entry.id}: {shown}"
            assert shown["written"].startswith('" <mailto:'), f"{entry.id}: links not written out: {shown['written']}"
            pdf = page.pdf(format="A4")
            pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
            assert 1 <= pages <= 2, f"{entry.id} ({language}) prints on {pages} pages"
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_pathway_nodes_lead_to_their_entries_and_the_words_are_what_keyboards_reach(
    open_page: Any, served_site: str, catalogue: Catalogue, language: str
) -> None:
    entry = stacked_entry(catalogue)
    part = catalogue.entries[catalogue.built_from()[entry.id][0]]
    page = open_page(entry_path(entry, language))
    figure = page.locator(".mq-pathway").first
    # The drawing is seen, not read or tabbed to; the sentences below it carry the same links.
    assert figure.locator("svg").get_attribute("aria-hidden") == "true"
    assert figure.locator("svg a").evaluate_all("links => links.every(a => a.tabIndex === -1)")
    words = figure.locator("figcaption")
    assert words.get_by_role("link", name=part.title.get(language)).count() >= 1
    assert words.locator("[aria-current=page]").first.text_content() == entry.title.get(language)
    # A click on the part's box opens the part's page.
    figure.locator(f'svg a[href$="/{part.sector}/{part.id}/"]').click()
    page.wait_for_url(served_site + entry_path(part, language))
    assert page.locator("h1").first.text_content().strip() == part.title.get(language)
