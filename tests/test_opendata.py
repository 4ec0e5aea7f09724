"""Open data: catalogue.json, entries/<id>.json, catalogue.csv, the Atom feeds and schema.org JSON-LD.

Every output is read back with an ordinary parser (json, csv, ElementTree) and
compared with the catalogue it was written from.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from generator.catalogue import load_catalogue
from generator.context import BuildContext
from generator.escaping import csv_cell, json_for_script
from generator.model import Catalogue, MicroQualification
from generator.opendata import CSV_COLUMNS, FEED_SIZE, atom_feed, schema_org, write_open_data

from .conftest import API, TODAY

ATOM = "{http://www.w3.org/2005/Atom}"
FORMULA = "=cmd|' /C calc'!A0"
MARKUP = '</script><b>"bold"</b>\nsecond line'


@pytest.fixture(scope="module")
def site(catalogue: Catalogue, context: BuildContext, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("opendata")
    write_open_data(catalogue, folder, context)
    return folder


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _withdrawn(catalogue: Catalogue) -> MicroQualification:
    found = [e for e in catalogue.entries.values() if e.status == "withdrawn"]
    assert found, "the sample catalogue has a withdrawn entry"
    return found[0]


def _entry_with(catalogue: Catalogue, **conditions: Any) -> MicroQualification:
    for entry in sorted(catalogue.entries.values(), key=lambda e: e.id):
        if all(getattr(entry, name) == value for name, value in conditions.items()):
            return entry
    pytest.skip(f"no sample entry with {conditions}")


# catalogue.json


def test_catalogue_json_lists_every_published_entry_once(site: Path, catalogue: Catalogue) -> None:
    data = _json(site / API / "catalogue.json")
    ids = [entry["id"] for entry in data["entries"]]
    assert ids == sorted(e.id for e in catalogue.published_entries())


def test_catalogue_json_envelope_names_format_licence_and_schemas(site: Path, context: BuildContext) -> None:
    data = _json(site / API / "catalogue.json")
    assert data["format"] == {"name": "mqcat-catalogue", "version": "1.0"}
    assert data["generated"] == TODAY.isoformat()
    assert data["site"] == context.site_url
    assert data["license"]["id"] == "CC-BY-4.0"
    for url in data["schema"].values():
        path = url.removeprefix(context.site_url)
        assert _json(site / path)["$schema"].startswith("https://json-schema.org/")


def test_withdrawn_entry_is_a_tombstone_not_an_entry(site: Path, catalogue: Catalogue) -> None:
    withdrawn = _withdrawn(catalogue)
    data = _json(site / API / "catalogue.json")
    assert withdrawn.id not in {entry["id"] for entry in data["entries"]}
    [tombstone] = [t for t in data["withdrawn"] if t["id"] == withdrawn.id]
    assert tombstone["status"] == "withdrawn"
    assert tombstone["status_reason"] == withdrawn.status_reason.as_dict()
    assert tombstone["replaced_by"] == withdrawn.replaced_by
    assert tombstone["url"]["lv"].endswith(f"/{withdrawn.sector}/{withdrawn.id}/")


def test_catalogue_json_carries_the_registries(site: Path, catalogue: Catalogue) -> None:
    data = _json(site / API / "catalogue.json")
    assert [s["id"] for s in data["sectors"]] == sorted(catalogue.sectors)
    assert [p["id"] for p in data["providers"]] == sorted(catalogue.providers)
    assert [a["id"] for a in data["authorities"]] == sorted(catalogue.authorities)
    provider = next(iter(catalogue.providers.values()))
    [record] = [p for p in data["providers"] if p["id"] == provider.id]
    assert record["legal_name"] == provider.legal_name
    assert record["name"] == provider.name.as_dict()


def test_entry_mirrors_its_source_file_and_adds_derived_fields(
    site: Path, catalogue: Catalogue, context: BuildContext
) -> None:
    entry = catalogue.published_entries()[0]
    [record] = [e for e in _json(site / API / "catalogue.json")["entries"] if e["id"] == entry.id]
    derived = {"url", "eqf_uri", "isced_f_uri", "volume_of_learning", "last_changed", "example", "api"}
    assert {key: value for key, value in record.items() if key not in derived} == entry.data
    assert record["volume_of_learning"] == entry.volume_of_learning
    assert record["eqf_uri"] == f"http://data.europa.eu/snb/eqf/{entry.lki}"
    assert record["isced_f_uri"] == f"http://data.europa.eu/snb/isced-f/{entry.isced_f}"
    assert record["url"] == {"lv": context.entry_url(entry, "lv"), "en": context.entry_url(entry, "en")}
    assert record["api"]["version"].endswith(f"/api/v1/entries/{entry.id}/v{entry.version}.json")


def test_texts_stay_language_maps(site: Path, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    record = _json(site / API / "entries" / f"{entry.id}.json")["entry"]
    assert record["title"] == {"lv": entry.title.lv, "en": entry.title.en}
    assert record["learning_outcomes"][0]["text"] == entry.learning_outcomes[0].text.as_dict()


# entries/<id>.json


def test_every_entry_has_its_own_file_including_withdrawn(site: Path, catalogue: Catalogue) -> None:
    written = {path.stem for path in (site / API / "entries").glob("*.json")}
    assert written == set(catalogue.entries)
    withdrawn = _withdrawn(catalogue)
    assert _json(site / API / "entries" / f"{withdrawn.id}.json")["entry"]["status"] == "withdrawn"


def test_entry_file_stands_on_its_own(site: Path, catalogue: Catalogue) -> None:
    entry = catalogue.published_entries()[0]
    document = _json(site / API / "entries" / f"{entry.id}.json")
    assert document["format"]["version"] == "1.0"
    assert [p["id"] for p in document["providers"]] == sorted(entry.awarding_bodies)
    assert [a["id"] for a in document["authorities"]] == [entry.authorised_by]
    assert [s["id"] for s in document["sectors"]] == [entry.sector]


def test_output_is_deterministic(site: Path, catalogue: Catalogue, context: BuildContext, tmp_path: Path) -> None:
    write_open_data(catalogue, tmp_path, context)
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        assert (tmp_path / path.relative_to(site)).read_bytes() == path.read_bytes(), path


# catalogue.csv


def test_csv_has_one_row_per_published_entry(site: Path, catalogue: Catalogue) -> None:
    rows = _csv_rows(site / API / "catalogue.csv")
    assert [row["id"] for row in rows] == sorted(e.id for e in catalogue.published_entries())
    assert _withdrawn(catalogue).id not in {row["id"] for row in rows}


def test_csv_starts_with_a_bom_and_has_the_documented_columns(site: Path) -> None:
    raw = (site / API / "catalogue.csv").read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"id","version","status","title_lv",')
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == [name for name, _ in CSV_COLUMNS]
    assert b"\r\n" in raw


def test_csv_values_agree_with_the_catalogue(site: Path, catalogue: Catalogue, context: BuildContext) -> None:
    rows = {row["id"]: row for row in _csv_rows(site / API / "catalogue.csv")}
    for entry in catalogue.published_entries():
        row = rows[entry.id]
        assert row["title_lv"] == entry.title.lv
        assert row["lki"] == str(entry.lki)
        assert float(row["hours"]) == entry.hours
        assert row["languages"].split(";") == list(entry.languages)
        assert row["municipalities"].split(";") == list(entry.municipalities()) or not entry.locations
        assert row["providers"].split(";") == [catalogue.providers[p].legal_name for p in entry.awarding_bodies]
        assert row["decision_date"] == entry.decision_date.isoformat()
        assert row["url"] == context.entry_url(entry)


# Atom


def _feed(site: Path, language: str) -> ElementTree.Element:
    return ElementTree.parse(site / ("feed.atom" if language == "lv" else "en/feed.atom")).getroot()


@pytest.mark.parametrize("language", ["lv", "en"])
def test_feed_is_atom_with_the_required_elements(site: Path, context: BuildContext, language: str) -> None:
    feed = _feed(site, language)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == context.url("feed.atom", language)
    for item in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published", "summary"):
            assert (item.findtext(f"{ATOM}{name}") or "").strip(), name
        assert item.findtext(f"{ATOM}id").startswith(context.site_url)


def test_feed_has_one_item_per_entry_and_version(site: Path, catalogue: Catalogue, context: BuildContext) -> None:
    ids = [item.findtext(f"{ATOM}id") for item in _feed(site, "lv").findall(f"{ATOM}entry")]
    assert sorted(ids) == sorted(
        context.api_url(f"entries/{e.id}/v{e.version}.json") for e in catalogue.entries.values()
    )


def test_feed_is_newest_first_and_capped(catalogue: Catalogue, context: BuildContext) -> None:
    template = catalogue.published_entries()[0]
    many = {f"copy-{n:03d}": dataclasses.replace(template, id=f"copy-{n:03d}") for n in range(FEED_SIZE + 20)}
    changed = {entry_id: TODAY.replace(day=1 + n % 28) for n, entry_id in enumerate(many)}
    ctx = dataclasses.replace(context, last_changed=changed)
    feed = ElementTree.fromstring(atom_feed(dataclasses.replace(catalogue, entries=many), ctx, "en"))
    updated = [item.findtext(f"{ATOM}updated") for item in feed.findall(f"{ATOM}entry")]
    assert len(updated) == FEED_SIZE
    assert updated == sorted(updated, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == updated[0]


def test_feed_says_when_an_entry_is_withdrawn(site: Path, catalogue: Catalogue) -> None:
    withdrawn = _withdrawn(catalogue)
    for language, word in (("lv", "Atsaukta"), ("en", "Withdrawn")):
        [item] = [
            i
            for i in _feed(site, language).findall(f"{ATOM}entry")
            if f"/entries/{withdrawn.id}/" in i.findtext(f"{ATOM}id")
        ]
        assert item.findtext(f"{ATOM}title") == f"{word}: {withdrawn.title.get(language)}"
        assert withdrawn.status_reason.get(language) in item.findtext(f"{ATOM}summary")


def test_feed_dates_come_from_the_change_and_the_approval(catalogue: Catalogue, context: BuildContext) -> None:
    entry = catalogue.published_entries()[0]
    changed = entry.decision_date.replace(year=entry.decision_date.year + 1)
    ctx = dataclasses.replace(context, last_changed={entry.id: changed})
    feed = ElementTree.fromstring(atom_feed(dataclasses.replace(catalogue, entries={entry.id: entry}), ctx, "lv"))
    item = feed.find(f"{ATOM}entry")
    assert item.findtext(f"{ATOM}updated") == f"{changed.isoformat()}T00:00:00Z"
    assert item.findtext(f"{ATOM}published") == f"{entry.decision_date.isoformat()}T00:00:00Z"


# schema.org JSON-LD


def _graph(
    entry: MicroQualification, catalogue: Catalogue, context: BuildContext, language: str = "en"
) -> dict[str, dict[str, Any]]:
    data = schema_org(entry, catalogue, context, language)
    assert data["@context"] == "https://schema.org"
    return {node["@type"]: node for node in data["@graph"]}


def test_schema_org_describes_the_credential(catalogue: Catalogue, context: BuildContext) -> None:
    entry = catalogue.published_entries()[0]
    credential = _graph(entry, catalogue, context)["EducationalOccupationalCredential"]
    assert credential["name"] == entry.title.en
    assert credential["credentialCategory"] == "Micro-credential"
    assert credential["url"] == context.entry_url(entry, "en")
    eqf = credential["educationalLevel"][0]
    assert eqf["@type"] == "DefinedTerm" and eqf["@id"] == entry.eqf_uri and eqf["termCode"] == str(entry.eqf)
    assert credential["competencyRequired"][0] == entry.learning_outcomes[0].text.en
    assert credential["recognizedBy"]["name"] == catalogue.authorities[entry.authorised_by].name.en


def test_schema_org_course_leads_to_the_credential(catalogue: Catalogue, context: BuildContext) -> None:
    entry = _entry_with(catalogue, status="active")
    graph = _graph(entry, catalogue, context)
    course, credential = graph["Course"], graph["EducationalOccupationalCredential"]
    assert course["educationalCredentialAwarded"] == {"@id": credential["@id"]}
    assert course["timeRequired"] == entry.volume_of_learning
    lead = catalogue.providers[entry.awarding_bodies[0]]
    assert course["provider"][0]["@type"] == "EducationalOrganization"
    assert course["provider"][0]["legalName"] == lead.legal_name
    assert course["provider"][0]["address"]["addressCountry"] == lead.country
    instances = course["hasCourseInstance"]
    assert {i["courseMode"] for i in instances} == {
        {"in-person": "Onsite", "blended": "Blended", "online": "Online"}[entry.participation_form]
    }
    assert [i["startDate"] for i in instances if "startDate" in i] == [
        d.isoformat() for d in entry.upcoming_starts(TODAY)
    ]


@pytest.mark.parametrize("cost_type", ["free", "funded", "paid"])
def test_schema_org_offer_price(catalogue: Catalogue, context: BuildContext, cost_type: str) -> None:
    entry = _entry_with(catalogue, status="active", cost_type=cost_type)
    offer = _graph(entry, catalogue, context)["Course"]["offers"]
    assert offer["price"] == (entry.cost_amount if cost_type == "paid" else 0)
    assert offer["priceCurrency"] == (entry.cost_currency or "EUR")


def test_schema_org_links_stacked_entries_both_ways(catalogue: Catalogue, context: BuildContext) -> None:
    part = next((e for e in sorted(catalogue.entries.values(), key=lambda e: e.id) if e.stacks_into), None)
    if part is None:
        pytest.skip("no stacking in the sample catalogue")
    whole = catalogue.entries[part.stacks_into[0]]
    part_course = _graph(part, catalogue, context)["Course"]
    whole_course = _graph(whole, catalogue, context)["Course"]
    assert whole_course["@id"] in {node["@id"] for node in part_course["isPartOf"]}
    assert part_course["@id"] in {node["@id"] for node in whole_course["hasPart"]}


def test_schema_org_offers_nothing_for_a_suspended_entry(catalogue: Catalogue, context: BuildContext) -> None:
    entry = _entry_with(catalogue, status="suspended")
    course = _graph(entry, catalogue, context)["Course"]
    assert "offers" not in course and "hasCourseInstance" not in course


# Hostile text


@pytest.fixture()
def hostile(catalogue_copy: Path, tmp_path: Path) -> tuple[MicroQualification, Catalogue, BuildContext, Path]:
    path = sorted(p for p in catalogue_copy.glob("*/*.yaml") if p.parent.name != "providers")[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["status"] = "active"
    data["title"] = {"lv": FORMULA, "en": MARKUP}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    poisoned = load_catalogue(catalogue_copy)
    context = BuildContext(site_url="https://mqcat.example.org/", today=TODAY)
    site = tmp_path / "site"
    write_open_data(poisoned, site, context)
    return poisoned.entries[data["id"]], poisoned, context, site


def test_hostile_title_cannot_become_a_csv_formula(
    hostile: tuple[MicroQualification, Catalogue, BuildContext, Path],
) -> None:
    entry, _, _, site = hostile
    [row] = [row for row in _csv_rows(site / API / "catalogue.csv") if row["id"] == entry.id]
    assert row["title_lv"] == "'" + FORMULA
    assert row["title_en"] == MARKUP


def test_every_csv_cell_is_quoted(site: Path) -> None:
    text = (site / API / "catalogue.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    expected = "\r\n".join(",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows) + "\r\n"
    assert text == expected


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("Rīga;=1+2", "Rīga;'=1+2"),
        ("Rīga, +1", "Rīga, '+1"),
        ("a|@SUM(A1)", "a|'@SUM(A1)"),
        ("a\t-1", "a\t'-1"),
        ("a\t\t=1", "a\t'\t'=1"),
        ("line\n=1", "line\n'=1"),
        ("Rīga; Ventspils - 5", "Rīga; Ventspils - 5"),
    ],
)
def test_a_formula_is_neutralised_after_any_separator_a_spreadsheet_might_use(text: str, written: str) -> None:
    assert csv_cell(text) == written
    for separator in ";,\t|\n":
        for cell in written.split(separator):
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_hostile_title_is_escaped_in_the_feeds(
    hostile: tuple[MicroQualification, Catalogue, BuildContext, Path],
) -> None:
    entry, _, _, site = hostile
    for feed, title in ((site / "feed.atom", FORMULA), (site / "en" / "feed.atom", MARKUP)):
        raw = feed.read_bytes()
        assert b"<b>" not in raw and b"</script>" not in raw
        tree = ElementTree.parse(feed)
        assert not any(element.tag.endswith(("script", "}b")) for element in tree.iter())
        [item] = [
            i for i in tree.getroot().findall(f"{ATOM}entry") if f"/entries/{entry.id}/" in i.findtext(f"{ATOM}id")
        ]
        assert item.findtext(f"{ATOM}title").endswith(": " + title)


def test_hostile_title_survives_json_as_data(hostile: tuple[MicroQualification, Catalogue, BuildContext, Path]) -> None:
    entry, _, _, site = hostile
    record = _json(site / API / "entries" / f"{entry.id}.json")["entry"]
    assert record["title"] == {"lv": FORMULA, "en": MARKUP}
    [listed] = [e for e in _json(site / API / "catalogue.json")["entries"] if e["id"] == entry.id]
    assert listed["title"] == {"lv": FORMULA, "en": MARKUP}


def test_hostile_title_in_json_ld_cannot_close_the_script(
    hostile: tuple[MicroQualification, Catalogue, BuildContext, Path],
) -> None:
    entry, catalogue, context, _ = hostile
    for language, title in (("lv", FORMULA), ("en", MARKUP)):
        embedded = json_for_script(schema_org(entry, catalogue, context, language))
        assert "</" not in embedded and "<b>" not in embedded
        names = {node["name"] for node in json.loads(embedded)["@graph"]}
        assert names == {title}
