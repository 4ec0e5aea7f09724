"""Intakes in the calendar: iCalendar feeds (RFC 5545) per entry, per sector and for the catalogue.

Files written into a site folder, in each language (`ctx.calendar_path` owns the paths):

    <language root>/intakes.ics                  every announced start in the catalogue
    <language root>/<sector>/intakes.ics         the sector's
    <language root>/<sector>/<id>/intakes.ics    one entry's, beside its page

Each announced start is an all-day event with a link to the entry's page. Its UID is the
entry id and the start date at the site's host: the same in every feed and both
languages, so a calendar that re-reads a feed, or subscribed to two, updates the event
instead of adding a copy. SEQUENCE is the entry's version and DTSTAMP the day the entry
last changed, so the same catalogue gives the same bytes. When an entry is suspended or
withdrawn its events stay in the feeds marked CANCELLED: subscribed calendars remove them.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from icalendar import Calendar, Component, Event

from .context import BuildContext, sector_path
from .formatting import Labels, cost, level, places
from .i18n import LANGUAGES
from .model import Catalogue, MicroQualification

PRODUCT_ID = "-//mqcat//Micro-qualification catalogue//EN"
# Entry states whose announced starts the feeds carry (anything else, such as a proposal, is left out).
LISTED_STATES = ("active", "suspended", "withdrawn")


def event_uid(entry: MicroQualification, start: dt.date, ctx: BuildContext) -> str:
    """A start's identity across feeds, languages and builds: `<id>-<yyyymmdd>@<host>`."""
    host = urlsplit(ctx.site_url).hostname or "mqcat"
    return f"{entry.id}-{start:%Y%m%d}@{host}"


def entry_events(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext, language: str) -> list[Event]:
    """One all-day event per announced start of `entry`, in `language`."""
    L = Labels(language)
    title = entry.title.get(language)
    providers = "; ".join(catalogue.providers[p].name.get(language) for p in entry.awarding_bodies)
    description = L(
        "calendar.description",
        title=title,
        level=level(entry, L),
        providers=providers,
        form=L(f"participation_form.{entry.participation_form}"),
        cost=cost(entry, L),
    )
    changed = ctx.changed(entry)
    stamp = dt.datetime(changed.year, changed.month, changed.day, tzinfo=dt.UTC)
    active = entry.status == "active"
    events = []
    for start in entry.starts:
        event = Event()
        event.add("uid", event_uid(entry, start, ctx))
        event.add("dtstamp", stamp)
        event.add("sequence", entry.version)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(days=1))
        event.add("summary", L("calendar.summary" if active else "calendar.cancelled", title=title))
        event.add("description", f"{description}\n{ctx.entry_url(entry, language)}")
        event.add("location", places(entry, L))
        event.add("url", ctx.entry_url(entry, language))
        event.add("status", "CONFIRMED" if active else "CANCELLED")
        event.add("transp", "TRANSPARENT")
        events.append(event)
    return events


# An event serialised once, with the key that orders it in a feed (start date, UID).
Serialised = tuple[tuple[dt.date, str], bytes]
_BEGIN = b"BEGIN:VCALENDAR\r\n"
_END = b"END:VCALENDAR\r\n"


def serialise(events: list[Event]) -> list[Serialised]:
    """Each event as RFC 5545 bytes, once: an entry's events go into three feeds."""
    return [((event.decoded("dtstart"), str(event["uid"])), _to_ical(event)) for event in events]


# RFC 5545 folds content lines longer than 75 octets. icalendar folds at 74, between characters,
# never right after a backslash or a caret (the first character of its escapes).
_FOLD_AT = 74
_FOLD = b"\r\n "
_ESCAPES = b"\\^"


def _folded(line: str) -> bytes:
    """A content line folded as icalendar's `foldline` folds it, byte for byte (tests/test_intakes.py).

    icalendar walks every line character by character, which was most of the time
    this module took; most lines are short, and long ones are cut here in UTF-8.
    """
    encoded = line.encode()
    if len(encoded) <= _FOLD_AT:
        return encoded
    pieces = []
    start = 0
    while len(encoded) - start > _FOLD_AT:
        end = start + _FOLD_AT
        while encoded[end] & 0xC0 == 0x80:  # inside a character: it goes to the next line whole
            end -= 1
        if encoded[end - 1] in _ESCAPES:
            end -= 1
        pieces.append(encoded[start:end])
        start = end
    pieces.append(encoded[start:])
    return _FOLD.join(pieces)


def _to_ical(component: Component) -> bytes:
    """What `component.to_ical()` writes (properties sorted, lines folded), folded by `_folded`."""
    return b"".join(_folded(line) + b"\r\n" for line in component.content_lines(sorted=True) if line)


def _lines(properties: list[tuple[str, str]]) -> bytes:
    """Calendar properties as content lines, by icalendar (escaped and folded as RFC 5545 says)."""
    calendar = Calendar()
    for name, value in properties:
        calendar.add(name, value)
    return _to_ical(calendar).removeprefix(_BEGIN).removesuffix(_END)


@cache
def _fixed_lines(language: str) -> bytes:
    """The properties every feed of a language shares, serialised once."""
    return _lines(
        [
            ("prodid", PRODUCT_ID),
            ("version", "2.0"),
            ("calscale", "GREGORIAN"),
            ("method", "PUBLISH"),
            ("x-mqcat-language", language),
        ]
    )


def feed(name: str, url: str, language: str, events: list[Serialised]) -> bytes:
    """A VCALENDAR named `name` (RFC 7986 NAME; X-WR-CALNAME, which most programs show) with `events` by date."""
    own = _lines([("name", name), ("x-wr-calname", name), ("url", url)])
    return _BEGIN + _fixed_lines(language) + own + b"".join(block for _, block in sorted(events)) + _END


def write_intake_calendars(catalogue: Catalogue, site_dir: Path, ctx: BuildContext) -> None:
    """Write every feed in every language; each entry's events are made and serialised once per language."""
    entries = sorted(
        (e for e in catalogue.entries.values() if e.status in LISTED_STATES), key=lambda e: (e.sector, e.id)
    )
    for language in LANGUAGES:
        L = Labels(language)
        root = site_dir / ctx.prefix(language)
        every: list[Serialised] = []
        by_sector: dict[str, list[Serialised]] = {sector: [] for sector in catalogue.sectors}
        for entry in entries:
            events = serialise(entry_events(entry, catalogue, ctx, language))
            every.extend(events)
            by_sector.setdefault(entry.sector, []).extend(events)
            target = root / ctx.calendar_path(entry=entry)
            target.parent.mkdir(parents=True, exist_ok=True)
            name = L("calendar.name", title=entry.title.get(language))
            target.write_bytes(feed(name, ctx.entry_url(entry, language), language, events))
        for sector_id, events in by_sector.items():
            sector = catalogue.sectors[sector_id]
            target = root / ctx.calendar_path(sector=sector_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            name = L("calendar.sector_name", sector=sector.name.get(language))
            target.write_bytes(feed(name, ctx.url(sector_path(sector_id), language), language, events))
        (root / ctx.calendar_path()).write_bytes(
            feed(L("calendar.catalogue_name"), ctx.url("", language), language, every)
        )
