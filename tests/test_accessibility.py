"""Accessible to everyone: WCAG 2.1 AA, checked in the browser (issue 7).

The sample catalogue is built once and every kind of page is opened in headless
Chromium, in both languages and, for the automated rules, in both colour schemes:

* axe-core finds no serious or critical violation of the WCAG 2.0/2.1 A and AA rules;
* the keyboard: a skip link comes first, Tab reaches every control with a visible
  focus ring, the finder reads search box -> facets -> sort -> results, and the
  navigation drawer of narrow screens opens from the keyboard;
* what a screen reader is told: landmarks, one h1, no skipped heading level, the
  fact sheet as a description list, the finder's fieldsets and live region, and
  text in the other language marked with `lang`;
* reflow: a 320 CSS px wide window (1280 px at 400 % zoom) needs no sideways scrolling;
* the accessibility statement exists and every page's footer links to it.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urljoin

import pytest
import yaml

from generator.i18n import LANGUAGES, label
from generator.model import Catalogue, MicroQualification

from .a11y_support import FOCUS_JS, TABBABLE_JS, describe_violations, serious_violations, serve, settle
from .conftest import CATALOGUE_DIR, build_site

pytestmark = pytest.mark.browser

SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's scheme
KINDS = (
    "home",
    "sector",
    "entry",
    "withdrawn entry",
    "suspended entry",
    "provider",
    "providers",
    "level",
    "levels",
    "about",
    "accessibility statement",
    "finder with results",
    "finder without results",
    "verify",
    "verifiers",
)
FINDER_KINDS = ("finder with results", "finder without results")
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}
# Matches nothing in any language of the catalogue.
NO_MATCH = "qqxzv"


def _first(entries: list[MicroQualification], status: str) -> MicroQualification:
    found = sorted((e for e in entries if e.status == status), key=lambda e: e.id)
    assert found, f"the sample catalogue has no {status} entry to test with"
    return found[0]


def _finder_word(entry: MicroQualification, language: str) -> str:
    """A word of the entry's title that the finder must match: the longest one."""
    return max(entry.title.get(language).split(), key=len)


@pytest.fixture(scope="module")
def pages(catalogue: Catalogue) -> dict[tuple[str, str], str]:
    """(kind, language) -> path of a page of that kind, from the sample catalogue."""
    entries = list(catalogue.entries.values())
    entry = _first(entries, "active")
    provider = catalogue.providers[entry.awarding_bodies[0]]
    paths = {}
    for language in LANGUAGES:
        prefix = "" if language == "lv" else f"{language}/"
        kinds = {
            "home": "",
            "sector": f"{entry.sector}/",
            "entry": f"{entry.sector}/{entry.id}/",
            "withdrawn entry": "{0.sector}/{0.id}/".format(_first(entries, "withdrawn")),
            "suspended entry": "{0.sector}/{0.id}/".format(_first(entries, "suspended")),
            "provider": f"providers/{provider.id}/",
            "providers": "providers/",
            "level": f"levels/{entry.lki}/",
            "levels": "levels/",
            "about": "about/",
            "accessibility statement": "accessibility/",
            "finder with results": "finder/?s=" + quote(_finder_word(entry, language)),
            "finder without results": f"finder/?s={NO_MATCH}",
            "verify": "verify/",
            "verifiers": "verifiers/",
        }
        paths.update({(kind, language): prefix + path for kind, path in kinds.items()})
    return paths


@pytest.fixture()
def open_page(browser: Any, pages: dict[tuple[str, str], str], served_site: str) -> Iterator[Callable[..., Any]]:
    """open_page(kind, language, scheme="light", window="desktop") -> a loaded, settled page.

    Every page opens in a fresh browser context: a first visit, nothing cached or stored
    (Material keeps a chosen palette in localStorage).
    """
    contexts = []

    def open_(kind: str, language: str, scheme: str = "light", window: str = "desktop") -> Any:
        context = browser.new_context(color_scheme=scheme, viewport=DESKTOP if window == "desktop" else NARROW)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(served_site + pages[kind, language])
        assert response is not None and response.ok, f"{pages[kind, language]}: HTTP {response and response.status}"
        settle(page)
        if kind in FINDER_KINDS:
            wait_for_finder(page, language)
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_for_finder(page: Any, language: str) -> None:
    """Wait until the finder has loaded and announced its result count in its live region."""
    page.wait_for_function(
        "loading => [...document.querySelectorAll('.md-content [aria-live], .md-content [role=status]')]"
        ".some(region => region.textContent.trim() && region.textContent.trim() !== loading)",
        arg=label(language, "finder.loading"),
        timeout=10_000,
    )
    settle(page)


# --- axe-core -----------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_page_has_no_serious_wcag_violations(open_page: Any, kind: str, language: str, scheme: str) -> None:
    page = open_page(kind, language, scheme)
    shown = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert shown == SCHEMES[scheme], f"prefers-color-scheme: {scheme} showed the {shown!r} palette"
    violations = serious_violations(page)
    assert not violations, f"{page.url} ({scheme}):\n{describe_violations(violations)}"


# --- keyboard -----------------------------------------------------------------------------


def tab_walk(page: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Press Tab from the top of the page round to the first stop again.

    Returns what should be reachable (TABBABLE_JS) and what each Tab reached (FOCUS_JS).
    """
    reachable = page.evaluate(TABBABLE_JS)
    stops: list[dict[str, Any]] = []
    for _ in range(len(reachable) + 10):
        page.keyboard.press("Tab")
        settle(page)
        # FOCUS_JS scrolls the focused element to the middle of the window; Material moves its
        # sticky sidebars a frame after a scroll (off the footer), so measure after it has.
        page.evaluate(FOCUS_JS)
        settle(page)
        stop = page.evaluate(FOCUS_JS)
        if stop["name"] == "BODY":  # past the last element, before the first one again
            continue
        if stops and stop["tab"] is not None and stop["tab"] == stops[0]["tab"]:
            break
        stops.append(stop)
    return reachable, stops


def focus_problems(stops: list[dict[str, Any]]) -> list[str]:
    """Stops where a keyboard user could not see where the focus is."""
    problems = []
    for stop in stops:
        if not stop["ring"]:
            problems.append(f"{stop['name']}: no outline or box-shadow when focused")
        elif stop["ratio"] is not None and stop["ratio"] < 3:
            problems.append(f"{stop['name']}: focus ring contrast {stop['ratio']:.2f}:1, below 3:1")
        if not stop["onScreen"] or not stop["uncovered"]:
            problems.append(f"{stop['name']}: focused while off screen, invisible or covered")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_first_tab_is_a_visible_skip_link_that_moves_focus_to_the_content(
    open_page: Any, kind: str, language: str
) -> None:
    page = open_page(kind, language)
    page.keyboard.press("Tab")
    settle(page)
    stop = page.evaluate(FOCUS_JS)
    link = page.evaluate("[document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert link == [label(language, "site.skip"), "#mq-main"], f"first Tab reached {stop['name']}"
    assert not focus_problems([stop]), focus_problems([stop])
    page.keyboard.press("Enter")
    settle(page)
    assert page.evaluate("document.activeElement.id") == "mq-main"
    assert page.evaluate("!!document.activeElement.closest('main .md-content')")
    page.keyboard.press("Tab")
    settle(page)
    # The next stop comes after the target: the header and the navigation are skipped.
    assert page.evaluate(
        "!!(document.getElementById('mq-main').compareDocumentPosition(document.activeElement)"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    ), f"after the skip link, Tab reached {page.evaluate(FOCUS_JS)['name']}"


# The entry page and the finder in every scheme and window; every other kind of page on
# a narrow screen, where Material's drawer and search overlays make focus go astray.
TAB_WALKS = [
    (kind, scheme, window)
    for kind in ("entry", "finder with results")
    for scheme in SCHEMES
    for window in ("desktop", "narrow")
] + [(kind, "light", "narrow") for kind in KINDS if kind not in ("entry", "finder with results")]


@pytest.mark.parametrize(("kind", "scheme", "window"), TAB_WALKS)
def test_tab_reaches_every_control_and_shows_where_the_focus_is(
    open_page: Any, kind: str, scheme: str, window: str
) -> None:
    page = open_page(kind, "lv", scheme, window)
    reachable, stops = tab_walk(page)
    reached = {stop["tab"] for stop in stops}
    missed = [name for index, name in enumerate(reachable) if index not in reached]
    assert not missed, f"Tab never reached: {missed}"
    assert stops[0]["tab"] == 0, f"the first Tab stop is {stops[0]['name']}, not the first element of the page"
    problems = focus_problems(stops)
    assert not problems, "\n".join(problems)


def finder_role(page: Any) -> str:
    """What the focused element is in the finder: search, facet, sort, result, other or outside."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el.closest('.md-content')) return 'outside';
          if (el.matches('input[type=search], button[type=submit]')) return 'search';
          if (el.closest('fieldset')) return 'facet';
          if (el.matches('select')) return 'sort';
          if (el.matches('a[href]')) return 'result';
          return 'other';
        }"""
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_finder_tab_order_is_search_box_facets_sort_results(open_page: Any, language: str) -> None:
    page = open_page("finder with results", language)
    page.focus("#mq-main")
    order: list[str] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        role = finder_role(page)
        if role == "outside":
            break
        if role != "other" and (not order or order[-1] != role):
            order.append(role)
    assert order == ["search", "facet", "sort", "result"], f"the finder's Tab order: {' -> '.join(order)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_menu_button_opens_and_closes_the_navigation_drawer_from_the_keyboard(open_page: Any, language: str) -> None:
    page = open_page("entry", language, window="narrow")
    button = page.get_by_role("button", name=label(language, "a11y.menu"))
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    page.keyboard.press("Enter")
    settle(page)
    assert button.get_attribute("aria-expanded") == "true"
    stop = page.evaluate(FOCUS_JS)
    assert page.evaluate("!!document.activeElement.closest('.md-sidebar--primary nav')"), stop["name"]
    assert not focus_problems([stop]), focus_problems([stop])
    page.keyboard.press("Escape")
    settle(page)
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('mq-menu')")


# --- what a screen reader is told ---------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_page_has_landmarks_one_h1_and_no_skipped_heading_level(open_page: Any, kind: str, language: str) -> None:
    page = open_page(kind, language)
    assert page.evaluate("document.documentElement.lang") == language
    counts = {role: page.get_by_role(role).count() for role in ("banner", "navigation", "main", "contentinfo")}
    assert counts["banner"] == 1 and counts["main"] == 1 and counts["contentinfo"] == 1, counts
    assert counts["navigation"] >= 1, counts
    assert page.get_by_role("heading", level=1).count() == 1
    levels = page.evaluate(
        "[...document.querySelector('main .md-content').querySelectorAll('h1, h2, h3, h4, h5, h6')]"
        ".filter(h => h.checkVisibility()).map(h => Number(h.tagName[1]))"
    )
    assert levels and levels[0] == 1, f"the content starts with h{levels[0] if levels else '-'}"
    skips = [f"h{a} -> h{b}" for a, b in itertools.pairwise(levels) if b > a + 1]
    assert not skips, f"skipped heading levels: {skips}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_entry_fact_sheet_is_a_description_list(open_page: Any, language: str) -> None:
    page = open_page("entry", language)
    section = page.get_by_role("region", name=label(language, "entry.facts"))
    pairs = section.evaluate(
        """section => { const list = section.querySelector('dl');
          return list ? [...list.children].map(c => c.tagName) : null; }"""
    )
    assert pairs, "the fact sheet is not a <dl>"
    assert pairs[0] == "DT" and pairs.count("DT") == pairs.count("DD") >= 13, pairs
    assert all(a != b for a, b in itertools.pairwise(pairs)), "every term has its description"


@pytest.mark.parametrize("language", LANGUAGES)
def test_entry_title_in_the_other_language_is_marked_with_its_language(
    open_page: Any, catalogue: Catalogue, language: str
) -> None:
    page = open_page("entry", language)
    entry = _first(list(catalogue.entries.values()), "active")
    other = "en" if language == "lv" else "lv"
    marked = page.locator(f'.md-content [lang="{other}"]').all_text_contents()
    assert entry.title.get(other) in [text.strip() for text in marked]


@pytest.mark.parametrize("language", LANGUAGES)
def test_finder_facets_are_fieldsets_with_legends_and_the_count_is_live(open_page: Any, language: str) -> None:
    page = open_page("finder with results", language)
    groups = page.evaluate(
        "[...document.querySelectorAll('.md-content fieldset')].map(f => {"
        " const legend = f.querySelector(':scope > legend'); return legend ? legend.textContent.trim() : ''; })"
    )
    assert groups, "the finder has no fieldset"
    assert all(groups), f"a fieldset without a legend: {groups}"
    live = page.locator(".md-content [aria-live=polite], .md-content [role=status]")
    assert live.count() == 1
    before = live.first.text_content().strip()
    assert before
    page.locator(".md-content input[type=search]").fill(NO_MATCH)
    page.wait_for_function(
        "previous => { const region = document.querySelector("
        "'.md-content [aria-live=polite], .md-content [role=status]');"
        " return region.textContent.trim() !== previous; }",
        arg=before,
    )


@pytest.fixture(scope="module")
def latvian_only_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """The sample catalogue with one entry's purpose written in Latvian only, built and served."""
    work = tmp_path_factory.mktemp("latvian-only")
    catalogue = work / "catalogue"
    shutil.copytree(CATALOGUE_DIR, catalogue)
    source = next(p for p in sorted(catalogue.glob("*/*.yaml")) if yaml.safe_load(p.read_text())["status"] == "active")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    del data["purpose"]["en"]
    data["version"] += 1  # a changed published entry needs a new version
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site = build_site(work, catalogue)
    with serve(site) as url:
        yield url, data


def test_latvian_fallback_on_the_english_site_is_marked_as_latvian(
    latvian_only_site: tuple[str, dict[str, Any]], browser: Any
) -> None:
    url, entry = latvian_only_site
    page = browser.new_page()
    try:
        page.goto(f"{url}en/{entry['sector']}/{entry['id']}/")
        marked = [text.strip() for text in page.locator('.md-content span[lang="lv"]').all_text_contents()]
        assert entry["purpose"]["lv"] in marked
        assert label("en", "language.latvian_only") in page.locator(".md-content").text_content()
    finally:
        page.close()


# --- reflow ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_page_needs_no_sideways_scrolling_at_320_css_pixels(open_page: Any, kind: str, language: str) -> None:
    page = open_page(kind, language, window="narrow")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """limit => [...document.body.querySelectorAll('*')]
          .filter(e => e.getBoundingClientRect().right > limit + 0.5 && e.checkVisibility({visibilityProperty: true}))
          .slice(0, 5)
          .map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`)""",
        NARROW["width"],
    )
    assert width <= NARROW["width"], f"{page.url}: {width} px wide; too wide: {wide}"


# --- the accessibility statement --------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_accessibility_statement_page_exists(open_page: Any, language: str) -> None:
    page = open_page("accessibility statement", language)
    assert page.get_by_role("heading", level=1).text_content().strip() == label(language, "pages.accessibility")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_footer_links_to_the_accessibility_statement(
    open_page: Any, pages: dict[tuple[str, str], str], served_site: str, kind: str, language: str
) -> None:
    page = open_page(kind, language)
    link = page.get_by_role("contentinfo").get_by_role("link", name=label(language, "site.accessibility"), exact=True)
    assert link.count() == 1
    target = urljoin(page.url, link.get_attribute("href"))
    assert target == served_site + pages["accessibility statement", language]
