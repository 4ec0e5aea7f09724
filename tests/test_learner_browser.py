"""What a learner decides by (issue 17), in headless Chromium: key facts first and correct, the
pages and components it added accessible in both palettes and languages, reflow at 320 px, print."""

from __future__ import annotations

import datetime as dt
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


# --- the finder explains and compares --------------------------------------------------------------


def finder_ready(page: Any, language: str) -> None:
    loading = label(language, "finder.loading")
    page.wait_for_function("text => document.getElementById('mq-count').textContent !== text", arg=loading)
    page.wait_for_timeout(300)  # a debounced update


def comparison_ready(page: Any) -> None:
    """Wait until the comparison has loaded what the address names (the status no longer says loading)."""
    page.wait_for_function(
        "loading => !loading.includes(document.getElementById('mq-comparison-status').textContent.trim())",
        arg=[label(language, "compare.loading") for language in LANGUAGES],
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_finder_results_say_why_they_matched_with_intake_and_cost(
    open_page: Any, catalogue: Catalogue, language: str
) -> None:
    entry = next(e for e in catalogue.published_entries() if e.id == "forklift-safe-operation")
    word = entry.keywords[language][0]  # a keyword that is not in the title
    page = open_page(("" if language == "lv" else "en/") + "finder/?s=" + word)
    finder_ready(page, language)
    card = page.locator("#mq-results > li", has=page.locator(f'a[href$="/{entry.id}/"]'))
    assert card.count() == 1
    why = card.locator(".mq-card__why").text_content()
    assert label(language, "finder_extra.field_keywords") in why
    terms = card.locator("dt").all_text_contents()
    values = card.locator("dd").all_text_contents()
    facts = dict(zip(terms, values, strict=True))
    upcoming = [d for d in entry.starts if d >= dt.date.today()]
    expected = upcoming[0].isoformat() if upcoming else label(language, "facts.on_demand")
    assert facts[label(language, "finder_extra.next_intake")] == expected
    assert facts[label(language, "finder_extra.cost")] == label(language, f"cost_type.{entry.cost_type}")


def test_finder_marks_words_in_text_nodes_only(open_page: Any, catalogue: Catalogue) -> None:
    page = open_page("en/finder/?s=warehouse")
    finder_ready(page, "en")
    marks = page.locator("#mq-results mark")
    assert marks.count() > 0
    assert all("warehouse" in m.lower() for m in marks.all_text_contents())
    # Every mark holds text only: nothing of an excerpt is parsed as markup.
    assert page.evaluate("[...document.querySelectorAll('#mq-results mark')].every(m => m.children.length === 0)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_choose_three_compare_side_by_side_and_the_url_round_trips(
    open_page: Any, served_site: str, catalogue: Catalogue, language: str
) -> None:
    prefix = "" if language == "lv" else "en/"
    page = open_page(prefix + "finder/")
    finder_ready(page, language)
    boxes = page.locator("#mq-results input[data-compare]")
    for index in range(3):
        boxes.nth(index).check()
    chosen = [boxes.nth(i).get_attribute("data-compare") for i in range(3)]
    assert boxes.nth(3).is_disabled(), "a fourth choice is refused"
    assert [p.split("=", 1)[1].replace("%2F", "/") for p in page.url.split("?", 1)[1].split("&")] == chosen
    page.reload()
    finder_ready(page, language)
    assert [b.get_attribute("data-compare") for b in page.locator("#mq-results input[data-compare]:checked").all()]
    link = page.locator("#mq-compare-link")
    assert link.is_visible()
    link.click()
    page.wait_for_url("**/compare/?**")
    comparison_ready(page)
    columns = page.locator(".mq-comparison__table thead th a").all_text_contents()
    by_path = {f"{e.sector}/{e.id}": e for e in catalogue.published_entries()}
    assert columns == [by_path[path].title.get(language) for path in chosen]
    rows = {
        row.locator("th").text_content(): [td.inner_text().strip() for td in row.locator("td").all()]
        for row in page.locator(".mq-comparison__table tbody tr").all()
    }
    assert rows[label(language, "facts.workload")] == [
        by_path[p].data["workload"]
        and label(language, "units.hours", n=f"{by_path[p].hours:g}")
        + (" · " + label(language, "units.ects", n=f"{by_path[p].ects:g}") if by_path[p].ects else "")
        for p in chosen
    ]
    assert rows[label(language, "facts.level")] == [f"LKI {by_path[p].lki} / EQF {by_path[p].lki}" for p in chosen]
    # Links inside the facts still lead to the right pages.
    level_link = page.locator(".mq-comparison__table tbody a[href*='levels/']").first.get_attribute("href")
    assert level_link.startswith(served_site + prefix + "levels/")
    # Removing one rewrites the address; the address alone rebuilds the same comparison.
    page.get_by_role(
        "button", name=label(language, "compare.remove", title=by_path[chosen[0]].title.get(language))
    ).click()
    page.wait_for_function("() => document.querySelectorAll('.mq-comparison__table thead th a').length === 2")
    assert chosen[0] not in page.url.replace("%2F", "/")
    url = page.url
    page.goto(url)
    comparison_ready(page)
    assert page.locator(".mq-comparison__table thead th a").all_text_contents() == [
        by_path[p].title.get(language) for p in chosen[1:]
    ]


def test_comparison_works_without_the_finders_data(browser: Any, served_site: str, catalogue: Catalogue) -> None:
    context = browser.new_context()
    page = context.new_page()
    finder_requests: list[str] = []
    page.route("**/finder/**", lambda route: (finder_requests.append(route.request.url), route.abort()))
    try:
        entries = catalogue.published_entries()[:2]
        query = "&".join(f"e={e.sector}/{e.id}" for e in entries)
        page.goto(f"{served_site}en/compare/?{query}")
        comparison_ready(page)
        assert page.locator(".mq-comparison__table thead th a").all_text_contents() == [e.title.en for e in entries]
        assert not finder_requests
    finally:
        context.close()


def test_comparison_ignores_addresses_that_are_not_entries(open_page: Any, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    page = open_page(f"compare/?e=https://example.org/x&e=../../api&e={entry.sector}/{entry.id}")
    comparison_ready(page)
    assert page.locator(".mq-comparison__table thead th a").all_text_contents() == [entry.title.lv]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_finder_choice_and_comparison_have_no_serious_wcag_violations(
    open_page: Any, catalogue: Catalogue, language: str, scheme: str
) -> None:
    prefix = "" if language == "lv" else "en/"
    chosen = [f"{e.sector}/{e.id}" for e in catalogue.published_entries()[:3]]
    page = open_page(prefix + "finder/?s=a&" + "&".join(f"c={p}" for p in chosen), scheme)
    finder_ready(page, language)
    violations = serious_violations(page)
    assert not violations, f"{page.url} ({scheme}):\n{describe_violations(violations)}"
    page = open_page(prefix + "compare/?" + "&".join(f"e={p}" for p in chosen), scheme)
    comparison_ready(page)
    violations = serious_violations(page)
    assert not violations, f"{page.url} ({scheme}):\n{describe_violations(violations)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_comparison_needs_no_sideways_scrolling_at_320_css_pixels(
    open_page: Any, catalogue: Catalogue, language: str
) -> None:
    prefix = "" if language == "lv" else "en/"
    chosen = [f"{e.sector}/{e.id}" for e in catalogue.published_entries()[:3]]
    page = open_page(prefix + "compare/?" + "&".join(f"e={p}" for p in chosen), window=NARROW)
    comparison_ready(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    # The table scrolls in its own frame, which the keyboard can reach.
    assert page.locator("#mq-comparison-wrap").get_attribute("tabindex") == "0"
