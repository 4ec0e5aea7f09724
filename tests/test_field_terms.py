"""Words and facts: one term per field on pages, certificates and the review report; facts shown as they are."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from generator import schemas
from generator.certificate import render_certificate_html
from generator.context import BuildContext
from generator.formatting import isced_f_names, language_name
from generator.i18n import FIELD_TERMS, LANGUAGES, label
from generator.model import Catalogue
from generator.review import fields

from .html_support import parse

# The fields a certificate shows beside the entry page.
CERTIFICATE_FIELDS = [
    ("purpose",),
    ("awarding_bodies",),
    ("learning_outcomes",),
    ("workload",),
    ("level",),
    ("isced_f",),
    ("assessment",),
    ("assessment", "supervision"),
    ("participation_form",),
    ("quality_assurance",),
    ("quality_assurance", "authorised_by"),
    ("quality_assurance", "decision"),
    ("quality_assurance", "decision_date"),
    ("prerequisites",),
    ("stackability",),
]
PAGE_FIELDS = [path for path in CERTIFICATE_FIELDS if path != ("purpose",)]  # the page's lead paragraph is the purpose
ENTRY = "forklift-safe-operation"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _page(built_site: Path, language: str) -> str:
    prefix = "" if language == "lv" else f"{language}/"
    return (built_site / f"{prefix}transport-logistics/{ENTRY}/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_and_certificates_label_each_field_with_the_same_term(
    built_site: Path, catalogue: Catalogue, context: BuildContext, language: str
) -> None:
    page = _text(_page(built_site, language))
    certificate = _text(render_certificate_html(catalogue.entries[ENTRY], catalogue, context, language))
    for path in CERTIFICATE_FIELDS:
        term = label(language, FIELD_TERMS[path])
        assert term in certificate, (path, term)
        if path in PAGE_FIELDS:
            assert term in page, (path, term)


def test_the_review_report_uses_the_english_terms() -> None:
    for path, key in FIELD_TERMS.items():
        assert fields.title(schemas.MICRO_QUALIFICATION, path) == label("en", key)


def test_each_language_has_one_term_per_field() -> None:
    for language in LANGUAGES:
        terms = [label(language, key) for key in FIELD_TERMS.values()]
        assert len(set(terms)) == len(terms), language
    # The words that used to differ between page and certificate are gone.
    everything = " ".join(str(value) for value in _flat(label.__globals__["table"]("lv")))
    assert "Nominālā slodze" not in everything and "Integrācija un apvienojamība" not in everything


def _flat(node: object) -> list[object]:
    if isinstance(node, dict):
        return [item for value in node.values() for item in _flat(value)]
    return [node]


def test_isced_f_fields_have_latvian_labels_for_every_code() -> None:
    assert set(isced_f_names("lv")) == set(isced_f_names("en"))
    assert isced_f_names("lv")["1041"] == "Transporta pakalpojumi"


@pytest.mark.parametrize(
    ("language", "shown"), [("lv", "1041 Transporta pakalpojumi"), ("en", "1041 Transport services")]
)
def test_entry_pages_show_the_isced_f_label_in_their_language(built_site: Path, language: str, shown: str) -> None:
    assert shown in _text(_page(built_site, language))


def test_entry_pages_have_no_empty_rows(built_site: Path) -> None:
    empty = []
    for page in built_site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        if 'class="mq-entry"' not in html:
            continue
        for match in re.finditer(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.DOTALL):
            if not _text(match.group(2)):
                empty.append(f"{page.relative_to(built_site)}: {_text(match.group(1))}")
    assert empty == []


def test_unknown_stackability_is_not_called_standalone(catalogue: Catalogue, context: BuildContext) -> None:
    entry = dataclasses.replace(catalogue.entries[ENTRY], standalone=None, stacks_into=(), larger_qualification=None)
    for language in LANGUAGES:
        certificate = _text(render_certificate_html(entry, catalogue, context, language))
        assert label(language, "facts.not_stated") in certificate
        assert label(language, "certificate.standalone") not in certificate


def test_an_entry_without_stackability_has_none_in_the_model(catalogue: Catalogue) -> None:
    unknown = [e for e in catalogue.entries.values() if "stackability" not in e.data]
    assert all(e.standalone is None for e in unknown)
    assert all(e.standalone is not None for e in catalogue.entries.values() if "stackability" in e.data)


def test_the_page_of_an_entry_without_stackability_says_not_stated(built_site: Path, catalogue: Catalogue) -> None:
    unknown = [e for e in catalogue.entries.values() if e.standalone is None]
    if not unknown:
        pytest.skip("every sample entry states its stackability")
    entry = unknown[0]
    html = parse(built_site / entry.sector / entry.id / "index.html")
    assert label("lv", "stack.standalone") not in html.text


def test_languages_of_instruction_are_named_in_the_page_language(catalogue: Catalogue) -> None:
    """Every language of instruction in the sample catalogue has a Latvian name on Latvian pages (not `english`)."""
    codes = {code for entry in catalogue.entries.values() for code in entry.languages}
    assert codes, "the sample catalogue names languages of instruction"
    for code in sorted(codes):
        latvian, english = language_name(code, "lv"), language_name(code, "en")
        assert latvian != english.lower(), (code, latvian)
    assert language_name("en", "lv") == "angļu"
