"""Characters: what no catalogue text may hold, and every output well-formed for any text that validates.

Refused, with file, line, column and the character's name: what XML 1.0 forbids
(C0 controls but tab and line feed, U+FFFE, U+FFFF, lone surrogates), C1
controls, Unicode format characters (category Cf) and tag characters. Every
other character is allowed, and a property test puts texts drawn from all of
them into an entry and parses every output: JSON, CSV, both Atom feeds,
schema.org JSON-LD in its <script> element, and (once, with a real MkDocs
build) the HTML pages.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import json
import random
import shutil
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator import schemas
from generator.catalogue import validate
from generator.context import BuildContext
from generator.escaping import csv_cell, json_for_script
from generator.loader import LoadError, character_name, forbidden_character, parse_text
from generator.model import Catalogue, MicroQualification
from generator.opendata import atom_feed, catalogue_csv, entry_record, schema_org

from .conftest import CATALOGUE_DIR, build_site, made_once
from .html_support import parse

ENTRY = "transport-logistics/forklift-safe-operation.yaml"
ATOM = "{http://www.w3.org/2005/Atom}"


def allowed(char: str) -> bool:
    return forbidden_character(char) is None


# --- what is refused -----------------------------------------------------------------


def test_every_format_character_of_this_python_is_refused() -> None:
    format_characters = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert len(format_characters) > 150
    assert [f"U+{ord(c):04X}" for c in format_characters if allowed(c)] == []


@pytest.mark.parametrize(
    "code",
    [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F, 0xD800, 0xDBFF, 0xDC00, 0xDFFF]
    + [0xFFFE, 0xFFFF, 0xE0000, 0xE0001, 0xE0041, 0xE007F],
)
def test_characters_xml_forbids_controls_and_tags_are_refused(code: int) -> None:
    assert not allowed(chr(code))


@pytest.mark.parametrize("char", ["\t", "\n", "a", "ā", "Ž", "€", "\u00a0", "\u2028", "\ufffd", "😀", "\U0010fffd"])
def test_ordinary_characters_are_allowed(char: str) -> None:
    assert allowed(char)


@pytest.mark.parametrize(
    ("written", "code", "name", "column"),
    [
        ('"Drošs\\uFFFE darbs"', 0xFFFE, "noncharacter", 13),
        ('"Drošs\\uffff darbs"', 0xFFFF, "noncharacter", 13),
        ('"Drošs\\U000E0041 darbs"', 0xE0041, "TAG LATIN CAPITAL LETTER A", 13),
        ("Drošs\u00ad darbs", 0x00AD, "SOFT HYPHEN", 12),
        ("Drošs\u2066 darbs", 0x2066, "LEFT-TO-RIGHT ISOLATE", 12),
        ("Drošs\U000e0041 darbs", 0xE0041, "TAG LATIN CAPITAL LETTER A", 12),
    ],
)
def test_a_refused_character_is_named_with_its_file_line_and_column(
    catalogue_copy: Path, written: str, code: int, name: str, column: int
) -> None:
    path = catalogue_copy / ENTRY
    text = path.read_text(encoding="utf-8")
    old = '  lv: "Droša iekrāvēja vadīšana noliktavā"'
    assert text.count(old) == 1
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, f"  lv: {written}"), encoding="utf-8")
    [problem] = [p for p in validate(catalogue_copy).problems if p.file.endswith(ENTRY)]
    assert (problem.line, problem.column, problem.field) == (line, column, "title.lv")
    assert f"U+{code:04X} ({name})" in problem.message
    assert character_name(chr(code)) == name


def test_a_lone_surrogate_escape_is_refused_at_its_line(catalogue_copy: Path) -> None:
    # libyaml refuses the escape itself; the pure-Python parser would let the loader's check refuse it.
    path = catalogue_copy / ENTRY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('lv: "Droša iekrāvēja', 'lv: "Droša\\ud800 iekrāvēja', 1), encoding="utf-8")
    [problem] = [p for p in validate(catalogue_copy).problems if p.file.endswith(ENTRY)]
    assert problem.line == 6
    assert "invalid Unicode character escape" in problem.message or "U+D800" in problem.message
    assert character_name("\ud800") == "unpaired surrogate"


# --- every output stays well-formed ------------------------------------------------------

# Any character the loader allows, with the ones that mean something in an output made likely.
SPECIAL = list("<>&\"'`=+-@;,|\t\n\\/]!-{}%$#") + ["</script>", "<!--", "]]>", "\u2028", "\u2029", "\r\n"]
allowed_text = st.lists(
    st.one_of(st.characters(codec=None).filter(allowed), st.sampled_from(SPECIAL).filter(allowed)),
    min_size=1,
    max_size=40,
).map("".join)


@pytest.fixture(scope="module")
def base(catalogue: Catalogue) -> tuple[Catalogue, MicroQualification]:
    return catalogue, catalogue.entries["forklift-safe-operation"]


def with_texts(data: dict[str, Any], title: str, purpose: str, outcome: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["title"] = {"lv": "T " + title, "en": title + " T"}
    changed["purpose"] = {"lv": "P " + purpose, "en": purpose}
    changed["learning_outcomes"][0]["text"] = {"lv": "O " + outcome, "en": outcome}
    changed["keywords"] = {"lv": ["K " + title[:50]], "en": ["K " + outcome[:50]]}
    return changed


def validates(data: dict[str, Any]) -> bool:
    """Whether the data, written as YAML, loads and passes the schema."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    try:
        doc = parse_text(text, Path(ENTRY), ENTRY)
    except LoadError:
        return False
    return doc.data == data and not schemas.check(doc, schemas.MICRO_QUALIFICATION)


class _ScriptReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open = tag == "script"
        if self.open:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self.open = False

    def handle_data(self, data: str) -> None:
        if self.open:
            self.scripts[-1] += data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(title=allowed_text, purpose=allowed_text, outcome=allowed_text)
def test_every_output_is_well_formed_for_any_text_that_validates(
    base: tuple[Catalogue, MicroQualification], context: BuildContext, title: str, purpose: str, outcome: str
) -> None:
    catalogue, entry = base
    data = with_texts(entry.data, title, purpose, outcome)
    assume(validates(data))
    changed = MicroQualification.from_data(data, entry.source)
    poisoned = dataclasses.replace(catalogue, entries={**catalogue.entries, entry.id: changed})

    # JSON: strict UTF-8 (a lone surrogate could not be encoded), the same data back.
    record = json.dumps(entry_record(changed, poisoned, context), ensure_ascii=False).encode("utf-8")
    assert json.loads(record.decode("utf-8"))["title"] == data["title"]

    # CSV: the documented dialect reads back every cell, neutralised as documented.
    rows = list(csv.DictReader(io.StringIO(catalogue_csv(poisoned, context).decode("utf-8-sig"), newline="")))
    [row] = [r for r in rows if r["id"] == entry.id]
    assert (row["title_lv"], row["title_en"]) == (csv_cell(data["title"]["lv"]), csv_cell(data["title"]["en"]))

    # Atom: well-formed XML in both languages, the title as text.
    for language in ("lv", "en"):
        feed = ElementTree.fromstring(atom_feed(poisoned, context, language))
        titles = [e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry")]
        assert any(data["title"][language] in t for t in titles)

    # JSON-LD inside <script>: an HTML parser sees one script, whose text is the same JSON.
    document = schema_org(changed, poisoned, context, "lv")
    reader = _ScriptReader()
    reader.feed(f'<html><head><script type="application/ld+json">{json_for_script(document)}</script></head></html>')
    reader.close()
    assert len(reader.scripts) == 1
    assert json.loads(reader.scripts[0]) == json.loads(json.dumps(document))


# --- the HTML pages, with a real build ----------------------------------------------------


def sampled_text(seed: int, length: int = 60) -> str:
    """A text of characters drawn from every plane the loader allows, the special ones among them."""
    chooser = random.Random(seed)
    chars: list[str] = []
    while len(chars) < length:
        pick = chooser.choice(SPECIAL) if chooser.random() < 0.3 else chr(chooser.randrange(0x20, sys.maxunicode))
        if allowed(pick) and unicodedata.category(pick[0]) not in ("Cn", "Co"):
            chars.append(pick)
    return "x" + "".join(chars).replace("\n", " ") + "x"


@pytest.fixture(scope="module")
def sampled_site(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> tuple[Path, dict[str, Any]]:
    entry = catalogue.entries["forklift-safe-operation"]
    data = with_texts(entry.data, sampled_text(1), sampled_text(2, 200), sampled_text(3, 100))
    data["version"] += 1  # a changed published entry needs a new version
    assert validates(data)

    def make(work: Path) -> None:
        shutil.copytree(CATALOGUE_DIR, work / "catalogue")
        (work / "catalogue" / ENTRY).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        build_site(work, work / "catalogue")

    return made_once(tmp_path_factory, "characters", make) / "site", data


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def test_html_pages_show_any_allowed_text_as_text(sampled_site: tuple[Path, dict[str, Any]]) -> None:
    site, data = sampled_site
    for prefix, language in (("", "lv"), ("en/", "en")):
        path = site / prefix / data["sector"] / data["id"] / "index.html"
        page = parse(path)
        [heading] = page.find("h1")
        assert " ".join(heading.text.split()) == " ".join(data["title"][language].split())
        raw = path.read_text(encoding="utf-8")
        assert raw.count("<script") == raw.count("</script>")
        [block] = [e.text for e in page.find("script", type="application/ld+json")]
        assert data["title"][language] in strings(json.loads(block))
