"""The finder in headless Chromium: queries with and without diacritics, prefixes, facets, URL state.

The site is the sample catalogue built once per session (conftest's `built_site`,
exactly as `mqcat build` builds it) and served on 127.0.0.1 (`served_site`,
`browser`: tests/a11y_support.py). Expected results are worked out here from the
catalogue model, by the rule the finder promises: every query word, folded
(lower case, no diacritics), starts a word of an entry's title, keywords,
learning outcomes, purpose, provider or sector (three characters or more), or
is one (shorter words).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from generator.context import BuildContext
from generator.i18n import label
from generator.model import Catalogue, MicroQualification
from generator.site.search_index import fold

pytestmark = pytest.mark.browser


@pytest.fixture()
def finder(browser: Any, served_site: str) -> Iterator[Any]:
    """A page in a fresh context that records console errors and requests leaving 127.0.0.1."""
    context = browser.new_context()
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("request", lambda r: r.url.startswith(served_site) or page.problems.append("outside: " + r.url))
    page.base = served_site  # type: ignore[attr-defined]
    yield page
    assert page.problems == []  # type: ignore[attr-defined]
    context.close()


def open_finder(page: Any, query: str = "", language: str = "lv") -> None:
    prefix = "" if language == "lv" else "en/"
    page.goto(f"{page.base}{prefix}finder/{query}")
    settled(page, language)


def settled(page: Any, language: str = "lv") -> None:
    loading = label(language, "finder.loading")
    page.wait_for_function("text => document.getElementById('mq-count').textContent !== text", arg=loading)
    page.wait_for_timeout(300)  # let a debounced update run


def result_ids(page: Any) -> set[str]:
    return set(result_order(page))


def result_order(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("#mq-results a", "links => links.map(a => a.getAttribute('href'))")
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in hrefs]


def count_text(n: int, language: str = "lv") -> str:
    return label(language, "finder.results", n=n) if n else label(language, "finder.no_results")


def searchable_words(entry: MicroQualification, catalogue: Catalogue) -> set[str]:
    """The folded Latvian words of the fields the finder searches."""
    texts = [entry.title.lv, entry.purpose.lv, catalogue.sectors[entry.sector].name.lv]
    texts += list(entry.keywords.get("lv") or ())
    texts += [outcome.text.lv for outcome in entry.learning_outcomes]
    for provider in entry.awarding_bodies:
        texts += [catalogue.providers[provider].name.lv, catalogue.providers[provider].legal_name]
    return {fold(word) for text in texts for word in re.split(r"[\s\-]+", text)} - {""}


def expected_ids(catalogue: Catalogue, query: str) -> set[str]:
    """The published entries a Latvian query finds, by the finder's rule."""
    wanted = [fold(word) for word in re.split(r"[\s\-]+", query) if fold(word)]
    found = set()
    for entry in catalogue.published_entries():
        words = searchable_words(entry, catalogue)
        if all(any(w.startswith(q) if len(q) >= 3 else w == q for w in words) for q in wanted):
            found.add(entry.id)
    return found


def test_finder_lists_every_published_entry_without_a_query(finder: Any, catalogue: Catalogue) -> None:
    open_finder(finder, "?sort=title")
    published = catalogue.published_entries()
    assert finder.text_content("#mq-count") == label("lv", "finder.results", n=len(published))
    shown = finder.eval_on_selector_all("#mq-results li", "items => items.length")
    assert shown == min(30, len(published))


def test_query_with_and_without_diacritics_finds_the_same_entries(finder: Any, catalogue: Catalogue) -> None:
    entry = next(e for e in catalogue.published_entries() if fold(e.title.lv) != e.title.lv.lower())
    word = next(w for w in entry.title.lv.split() if fold(w) != w.lower() and len(w) > 4)
    expected = expected_ids(catalogue, word)
    open_finder(finder, f"?s={word}")
    with_marks = result_ids(finder)
    assert finder.text_content("#mq-count") == count_text(len(expected))
    open_finder(finder, f"?s={fold(word)}")
    without = result_ids(finder)
    assert finder.text_content("#mq-count") == count_text(len(expected))
    assert entry.id in with_marks
    assert with_marks == without <= expected


def test_typed_query_without_diacritics_finds_an_entry_with_them(finder: Any, catalogue: Catalogue) -> None:
    entry = next(e for e in catalogue.published_entries() if fold(e.title.lv) != e.title.lv.lower())
    word = next(w for w in entry.title.lv.split() if fold(w) != w.lower() and len(w) > 4)
    open_finder(finder)
    finder.fill("#mq-q", fold(word))
    finder.press("#mq-q", "Enter")
    settled(finder)
    assert entry.id in result_ids(finder)
    assert finder.text_content("#mq-count") == count_text(len(expected_ids(catalogue, word)))


def test_word_prefix_matches(finder: Any, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    word = max(entry.title.lv.split(), key=len)
    open_finder(finder, f"?s={word[:4]}")
    assert entry.id in result_ids(finder)
    assert finder.text_content("#mq-count") == count_text(len(expected_ids(catalogue, word[:4])))


def test_words_combine_with_and(finder: Any, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    words = [w for w in entry.title.lv.split() if len(w) > 3][:2]
    open_finder(finder, f"?s={'+'.join(words)}")
    both = result_ids(finder)
    assert finder.text_content("#mq-count") == count_text(len(expected_ids(catalogue, " ".join(words))))
    open_finder(finder, f"?s={words[0]}")
    first = result_ids(finder)
    assert entry.id in both and both <= first


def test_facets_and_across_groups_or_within(finder: Any, catalogue: Catalogue) -> None:
    published = catalogue.published_entries()
    open_finder(finder, "?form=online&form=blended&cost=paid")
    expected = {e.id for e in published if e.participation_form in ("online", "blended") and e.cost_type == "paid"}
    assert finder.text_content("#mq-count") == label("lv", "finder.results", n=len(expected))
    # Up to 30 cards show; every one is in the expected set.
    assert result_ids(finder) <= expected and len(result_ids(finder)) == min(30, len(expected))


def test_option_counts_say_how_many_results_remain(finder: Any, catalogue: Catalogue) -> None:
    published = catalogue.published_entries()
    open_finder(finder, "?cost=paid")
    for level in sorted({e.lki for e in published}):
        expected = sum(1 for e in published if e.lki == level and e.cost_type == "paid")
        count = finder.text_content(f"fieldset[data-param=level] input[value='{level}'] + label [data-count]")
        assert count == f"({expected})"
    # Options of the selected group itself count as if chosen alone (OR within a group).
    paid = sum(1 for e in published if e.cost_type == "paid")
    assert finder.text_content("fieldset[data-param=cost] input[value=paid] + label [data-count]") == f"({paid})"


def test_state_round_trips_through_the_url_reload_and_back(finder: Any, catalogue: Catalogue) -> None:
    open_finder(finder)
    sector = catalogue.published_entries()[0].sector
    finder.check(f"fieldset[data-param=sector] input[value='{sector}']")
    settled(finder)
    assert f"sector={sector}" in finder.url
    filtered = result_ids(finder)
    assert filtered == {e.id for e in catalogue.published_entries() if e.sector == sector} or len(filtered) == 30
    finder.reload()
    settled(finder)
    assert finder.is_checked(f"fieldset[data-param=sector] input[value='{sector}']")
    assert result_ids(finder) == filtered
    finder.go_back()
    settled(finder)
    assert not finder.is_checked(f"fieldset[data-param=sector] input[value='{sector}']")
    assert "sector=" not in finder.url


def test_typed_query_updates_results_and_url(finder: Any, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    word = max(entry.title.lv.split(), key=len)
    open_finder(finder)
    finder.fill("#mq-q", word)
    finder.press("#mq-q", "Enter")
    settled(finder)
    assert entry.id in result_ids(finder)
    assert "s=" in finder.url


def test_home_search_hands_over_to_the_finder(finder: Any, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    word = max(entry.title.lv.split(), key=len)
    finder.goto(finder.base)
    finder.fill("#mq-home-q", word)
    finder.press("#mq-home-q", "Enter")
    finder.wait_for_url("**/finder/**")
    settled(finder)
    assert entry.id in result_ids(finder)


def test_english_finder_answers_english_queries(finder: Any, catalogue: Catalogue) -> None:
    entry = next(e for e in catalogue.published_entries() if "forklift" in (e.title.en or "").lower())
    open_finder(finder, "?s=forklifts", language="en")
    assert entry.id in result_ids(finder)
    assert finder.text_content("#mq-count").startswith("Results")
    links = finder.eval_on_selector_all("#mq-results a", "links => links.map(a => a.href)")
    assert all("/en/" in link for link in links)


def test_no_results_are_announced(finder: Any) -> None:
    open_finder(finder, "?s=zzzqqqxxx")
    assert finder.text_content("#mq-count") == label("lv", "finder.no_results")
    assert finder.get_attribute("#mq-count", "aria-live") == "polite"


def test_header_search_box_opens_the_finder_with_the_words_typed(finder: Any, catalogue: Catalogue) -> None:
    entry = next(e for e in catalogue.published_entries() if e.sector == "energy")
    word = max(entry.title.lv.split(), key=len)[:5]
    finder.goto(f"{finder.base}{entry.sector}/{entry.id}/")
    fetched: list[str] = []
    finder.on("request", lambda request: fetched.append(request.url))
    finder.fill("#mq-header-q", word)
    finder.press("#mq-header-q", "Enter")
    finder.wait_for_url(re.compile(r"/finder/\?s="))
    settled(finder)
    assert finder.input_value("#mq-q") == word
    assert entry.id in result_ids(finder)
    assert result_ids(finder) == expected_ids(catalogue, word)
    assert not [url for url in fetched if "search_index" in url], "no whole-site index is downloaded"


def test_query_and_facets_combine(finder: Any, catalogue: Catalogue) -> None:
    entry = next(e for e in catalogue.published_entries() if e.cost_type == "paid")
    word = max(entry.title.lv.split(), key=len)[:5]
    open_finder(finder, f"?s={word}&cost=paid")
    expected = {e.id for e in catalogue.published_entries() if e.cost_type == "paid"} & expected_ids(catalogue, word)
    assert result_ids(finder) == expected
    assert finder.text_content("#mq-count") == count_text(len(expected))


def test_open_now_is_decided_against_the_visitors_date(
    finder: Any, catalogue: Catalogue, context: BuildContext
) -> None:
    finder.clock.set_fixed_time(f"{context.today.isoformat()}T12:00:00")
    open_finder(finder, "?intake=open-now")
    expected = {e.id for e in catalogue.published_entries() if e.upcoming_starts(context.today)}
    assert finder.text_content("#mq-count") == count_text(len(expected))
    assert result_ids(finder) <= expected
    on_demand = {e.id for e in catalogue.published_entries() if e.on_demand}
    count = finder.text_content("fieldset[data-param=intake] input[value=on-demand] + label [data-count]")
    assert count == f"({len(on_demand)})"


def test_sort_by_workload_puts_the_shortest_first(finder: Any, catalogue: Catalogue) -> None:
    open_finder(finder, "?sort=workload")
    hours = {e.id: e.hours for e in catalogue.published_entries()}
    shown = [hours[entry_id] for entry_id in result_order(finder)]
    assert shown == sorted(shown)
    assert shown[0] == min(hours.values())
    assert finder.input_value("#mq-sort") == "workload"


def test_show_more_adds_the_remaining_cards(finder: Any, catalogue: Catalogue) -> None:
    published = catalogue.published_entries()
    open_finder(finder)
    assert finder.is_visible("#mq-more") == (len(published) > 30)
    if len(published) > 30:
        finder.click("#mq-more")
        finder.wait_for_function("n => document.querySelectorAll('#mq-results li').length === n", arg=len(published))
        assert finder.is_hidden("#mq-more")


def test_english_partly_typed_words_match_by_prefix(finder: Any, catalogue: Catalogue) -> None:
    # "manufacturin" is no stem of anything; the English text is indexed unstemmed.
    entry, word = next(
        (e, w)
        for e in catalogue.published_entries()
        for w in (e.title.en or "").lower().split()
        if w.isalpha() and w.endswith("ing") and len(w) > 7
    )
    open_finder(finder, f"?s={word[:-1]}", language="en")
    assert entry.id in result_ids(finder)


def test_facets_are_labelled_fieldsets(finder: Any) -> None:
    open_finder(finder)
    unlabelled = finder.evaluate("""() => Array.from(document.querySelectorAll('#mq-finder input, #mq-finder select'))
        .filter(input => !input.labels || !input.labels.length || !input.labels[0].textContent.trim())
        .map(input => input.id)""")
    assert unlabelled == []
    assert finder.evaluate("""() => Array.from(document.querySelectorAll('#mq-finder fieldset'))
        .every(set => set.querySelector(':scope > legend')
          && set.querySelector(':scope > legend').textContent.trim())""")


def test_without_javascript_the_page_points_to_the_sector_listings(browser: Any, served_site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served_site}finder/")
    notice = page.locator("noscript a")
    assert notice.is_visible() and notice.text_content() == label("lv", "finder.noscript_link")
    context.close()
