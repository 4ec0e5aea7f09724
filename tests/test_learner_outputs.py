"""What a learner decides by (issue 17), in the built site without a browser: key facts first,
intake calendars, the catalogue in figures. The browser checks are in test_learner_browser.py."""

from __future__ import annotations

import datetime as dt
import json
import statistics as stats
from pathlib import Path

import pytest
from icalendar import Calendar

from generator.i18n import LANGUAGES, label
from generator.model import Catalogue, MicroQualification

from .conftest import SITE_URL, TODAY
from .html_support import Page, parse


def entry_page(site: Path, entry: MicroQualification, language: str) -> Page:
    prefix = "" if language == "lv" else "en/"
    return parse(site / prefix / entry.sector / entry.id / "index.html")


def prefix(language: str) -> str:
    return "" if language == "lv" else "en/"


def key_facts(page: Page) -> dict[str, str]:
    """data-fact -> the text of its value."""
    facts = {}
    for index, element in enumerate(page.elements):
        if element.tag == "div" and "data-fact" in element.attrs:
            value = next(e for e in page.elements[index:] if e.tag == "dd")
            facts[element.attrs["data-fact"]] = " ".join(value.text.split())
    return facts


# --- key facts ----------------------------------------------------------------------------------


def test_key_facts_come_before_the_purpose_and_the_annex_sheet(built_site: Path, catalogue: Catalogue) -> None:
    for entry in catalogue.entries.values():
        for language in LANGUAGES:
            page = entry_page(built_site, entry, language)
            key = page.elements.index(page.find("dl", id="mq-key-facts")[0])
            annex = page.elements.index(page.find("h2", id="mq-facts")[0])
            lead = page.elements.index(page.find("p", **{"class": "mq-lead"})[0])
            assert key < lead < annex, entry.id


def test_key_facts_say_what_the_catalogue_says(built_site: Path, catalogue: Catalogue) -> None:
    for entry in catalogue.published_entries():
        for language in LANGUAGES:
            facts = key_facts(entry_page(built_site, entry, language))
            where = f"{entry.id} ({language})"
            assert facts["workload"].startswith(f"{entry.hours:g} h"), where
            if entry.ects is not None:
                assert f"{entry.ects:g} ECTS" in facts["workload"], where
            assert str(entry.duration_amount) in facts["duration"], where
            if entry.cost_type == "paid":
                assert facts["cost"] == f"{entry.cost_amount:g} {entry.cost_currency}", where
            else:
                assert facts["cost"] == label(language, f"cost_type.{entry.cost_type}"), where
            if entry.funding:
                assert facts["funding"] == entry.funding.get(language), where
            upcoming = [d for d in entry.starts if d >= TODAY]
            if upcoming:
                assert facts["intake"].startswith(upcoming[0].isoformat()), where
                assert upcoming[1:] == [] or str(len(upcoming) - 1) in facts["intake"], where
            elif entry.on_demand:
                assert facts["intake"] == label(language, "facts.on_demand"), where
            else:
                assert facts["intake"] == label(language, "key.no_intake"), where
            assert facts["participation"] == label(language, f"participation_form.{entry.participation_form}")
            for municipality in entry.municipalities():
                assert municipality in facts["places"], where
            assert (label(language, "facts.online") in facts["places"]) == (entry.participation_form != "in-person")
            assert len(facts["languages"].split(", ")) == len(entry.languages), where
            assert facts["level"] == f"LKI {entry.lki} / EQF {entry.lki}", where
            assert f"LKI {entry.lki} / EQF {entry.lki}" in facts["receives"], where
            for provider in entry.awarding_bodies:
                assert catalogue.providers[provider].name.get(language) in facts["providers"], where


def test_key_facts_offer_the_programme_page_and_the_contact(built_site: Path, catalogue: Catalogue) -> None:
    for entry in catalogue.published_entries():
        if entry.status != "active":
            continue
        links = entry_page(built_site, entry, "en").links()
        if entry.homepage:
            assert entry.homepage in links, entry.id
        if entry.contact.email:
            assert any(link.startswith("mailto:") for link in links), entry.id


# --- intakes in the calendar ----------------------------------------------------------------------


def feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("*.ics"))


def read(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def starts(calendar: Calendar) -> dict[str, dt.date]:
    """UID -> start date of every event."""
    return {str(event["uid"]): event.decoded("dtstart") for event in calendar.walk("VEVENT")}


def test_every_calendar_feed_parses_and_its_events_link_to_their_entry(built_site: Path) -> None:
    found = feeds(built_site)
    assert found
    for path in found:
        calendar = read(path)
        assert str(calendar["version"]) == "2.0" and calendar["prodid"], path
        uids = [str(event["uid"]) for event in calendar.walk("VEVENT")]
        assert len(uids) == len(set(uids)), f"{path}: a UID twice"
        for event in calendar.walk("VEVENT"):
            assert str(event["url"]).startswith(SITE_URL), path
            assert str(event["url"]) in str(event["description"]), path
            assert isinstance(event.decoded("dtstart"), dt.date)
            assert event["dtstamp"] and event["summary"], path


def test_entry_feed_holds_every_announced_intake_with_stable_uids(built_site: Path, catalogue: Catalogue) -> None:
    for entry in catalogue.entries.values():
        per_language = {}
        for language in LANGUAGES:
            calendar = read(built_site / prefix(language) / entry.sector / entry.id / "intakes.ics")
            per_language[language] = starts(calendar)
            assert sorted(per_language[language].values()) == list(entry.starts), entry.id
            expected_url = f"{SITE_URL}{prefix(language)}{entry.sector}/{entry.id}/"
            for event in calendar.walk("VEVENT"):
                assert str(event["url"]) == expected_url
                assert str(event["status"]) == ("CONFIRMED" if entry.status == "active" else "CANCELLED")
        # The same start is the same event in both languages.
        assert per_language["lv"] == per_language["en"], entry.id
        assert all(uid.startswith(f"{entry.id}-") for uid in per_language["lv"])


def test_sector_and_catalogue_feeds_hold_the_intakes_of_their_entries(built_site: Path, catalogue: Catalogue) -> None:
    listed = [e for e in catalogue.entries.values() if e.status in ("active", "suspended", "withdrawn")]
    for language in LANGUAGES:
        every = starts(read(built_site / prefix(language) / "intakes.ics"))
        assert len(every) == sum(len(e.starts) for e in listed)
        for sector in catalogue.sectors:
            in_sector = starts(read(built_site / prefix(language) / sector / "intakes.ics"))
            assert sorted(in_sector.values()) == sorted(d for e in listed if e.sector == sector for d in e.starts)
            assert set(in_sector) <= set(every)


def test_a_feed_is_the_same_bytes_when_built_again(catalogue: Catalogue, context) -> None:
    from generator.intakes import entry_events, feed, serialise

    entry = next(e for e in catalogue.published_entries() if len(e.starts) > 1)
    first = feed("x", SITE_URL, "lv", serialise(entry_events(entry, catalogue, context, "lv")))
    again = feed("x", SITE_URL, "lv", serialise(list(reversed(entry_events(entry, catalogue, context, "lv")))))
    assert first == again
    assert Calendar.from_ical(first).walk("VEVENT")[0].decoded("dtstart") == entry.starts[0]


@pytest.mark.parametrize(
    "value",
    [
        "short",
        "a" * 73,
        "ā" * 36 + "a",  # 73 bytes and the property name: folded in the middle of nothing
        "Ievads " * 30,
        "ā" * 80,
        "a" * 72 + "ā" * 20,  # a two-byte character across the fold goes to the next line whole
        "a" * 60 + "€𝄞" * 10,  # three- and four-byte characters
        "x" * 60 + "\\; \\, " * 10,  # escapes across the fold stay on one line
        "x" * 63 + "^" + "y" * 30,
    ],
)
def test_events_are_folded_as_icalendar_folds_them(value: str) -> None:
    from icalendar import Event

    from generator.intakes import serialise

    event = Event()
    event.add("uid", "u@x")
    event.add("dtstart", dt.date(2027, 1, 1))
    event.add("summary", value)
    event.add("description", value + "\n" + value)
    assert serialise([event])[0][1] == event.to_ical()


def test_pages_link_to_their_calendar_feeds(built_site: Path, catalogue: Catalogue) -> None:
    with_intakes = next(e for e in catalogue.published_entries() if any(d >= TODAY for d in e.starts))
    for language in LANGUAGES:
        links = entry_page(built_site, with_intakes, language).links()
        assert any(link.endswith(f"{with_intakes.sector}/{with_intakes.id}/intakes.ics") for link in links)
        sector = parse(built_site / prefix(language) / with_intakes.sector / "index.html")
        assert any(link.endswith(f"{with_intakes.sector}/intakes.ics") for link in sector.links())
        home = parse(built_site / prefix(language) / "index.html")
        assert any(link.endswith("intakes.ics") for link in home.links())


# --- the catalogue in figures -------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures(built_site: Path) -> dict:
    return json.loads((built_site / "api/v1/statistics.json").read_text(encoding="utf-8"))


def test_statistics_count_the_published_entries(figures: dict, catalogue: Catalogue) -> None:
    published = [e for e in catalogue.entries.values() if e.status in ("active", "suspended")]
    assert figures["entries"] == len(published)
    for row in figures["by_sector"]:
        assert row["entries"] == sum(1 for e in published if e.sector == row["sector"])
    assert {row["sector"] for row in figures["by_sector"]} == set(catalogue.sectors)
    for level, count in figures["by_level"].items():
        assert count == sum(1 for e in published if e.lki == int(level))
    for form, count in figures["by_form"].items():
        assert count == sum(1 for e in published if e.participation_form == form)
    assert sum(figures["approvals_per_quarter"].values()) == len(published)
    q = min(published, key=lambda e: e.decision_date).decision_date
    assert next(iter(sorted(figures["approvals_per_quarter"]))) == f"{q.year}-Q{(q.month - 1) // 3 + 1}"


def test_statistics_medians_and_reviews_due(figures: dict, catalogue: Catalogue) -> None:
    published = [e for e in catalogue.entries.values() if e.status in ("active", "suspended")]
    for row in figures["by_sector"]:
        hours = [e.hours for e in published if e.sector == row["sector"]]
        assert row["median_hours"] == (stats.median(hours) if hours else None)
        paid = [e.cost_amount for e in published if e.sector == row["sector"] and e.cost_type == "paid"]
        assert row["paid"] == len(paid)
        assert row["median_cost"] == ({"EUR": stats.median(paid)} if paid else {})
    horizon = TODAY.replace(year=TODAY.year + 1)
    for council, counts in figures["reviews_due"].items():
        mine = [e for e in published if e.authorised_by == council]
        assert counts["due"] == sum(1 for e in mine if TODAY <= e.review_due < horizon), council
        assert counts["overdue"] == sum(1 for e in mine if e.review_due < TODAY), council


def test_statistics_page_has_a_named_chart_and_a_table_for_every_figure(built_site: Path, figures: dict) -> None:
    for language in LANGUAGES:
        page = parse(built_site / prefix(language) / "statistics" / "index.html")
        assert page.find("h1")[0].text.strip() == label(language, "statistics.title")
        charts = page.find("svg", role="img")
        tables = page.find("table")
        assert len(charts) == len(tables) == 7
        assert all(chart.attrs.get("aria-labelledby") for chart in charts)
        # The table under the sector chart holds the same counts as the open data.
        cells = [e.text.strip() for e in page.elements if e.tag == "td"]
        for row in figures["by_sector"]:
            assert str(row["entries"]) in cells
        assert any(link.endswith("api/v1/statistics.json") for link in page.links())


# --- pathways drawn -----------------------------------------------------------------------------


def stacking_chain(catalogue: Catalogue) -> list[MicroQualification]:
    """The published entries of the sample stacking chains (parts and wholes)."""
    published = {e.id: e for e in catalogue.published_entries()}
    chain = {e.id for e in published.values() if any(t in published for t in e.stacks_into)}
    chain |= {t for e in published.values() for t in e.stacks_into if t in published}
    return [published[i] for i in sorted(chain)]


def test_entries_on_a_stacking_chain_show_their_pathway(built_site: Path, catalogue: Catalogue) -> None:
    chain = stacking_chain(catalogue)
    assert len(chain) >= 3, "the sample catalogue has stacking chains"
    for entry in chain:
        for language in LANGUAGES:
            page = entry_page(built_site, entry, language)
            svgs = [e for e in page.find("svg") if "mq-pathway__svg" in e.attrs.get("class", "")]
            assert len(svgs) == 1, f"{entry.id} ({language})"
            assert svgs[0].attrs.get("aria-hidden") == "true"
            # Nodes link to the other entries of the pathway, out of the Tab order; the current one is marked.
            node_links = [e for e in page.find("a", tabindex="-1") if e.attrs.get("href")]
            targets = {e.id for e in catalogue.published_entries() if e.id in set(entry.stacks_into)}
            for target in targets:
                assert any(link.attrs["href"].rstrip("/").endswith(f"/{target}") for link in node_links), entry.id
            assert not any(link.attrs["href"].rstrip("/").endswith(f"/{entry.id}") for link in node_links)
            current = [e for e in page.find("g") if "mq-pathway__node--current" in e.attrs.get("class", "")]
            assert len(current) == 1 and entry.title.get(language)[:10] in current[0].text, entry.id
            # The text equivalent: one sentence per arrow, with the current entry marked.
            marked = page.find("strong", **{"aria-current": "page"})
            assert marked and marked[0].text == entry.title.get(language)
            sentence = label(language, "pathway.counts_towards", part="", whole="").strip()
            for target_id in targets:
                target = catalogue.entries[target_id]
                said = f"{entry.title.get(language)} ({label(language, 'pathway.current')}) {sentence} "
                assert said + target.title.get(language) in page.text, entry.id


def test_entries_outside_any_pathway_have_no_diagram(built_site: Path, catalogue: Catalogue) -> None:
    alone = [
        e
        for e in catalogue.published_entries()
        if not e.stacks_into and not e.larger_qualification and not catalogue.built_from().get(e.id)
    ]
    assert alone
    for entry in alone:
        assert "mq-pathway__svg" not in (built_site / entry.sector / entry.id / "index.html").read_text()


def test_sector_page_draws_the_pathways_of_its_entries(built_site: Path, catalogue: Catalogue) -> None:
    chain = stacking_chain(catalogue)
    for sector in {e.sector for e in chain}:
        page = parse(built_site / sector / "index.html")
        assert [e for e in page.find("svg") if "mq-pathway__svg" in e.attrs.get("class", "")], sector
        assert not page.find("strong", **{"aria-current": "page"})  # no current entry on a sector page
        for entry in chain:
            if entry.sector == sector:
                assert any(
                    link.attrs.get("tabindex") == "-1"
                    for link in page.find("a")
                    if entry.id in link.attrs.get("href", "")
                )
