"""Open data: the catalogue as JSON, CSV and Atom, and schema.org JSON-LD for entry pages.

Files written into a site folder (`ctx.api_path` gives the `api/v1/` prefix):

    api/v1/catalogue.json          every published entry, tombstones of withdrawn ones, the registries
    api/v1/entries/<id>.json       one entry (withdrawn ones too) with the records it references
    api/v1/catalogue.csv           one row per published entry, for spreadsheets
    api/v1/schema/*.schema.json    the JSON Schemas, which document every field
    feed.atom, en/feed.atom        approvals and changes, in Latvian and in English

Entries mirror the catalogue files: the schema's field names, texts as language
maps `{lv, en}`; derived values (`url`, `eqf_uri`, ...) are added beside them.
The immutable versioned copies and their manifest are written by versions.py.

The CSV starts with a UTF-8 byte order mark: without it, Excel on Windows reads
the file in the local code page and garbles Latvian letters (ā, č, ģ, ...).
Readers that do not skip a BOM are told to use `utf-8-sig` (docs/open-data.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from . import schemas
from .context import (
    CATALOGUE_CSV,
    CATALOGUE_JSON,
    ENTRIES_JSON_DIR,
    FEED_FILE,
    LEVELS_PATH,
    VERSIONS_MANIFEST,
    BuildContext,
    elm_path,
    entry_json_path,
    level_path,
    ob3_path,
    provider_path,
    schema_path,
    sector_path,
    version_path,
)
from .escaping import csv_cell, safe_link
from .i18n import LANGUAGES, label
from .model import Authority, Catalogue, MicroQualification, Provider, Sector, Text

FORMAT = {"name": "mqcat-catalogue", "version": "1.0"}
LICENSE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
SCHEMA_FILES = {
    "micro_qualification": schemas.MICRO_QUALIFICATION,
    "provider": schemas.PROVIDER,
    "sectors": schemas.SECTORS,
    "authorities": schemas.AUTHORITIES,
    "common": "common.schema.json",
}
FEED_SIZE = 100
LIST_SEPARATOR = ";"

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
ESCO_SKILLS_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
# schema.org courseMode values as Google's course guidelines spell them.
COURSE_MODES = {"in-person": "Onsite", "blended": "Blended", "online": "Online"}
OFFER_CATEGORIES = {"free": "Free", "funded": "Partially Free", "paid": "Paid"}
DEFAULT_CURRENCY = "EUR"
LOCATIONS_COUNTRY = "LV"  # the schema: locations are Latvian municipalities


def write_open_data(catalogue: Catalogue, site_dir: Path, ctx: BuildContext) -> None:
    """Write the catalogue's open data (JSON, CSV, schemas) and both Atom feeds into `site_dir`."""
    api_dir = site_dir / ctx.api_path("")
    (api_dir / ENTRIES_JSON_DIR).mkdir(parents=True, exist_ok=True)
    _write_entries(catalogue, api_dir, ctx)
    # utf-8-sig writes the byte order mark first; newline="" leaves the writer's CRLF as it is.
    with (api_dir / CATALOGUE_CSV).open("w", encoding="utf-8-sig", newline="") as out:
        _write_csv(catalogue, ctx, out)
    (api_dir / schema_path("")).mkdir(exist_ok=True)
    for name in SCHEMA_FILES.values():
        shutil.copyfile(schemas.SCHEMA_DIR / name, api_dir / schema_path(name))
    for language in LANGUAGES:
        target = site_dir / ctx.page_path(FEED_FILE, language)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(atom_feed(catalogue, ctx, language))


# JSON


def _json(value: Any) -> str:
    # Compact: the C encoder is used only without indent (3x faster at 10,000 entries);
    # browsers and `jq .` lay the files out for reading.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _envelope(ctx: BuildContext) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "generated": ctx.today.isoformat(),
        "site": ctx.site_url,
        "license": LICENSE,
        "schema": {kind: ctx.api_url(schema_path(name)) for kind, name in SCHEMA_FILES.items()},
    }


def _urls(path: str, ctx: BuildContext) -> dict[str, str]:
    return {language: ctx.url(path, language) for language in LANGUAGES}


def entry_api_links(entry: MicroQualification, ctx: BuildContext) -> dict[str, str]:
    """Addresses of an entry's machine-readable descriptions."""
    links = {
        "entry": ctx.api_url(entry_json_path(entry.id)),
        "version": ctx.api_url(version_path(entry.id, entry.version)),
        "versions": ctx.api_url(VERSIONS_MANIFEST),
    }
    if entry.published:  # ELM and Open Badges describe what is on offer
        links["elm"] = ctx.api_url(elm_path(entry.id))
        links["ob3"] = ctx.api_url(ob3_path(entry.id))
    return links


def entry_record(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext) -> dict[str, Any]:
    """An entry as open data: its source fields as written, plus derived ones."""
    return {
        **entry.data,
        "url": _urls(ctx.entry_path(entry), ctx),
        "eqf_uri": entry.eqf_uri,
        "isced_f_uri": entry.isced_f_uri,
        "volume_of_learning": entry.volume_of_learning,
        "last_changed": ctx.changed(entry).isoformat(),
        "example": catalogue.is_example(entry),
        "api": entry_api_links(entry, ctx),
    }


def tombstone(entry: MicroQualification, ctx: BuildContext) -> dict[str, Any]:
    """What catalogue.json keeps of a withdrawn entry."""
    return {
        "id": entry.id,
        "version": entry.version,
        "status": entry.status,
        "title": entry.title.as_dict(),
        "status_reason": entry.status_reason.as_dict() if entry.status_reason else None,
        "replaced_by": entry.replaced_by,
        "url": _urls(ctx.entry_path(entry), ctx),
        "api": entry_api_links(entry, ctx),
    }


def _drop_none(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}


def sector_record(sector: Sector, ctx: BuildContext) -> dict[str, Any]:
    return {
        "id": sector.id,
        "name": sector.name.as_dict(),
        "council": sector.council.as_dict(),
        "nace": list(sector.nace),
        "reviewers": list(sector.reviewers),
        "url": _urls(sector_path(sector.id), ctx),
    }


def provider_record(provider: Provider, ctx: BuildContext) -> dict[str, Any]:
    return _drop_none(
        {
            "id": provider.id,
            "example": provider.example,
            "name": provider.name.as_dict(),
            "legal_name": provider.legal_name,
            "type": provider.type,
            "registration_number": provider.registration_number,
            "education_register_number": provider.education_register_number,
            "legal_address": provider.legal_address,
            "country": provider.country,
            "region": provider.region,
            "contact": _drop_none(
                {"name": provider.contact.name, "email": provider.contact.email, "phone": provider.contact.phone}
            ),
            "website": provider.website,
            "url": _urls(provider_path(provider.id), ctx),
        }
    )


def authority_record(authority: Authority) -> dict[str, Any]:
    return _drop_none(
        {
            "id": authority.id,
            "name": authority.name.as_dict(),
            "type": authority.type,
            "sector": authority.sector,
            "country": authority.country,
            "website": authority.website,
        }
    )


class _Registries:
    """The registry records, each built once: catalogue.json lists all, an entry's file those it names."""

    def __init__(self, catalogue: Catalogue, ctx: BuildContext) -> None:
        self.records = {
            "sectors": {s.id: sector_record(s, ctx) for s in catalogue.sectors.values()},
            "providers": {p.id: provider_record(p, ctx) for p in catalogue.providers.values()},
            "authorities": {a.id: authority_record(a) for a in catalogue.authorities.values()},
        }

    def select(self, **ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """The records of the given ids per registry, sorted by id; every record when ids are not given."""
        return {
            name: [table[i] for i in sorted(set(ids[name]) if name in ids else table) if i in table]
            for name, table in self.records.items()
        }

    def of(self, entry: MicroQualification) -> dict[str, list[dict[str, Any]]]:
        return self.select(sectors=[entry.sector], providers=entry.awarding_bodies, authorities=[entry.authorised_by])


def _object(members: dict[str, str]) -> str:
    """A JSON object from already encoded values, keys sorted as `json.dumps(sort_keys=True)` sorts them."""
    return "{" + ",".join(f"{json.dumps(key)}:{members[key]}" for key in sorted(members)) + "}"


def _write_entries(catalogue: Catalogue, api_dir: Path, ctx: BuildContext) -> None:
    """catalogue.json and entries/<id>.json, encoding each entry once.

    catalogue.json is streamed entry by entry, so that a large catalogue is
    never one string in memory.
    """
    registries = _Registries(catalogue, ctx)
    envelope = {key: _json(value) for key, value in _envelope(ctx).items()}
    withdrawn = [tombstone(e, ctx) for e in sorted(catalogue.entries.values(), key=lambda e: e.id) if not e.published]
    members = (
        envelope
        | {"withdrawn": _json(withdrawn)}
        | {name: _json(records) for name, records in registries.select().items()}
    )
    with (api_dir / CATALOGUE_JSON).open("w", encoding="utf-8", newline="\n") as out:
        out.write("{")
        for index, key in enumerate(sorted([*members, "entries"])):
            out.write(("," if index else "") + json.dumps(key) + ":")
            if key != "entries":
                out.write(members[key])
                continue
            out.write("[")
            first = True
            for entry in sorted(catalogue.entries.values(), key=lambda e: e.id):
                encoded = _json(entry_record(entry, catalogue, ctx))
                references = {name: _json(records) for name, records in registries.of(entry).items()}
                document = _object(envelope | {"entry": encoded} | references)
                (api_dir / entry_json_path(entry.id)).write_text(document + "\n", encoding="utf-8")
                if entry.published:
                    out.write(("" if first else ",") + encoded)
                    first = False
            out.write("]")
        out.write("}\n")


# CSV


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(values)


CsvColumn = Callable[[MicroQualification, Catalogue, BuildContext], object]

CSV_COLUMNS: tuple[tuple[str, CsvColumn], ...] = (
    ("id", lambda e, c, x: e.id),
    ("version", lambda e, c, x: e.version),
    ("status", lambda e, c, x: e.status),
    ("title_lv", lambda e, c, x: e.title.lv),
    ("title_en", lambda e, c, x: e.title.en or ""),
    ("sector", lambda e, c, x: e.sector),
    ("sector_name_lv", lambda e, c, x: c.sectors[e.sector].name.lv if e.sector in c.sectors else ""),
    ("sector_name_en", lambda e, c, x: (c.sectors[e.sector].name.en or "") if e.sector in c.sectors else ""),
    ("lki", lambda e, c, x: e.lki),
    ("eqf", lambda e, c, x: e.eqf),
    ("hours", lambda e, c, x: _number(e.hours)),
    ("ects", lambda e, c, x: _number(e.ects)),
    ("participation_form", lambda e, c, x: e.participation_form),
    ("languages", lambda e, c, x: _joined(e.languages)),
    ("municipalities", lambda e, c, x: _joined(e.municipalities())),
    ("cost_type", lambda e, c, x: e.cost_type),
    ("cost_amount", lambda e, c, x: _number(e.cost_amount)),
    ("cost_currency", lambda e, c, x: e.cost_currency or ""),
    ("providers", lambda e, c, x: _joined(c.providers[p].legal_name for p in e.awarding_bodies if p in c.providers)),
    ("isced_f", lambda e, c, x: e.isced_f),
    ("decision_date", lambda e, c, x: _iso(e.decision_date)),
    ("review_due", lambda e, c, x: _iso(e.review_due)),
    ("url", lambda e, c, x: x.entry_url(e)),
)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def catalogue_csv(catalogue: Catalogue, ctx: BuildContext) -> bytes:
    """catalogue.csv: one row per published entry, RFC 4180, UTF-8 with a BOM, every cell quoted; no formulas.

    Every cell is in double quotes, so that a reader never guesses a type (`0613` stays text,
    `2026-03-12` is not turned into a date); see docs/open-data.md for the dialect.
    """
    buffer = io.StringIO()
    _write_csv(catalogue, ctx, buffer)
    return buffer.getvalue().encode("utf-8-sig")


def _write_csv(catalogue: Catalogue, ctx: BuildContext, out: TextIO) -> None:
    """The rows of catalogue.csv, written one at a time (without the byte order mark)."""
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for entry in sorted((e for e in catalogue.entries.values() if e.published), key=lambda e: e.id):
        writer.writerow([csv_cell(column(entry, catalogue, ctx)) for _, column in CSV_COLUMNS])


# Atom


def _timestamp(day: Any) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _updated(entry: MicroQualification, ctx: BuildContext) -> Any:
    # A change is never older than the approval it changes.
    assert entry.decision_date is not None, "feeds list published entries only"
    return max(ctx.changed(entry), entry.decision_date)


def _headline(entry: MicroQualification, language: str) -> str:
    title = entry.title.get(language)
    if entry.status in ("suspended", "withdrawn"):
        return label(language, f"open_data.{entry.status}", title=title)
    if entry.version > 1:
        return label(language, "open_data.new_version", title=title, version=entry.version)
    return label(language, "open_data.approved", title=title)


def _summary(entry: MicroQualification, catalogue: Catalogue, language: str) -> str:
    lines = [entry.purpose.get(language)]
    if entry.status_reason is not None and entry.status != "active":
        lines.append(label(language, "open_data.reason", reason=entry.status_reason.get(language)))
    if entry.replaced_by:
        successor = catalogue.entries.get(entry.replaced_by)
        lines.append(
            label(
                language,
                "open_data.replaced_by",
                title=successor.title.get(language) if successor else entry.replaced_by,
            )
        )
    lines.append(label(language, "open_data.version", version=entry.version))
    return "\n\n".join(lines)


def atom_feed(catalogue: Catalogue, ctx: BuildContext, language: str) -> bytes:
    """The Atom 1.0 feed of approvals and changes in `language`: newest first, at most FEED_SIZE entries."""

    def sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, name, attributes)
        element.text = text
        return element

    entries = sorted(catalogue.entries.values(), key=lambda e: (_updated(e, ctx), e.decision_date, e.id), reverse=True)[
        :FEED_SIZE
    ]
    feed_url = ctx.url(FEED_FILE, language)
    # Unprefixed names in the Atom namespace: ElementTree's default_namespace option refuses
    # unqualified attributes (rel, href), so the root declares the namespace itself.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: language})
    sub(feed, "id", feed_url)
    sub(feed, "title", label(language, "open_data.feed_title"))
    sub(feed, "subtitle", label(language, "open_data.feed_subtitle"))
    sub(feed, "updated", _timestamp(max((_updated(e, ctx) for e in entries), default=ctx.today)))
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=ctx.url("", language))
    author = sub(feed, "author")
    sub(author, "name", label(language, "site.name"))
    sub(author, "uri", ctx.url("", language))
    sub(feed, "rights", label(language, "footer.licence"))
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", ctx.api_url(version_path(entry.id, entry.version)))
        sub(item, "title", _headline(entry, language), type="text")
        sub(item, "updated", _timestamp(_updated(entry, ctx)))
        sub(item, "published", _timestamp(entry.decision_date))
        sub(item, "link", rel="alternate", type="text/html", href=ctx.entry_url(entry, language))
        sub(item, "link", rel="alternate", type="application/json", href=ctx.api_url(entry_json_path(entry.id)))
        sector = catalogue.sectors.get(entry.sector)
        sub(
            item,
            "category",
            term=entry.sector,
            scheme=ctx.url("", language),
            label=sector.name.get(language) if sector else entry.sector,
        )
        sub(item, "summary", _summary(entry, catalogue, language), type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


# schema.org


def _compact(value: Any) -> Any:
    """Drop None and empty lists/objects, recursively: absent facts are left out, not null."""
    if isinstance(value, dict):
        result = {key: _compact(item) for key, item in value.items()}
        return {key: item for key, item in result.items() if item not in (None, [], {})}
    if isinstance(value, list):
        return [item for item in (_compact(v) for v in value) if item not in (None, [], {})]
    return value


def _text(value: Text | None, language: str) -> str | None:
    return value.get(language) if value is not None else None


def _levels(entry: MicroQualification, ctx: BuildContext, language: str) -> list[dict[str, Any]]:
    return [
        {
            "@type": "DefinedTerm",
            "@id": entry.eqf_uri,
            "name": label(language, "certificate.frameworks.eqf_level", n=entry.eqf),
            "termCode": str(entry.eqf),
            "inDefinedTermSet": {
                "@type": "DefinedTermSet",
                "@id": EQF_SCHEME,
                "name": label(language, "certificate.frameworks.eqf"),
            },
        },
        {
            "@type": "DefinedTerm",
            "name": label(language, "certificate.frameworks.lki_level", n=entry.lki),
            "termCode": str(entry.lki),
            "url": ctx.url(level_path(entry.lki), language),
            "inDefinedTermSet": {
                "@type": "DefinedTermSet",
                "name": label(language, "certificate.frameworks.lki"),
                "url": ctx.url(LEVELS_PATH, language),
            },
        },
    ]


def _outcomes(entry: MicroQualification, language: str) -> list[Any]:
    skills = dict.fromkeys(skill for outcome in entry.learning_outcomes for skill in outcome.esco_skills)
    return [outcome.text.get(language) for outcome in entry.learning_outcomes] + [
        {"@type": "DefinedTerm", "@id": skill, "url": skill, "inDefinedTermSet": ESCO_SKILLS_SCHEME} for skill in skills
    ]


def _organisation(provider: Provider, ctx: BuildContext, language: str) -> dict[str, Any]:
    return {
        "@type": "EducationalOrganization",
        "@id": ctx.provider_url(provider, language),
        "name": provider.name.get(language),
        "legalName": provider.legal_name,
        "identifier": provider.registration_number,
        "url": safe_link(provider.website),
        "email": provider.contact.email,
        "telephone": provider.contact.phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": provider.legal_address,
            "addressRegion": provider.region,
            "addressCountry": provider.country,
        },
    }


def _authority(authority: Authority | None, language: str) -> dict[str, Any] | None:
    if authority is None:
        return None
    return {
        "@type": "Organization",
        "name": authority.name.get(language),
        "url": safe_link(authority.website),
        "address": {"@type": "PostalAddress", "addressCountry": authority.country},
    }


def _places(entry: MicroQualification) -> list[dict[str, Any]]:
    places: list[dict[str, Any]] = [
        {
            "@type": "Place",
            "name": location.municipality,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": location.address,
                "addressLocality": location.municipality,
                "addressCountry": LOCATIONS_COUNTRY,
            },
        }
        for location in entry.locations
    ]
    if entry.participation_form != "in-person":
        places.append({"@type": "VirtualLocation", "url": safe_link(entry.homepage)})
    return places


def _course_instances(entry: MicroQualification, ctx: BuildContext) -> list[dict[str, Any]]:
    instance = {
        "@type": "CourseInstance",
        "courseMode": COURSE_MODES[entry.participation_form],
        "courseWorkload": entry.volume_of_learning,
        "location": _places(entry),
    }
    starts = entry.upcoming_starts(ctx.today)
    if not starts:  # on demand, or no date announced: the course is still offered
        return [instance]
    return [instance | {"startDate": start.isoformat()} for start in starts]


def _offer(entry: MicroQualification, language: str) -> dict[str, Any] | None:
    if entry.cost_type == "paid" and entry.cost_amount is None:
        return None
    return {
        "@type": "Offer",
        "category": OFFER_CATEGORIES[entry.cost_type],
        "price": entry.cost_amount if entry.cost_type == "paid" else 0,
        "priceCurrency": entry.cost_currency or DEFAULT_CURRENCY,
        "description": _text(entry.funding, language),
        "url": safe_link(entry.homepage),
    }


def _course_reference(entry: MicroQualification, ctx: BuildContext, language: str) -> dict[str, Any]:
    url = ctx.entry_url(entry, language)
    return {"@type": "Course", "@id": f"{url}#course", "name": entry.title.get(language), "url": url}


def schema_org(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """schema.org JSON-LD for an entry's page: the credential and the course that leads to it.

    The site embeds the result with `escaping.json_for_script`.
    """
    page = ctx.entry_url(entry, language)
    credential_id, course_id = f"{page}#credential", f"{page}#course"
    levels = _levels(entry, ctx, language)
    outcomes = _outcomes(entry, language)
    credential = {
        "@type": "EducationalOccupationalCredential",
        "@id": credential_id,
        "identifier": entry.id,
        "version": entry.version,
        "name": entry.title.get(language),
        "description": entry.purpose.get(language),
        "credentialCategory": "Micro-credential",
        "educationalLevel": levels,
        "competencyRequired": outcomes,
        "recognizedBy": _authority(catalogue.authorities.get(entry.authorised_by), language),
        "url": page,
        "inLanguage": language,
    }
    offered = entry.status == "active"
    course = {
        "@type": "Course",
        "@id": course_id,
        "identifier": entry.id,
        "name": entry.title.get(language),
        "description": entry.purpose.get(language),
        "url": page,
        "inLanguage": list(entry.languages),
        "educationalCredentialAwarded": {"@id": credential_id},
        "educationalLevel": levels,
        "teaches": outcomes,
        "timeRequired": entry.volume_of_learning,
        "numberOfCredits": (
            {"@type": "StructuredValue", "value": entry.ects, "unitText": "ECTS"} if entry.ects else None
        ),
        "coursePrerequisites": _text(entry.prerequisites, language),
        "provider": [
            _organisation(catalogue.providers[p], ctx, language)
            for p in entry.awarding_bodies
            if p in catalogue.providers
        ],
        "hasCourseInstance": _course_instances(entry, ctx) if offered else None,
        "offers": _offer(entry, language) if offered else None,
        "isPartOf": [
            _course_reference(catalogue.entries[target], ctx, language)
            for target in entry.stacks_into
            if target in catalogue.entries
        ],
        "hasPart": [
            _course_reference(catalogue.entries[part], ctx, language)
            for part in catalogue.built_from().get(entry.id, ())
            if part in catalogue.entries
        ],
    }
    return _compact({"@context": "https://schema.org", "@graph": [credential, course]})
