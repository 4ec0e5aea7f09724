"""Formatting catalogue values for people, in one language, used by every output.

The site's view models, the certificates and the finder all format levels,
workloads, costs, dates and language names through these functions, so that
they say the same thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import gettext
import json
from functools import cache
from pathlib import Path
from typing import Any, overload

import pycountry

from .i18n import label, table
from .model import MicroQualification, Text


class Labels:
    """Label lookups bound to one language."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, key: str, **values: Any) -> str:
        return label(self.language, key, **values)


@overload
def text(value: Text, language: str) -> dict[str, Any]: ...
@overload
def text(value: Text | None, language: str) -> dict[str, Any] | None: ...
def text(value: Text | None, language: str) -> dict[str, Any] | None:
    """A text in the page's language, or the Latvian one marked as a fallback."""
    if value is None:
        return None
    if value.has(language):
        return {"text": value.get(language), "lang": None}
    return {"text": value.lv, "lang": "lv"}


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@cache
def _translation(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


@cache
def language_name(code: str, language: str) -> str:
    """The name of a language of instruction in the page's language (`ru` -> `krievu`)."""
    record = pycountry.languages.get(alpha_2=code)
    if record is None:
        return code
    name = _translation("iso639-3", language).gettext(record.name)
    if name == record.name:
        # ISO 639's Latvian translation has no entry for some languages (English among them).
        name = table(language)["language"]["names"].get(code, name)
    return name.lower() if language == "lv" else name


@cache
def country_name(code: str, language: str) -> str:
    record = pycountry.countries.get(alpha_2=code)
    if record is None:
        return code
    return _translation("iso3166-1", language).gettext(getattr(record, "common_name", record.name))


def date(value: dt.date | None) -> dict[str, str] | None:
    return {"iso": value.isoformat(), "text": value.isoformat()} if value else None


def level(entry: MicroQualification, L: Labels) -> str:
    return L("units.level", lki=entry.lki, eqf=entry.eqf)


def workload(entry: MicroQualification, L: Labels) -> str:
    parts = [L("units.hours", n=number(entry.hours))]
    if entry.ects is not None:
        parts.append(L("units.ects", n=number(entry.ects)))
    return " · ".join(parts)


def cost(entry: MicroQualification, L: Labels) -> str:
    if entry.cost_type == "paid" and entry.cost_amount is not None:
        return f"{number(entry.cost_amount)} {entry.cost_currency}"
    return L(f"cost_type.{entry.cost_type}")


def duration(entry: MicroQualification, L: Labels) -> str:
    """How long the programme runs (`3 weeks`)."""
    return L(f"duration_unit.{entry.duration_unit}", n=entry.duration_amount)


def places(entry: MicroQualification, L: Labels) -> str:
    """Where it takes place: `online`, the municipalities, or both for blended programmes."""
    parts = [L("facts.online")] if entry.participation_form != "in-person" else []
    parts.extend(entry.municipalities())
    return "; ".join(parts) if parts else L("facts.not_stated")


def next_intake(entry: MicroQualification, today: dt.date, L: Labels) -> dict[str, Any]:
    """The next announced start (or None) and what else a learner should know about intakes.

    `note` says how many later starts are announced and whether the programme also
    starts on demand; without any start it says "on demand" or "none announced".
    """
    upcoming = entry.upcoming_starts(today)
    notes = []
    if len(upcoming) > 1:
        notes.append(L("key.later_starts", n=len(upcoming) - 1))
    if entry.on_demand:
        notes.append(L("key.also_on_demand") if upcoming else L("facts.on_demand"))
    elif not upcoming:
        notes.append(L("key.no_intake"))
    return {"next": date(upcoming[0]) if upcoming else None, "note": "; ".join(notes)}


_VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


@cache
def isced_f_names(language: str) -> dict[str, str]:
    """ISCED-F 2013 detailed fields: code -> label in `language` (English, or Latvian from isced-f.lv.json)."""
    name = "isced-f.json" if language == "en" else f"isced-f.{language}.json"
    return json.loads((_VOCAB_DIR / name).read_text(encoding="utf-8"))["fields"]


def isced_f_text(code: str, language: str) -> str:
    """A field of education as pages and certificates show it: `1041 Transporta pakalpojumi`."""
    return f"{code} {isced_f_names(language).get(code, '')}".strip()
