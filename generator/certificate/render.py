"""The printed certificate: every element Annex I and the seed presentation require, in two languages.

`render_certificate_html` returns an HTML fragment (`<section class="mq-certificate">`)
that the site can show as a specimen and `render_certificate_page` wraps it as a
print-ready A4 document. The primary language's line comes first and the other
language's line below it. Every value from the catalogue or the learner list is
escaped with `html_text`; the only markup not built here is the QR code's SVG,
which segno draws from the certificate's link.

The QR code links to the entry's page with the certified version in the query
(`<entry page>?v=<version>`): a phone opens a readable page, and the version
stays visible in the link. The text under it names the immutable versioned
record, `api/v1/entries/<id>/v<version>.json`, which `api/v1/versions.json`
lists with its SRI digest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

import segno

from ..context import BuildContext, version_path
from ..escaping import html_text, safe_link
from ..formatting import Labels, country_name, isced_f_text, level, workload
from ..i18n import DEFAULT_LANGUAGE, label
from ..model import Catalogue, MicroQualification, Provider, Text
from .learners import Learner

STYLESHEET = Path(__file__).resolve().parent / "certificate.css"
LANGUAGE_PAIRS = {"lv": "en", "en": "lv"}


def certificate_url(entry: MicroQualification, ctx: BuildContext) -> str:
    """What the QR code links to: the entry's page, with the certified version."""
    return f"{ctx.entry_url(entry)}?v={entry.version}"


def versioned_record_url(entry: MicroQualification, ctx: BuildContext) -> str:
    """The immutable JSON record of exactly the version a certificate certifies."""
    return ctx.api_url(version_path(entry.id, entry.version))


@cache
def _qr_svg(data: str, quick: bool) -> str:
    # Choosing the best of the eight masks is most of segno's work (about 15 ms a
    # code). Any mask is valid; specimens on web pages, built by the thousand,
    # take a fixed one, issued certificates the best one.
    code = segno.make(data, error="m", micro=False, mask=0 if quick else None)
    svg = code.svg_inline(scale=1, border=2, omitsize=True, svgclass="mq-cert-qr-code", lineclass=None)
    return svg.replace("<svg ", '<svg role="img" ', 1)


def forget_qr_codes() -> None:
    """Empty the cache of QR codes (a site build draws each entry's once for both languages)."""
    _qr_svg.cache_clear()


def qr_svg(data: str, title: str, *, quick: bool = False) -> str:
    """An inline SVG QR code of `data` (error correction M), sized by CSS, with an accessible title."""
    svg = _qr_svg(data, quick)
    opening_end = svg.index(">") + 1
    return f"{svg[:opening_end]}<title>{html_text(title)}</title>{svg[opening_end:]}"


class _Bilingual:
    """Writes each label and value in the primary language, then in the other one."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGE_PAIRS:
            raise ValueError(f"no certificate language {language!r}; use one of {', '.join(LANGUAGE_PAIRS)}")
        self.primary = language
        self.secondary = LANGUAGE_PAIRS[language]

    def pair(
        self, primary: str, secondary: str | None, primary_lang: str | None = None, secondary_lang: str | None = None
    ) -> str:
        primary_lang = primary_lang or self.primary
        lang = f' lang="{primary_lang}"' if primary_lang != self.primary else ""
        out = f"<span{lang}>{html_text(primary)}</span>"
        if secondary and secondary != primary:
            out += (
                f'<span class="mq-cert-secondary" lang="{secondary_lang or self.secondary}">'
                f"{html_text(secondary)}</span>"
            )
        return out

    def label(self, key: str, **values: object) -> str:
        return self.pair(label(self.primary, key, **values), label(self.secondary, key, **values))

    def text(self, text: Text) -> str:
        primary_lang = self.primary if text.has(self.primary) else "lv"
        secondary = text.get(self.secondary) if text.has(self.secondary) else None
        return self.pair(text.get(self.primary), secondary, primary_lang)

    def each(self, make: Callable[[str], str]) -> str:
        """A value formatted by `make(language)` in both languages."""
        return self.pair(make(self.primary), make(self.secondary))

    def placeholder(self, key: str) -> str:
        return f'<span class="mq-cert-placeholder">{self.label(f"certificate.placeholder.{key}")}</span>'


def _row(name: str, value: str) -> str:
    return f"<div><dt>{name}</dt><dd>{value}</dd></div>"


def render_certificate_html(
    entry: MicroQualification,
    catalogue: Catalogue,
    ctx: BuildContext,
    language: str,
    learner: Learner | None = None,
    verify_link: str | None = None,
) -> str:
    """The certificate as an HTML fragment; without a learner, the learner's fields are marked placeholders.

    `verify_link` (a signed certificate's link to the verification page, with its
    paper token) replaces the entry's page in the QR code.
    """
    assert entry.decision_date is not None, "certificates are made for approved entries only"
    b = _Bilingual(language)
    authority = catalogue.authorities[entry.authorised_by]
    providers = [catalogue.providers[p] for p in entry.awarding_bodies]
    parts: list[str] = [f'<section class="mq-certificate" lang="{b.primary}">']

    if catalogue.is_example(entry):
        parts.append(f'<p class="mq-cert-notice">{b.label("certificate.example_notice")}</p>')
    parts.append(
        '<header class="mq-cert-header">'
        f'<p class="mq-cert-kind">{b.label("certificate.heading")}</p>'
        f'<h2 class="mq-cert-title">{b.text(entry.title)}</h2>'
        "</header>"
    )

    if learner is None:
        name, identifier = b.placeholder("name"), b.placeholder("identifier")
    else:
        name, identifier = html_text(learner.name), html_text(learner.identifier)
    parts.append(
        f'<dl class="mq-cert-holder">{_row(b.label("certificate.name"), name)}'
        f"{_row(b.label('certificate.identifier'), identifier)}</dl>"
    )

    facts = [
        _row(b.label("facts.purpose"), b.text(entry.purpose)),
        _row(b.label("facts.workload"), b.each(lambda lang: workload(entry, Labels(lang)))),
        _row(b.label("facts.level"), b.each(lambda lang: level(entry, Labels(lang)))),
        _row(
            b.label("facts.field"),
            b.each(lambda lang: isced_f_text(entry.isced_f, lang)),
        ),
        _row(
            b.label("facts.assessment"),
            b.each(lambda lang: ", ".join(label(lang, f"assessment_method.{m}") for m in entry.assessment_methods))
            + b.text(entry.assessment_description),
        ),
    ]
    if entry.supervision:
        facts.append(_row(b.label("facts.supervision"), b.label(f"supervision.{entry.supervision}")))
    facts.append(_row(b.label("facts.participation"), b.label(f"participation_form.{entry.participation_form}")))
    facts.append(_row(b.label("facts.quality_assurance"), b.text(entry.qa_type)))
    if entry.prerequisites:
        facts.append(_row(b.label("facts.prerequisites"), b.text(entry.prerequisites)))
    facts.append(_row(b.label("facts.stackability"), _stackability(entry, catalogue, b)))
    outcomes = "".join(f"<li>{b.text(o.text)}</li>" for o in entry.learning_outcomes)
    bodies = "".join(_provider_block(p, b) for p in providers)
    approval = (
        f'<div class="mq-cert-body"><p><strong>{b.text(authority.name)}</strong></p><dl>'
        f"{_row(b.label('qa.decision'), html_text(entry.decision))}"
        f"{_row(b.label('qa.approved'), html_text(entry.decision_date.isoformat()))}</dl></div>"
    )
    # One flow in two columns: what fits on a page depends on the texts, not on a fixed grid.
    parts.append(
        '<div class="mq-cert-columns">'
        f'<dl class="mq-cert-facts">{"".join(facts)}</dl>'
        f'<section class="mq-cert-outcomes"><h3>{b.label("facts.learning_outcomes")}</h3><ol>{outcomes}</ol></section>'
        f'<section class="mq-cert-awarding"><h3>{b.label("facts.providers")}</h3>{bodies}</section>'
        f'<section class="mq-cert-approval"><h3>{b.label("qa.authority")}</h3>{approval}</section>'
        "</div>"
    )
    parts.append(_footer(entry, ctx, providers[0], learner, b, verify_link))
    parts.append("</section>")
    html = "".join(parts)
    return html.replace('class="mq-certificate"', f'class="mq-certificate{_density(html)}"', 1)


# Characters of text that fit on one A4 page at each type size (measured with WeasyPrint).
_DENSITIES = ((5200, ""), (6100, " mq-cert-compact"))
_TAG = re.compile(r"<svg.*?</svg>|<[^>]+>", re.S)


def _density(html: str) -> str:
    """A smaller type size for long certificates, so that most fit on one page."""
    length = len(" ".join(_TAG.sub(" ", html).split()))
    return next((name for limit, name in _DENSITIES if length <= limit), " mq-cert-dense")


def _stackability(entry: MicroQualification, catalogue: Catalogue, b: _Bilingual) -> str:
    if entry.standalone is None:  # the entry says nothing about it: not "standalone" by default
        out = b.label("facts.not_stated")
    else:
        out = b.label("certificate.standalone" if entry.standalone else "certificate.part_of_larger")
    targets = [catalogue.entries[i].title for i in entry.stacks_into if i in catalogue.entries]
    if entry.larger_qualification:
        larger = entry.larger_qualification
        targets.append(
            Text(
                f"{larger.title.lv} ({label('lv', 'units.level_short', n=larger.lki)})",
                f"{larger.title.en} ({label('en', 'units.level_short', n=larger.lki)})" if larger.title.en else None,
            )
        )
    if targets:
        items = "".join(f"<li>{b.text(t)}</li>" for t in targets)
        out += f'<p class="mq-cert-stack">{b.label("certificate.counts_towards")}</p><ul>{items}</ul>'
    return out


def _provider_block(provider: Provider, b: _Bilingual) -> str:
    contacts = [c for c in (provider.contact.email, provider.contact.phone, provider.website) if c]
    place = b.each(lambda lang: ", ".join(filter(None, (country_name(provider.country, lang), provider.region))))
    rows = [
        _row(b.label("certificate.registration_number"), html_text(provider.registration_number)),
        _row(b.label("certificate.address"), html_text(provider.legal_address)),
        _row(b.label("facts.country"), place),
        _row(b.label("certificate.contacts"), html_text(" · ".join(contacts))),
    ]
    other_name = f"<p>{b.text(provider.name)}</p>" if provider.name.lv != provider.legal_name else ""
    return (
        f'<div class="mq-cert-body"><p><strong>{html_text(provider.legal_name)}</strong></p>'
        f"{other_name}<dl>{''.join(rows)}</dl></div>"
    )


def _footer(
    entry: MicroQualification,
    ctx: BuildContext,
    lead: Provider,
    learner: Learner | None,
    b: _Bilingual,
    verify_link: str | None = None,
) -> str:
    if learner is None:
        issued, place = b.placeholder("issue_date"), b.placeholder("issue_place")
        grade: str | None = b.placeholder("grade")
    else:
        issued = html_text(learner.issue_date.isoformat())
        place_text = learner.issue_place or lead.region
        place = html_text(place_text) if place_text else b.placeholder("issue_place")
        grade = html_text(learner.grade) if learner.grade else None
    rows = [_row(b.label("certificate.issue_date"), issued), _row(b.label("certificate.issue_place"), place)]
    if grade is not None:
        rows.append(_row(b.label("certificate.grade"), grade))
    rows.append(_row(b.label("certificate.version"), html_text(f"{entry.id} · v{entry.version}")))
    link = certificate_url(entry, ctx)
    record = versioned_record_url(entry, ctx)
    if verify_link is None:
        qr = qr_svg(link, label(b.primary, "certificate.qr_label", version=entry.version), quick=learner is None)
        verify = (
            f'<p class="mq-cert-verify">{b.label("certificate.verify", version=entry.version)}'
            f'<a href="{html_text(safe_link(link) or link)}">{html_text(link)}</a> · '
            f'<a href="{html_text(safe_link(record) or record)}">{html_text(record)}</a></p>'
        )
    else:
        # A signed certificate: the code opens the verification page with this certificate's signed token.
        page = verify_link.split("#", 1)[0]
        qr = qr_svg(verify_link, label(b.primary, "certificate.qr_label_signed"))
        verify = (
            f'<p class="mq-cert-verify">{b.label("certificate.verify_signed")}'
            f'<a href="{html_text(safe_link(verify_link) or page)}">{html_text(page)}</a> · '
            f'<a href="{html_text(safe_link(record) or record)}">{html_text(record)}</a></p>'
        )
    return (
        '<footer class="mq-cert-footer"><div class="mq-cert-footer-row">'
        f'<div><dl class="mq-cert-issue">{"".join(rows)}</dl>'
        f'<p class="mq-cert-signature">{b.label("certificate.signature")}</p></div>'
        f'<figure class="mq-cert-qr{" mq-cert-qr--signed" if verify_link else ""}">{qr}</figure>'
        f"</div>{verify}</footer>"
    )


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The print stylesheet (A4, one page) that the standalone document inlines."""
    return STYLESHEET.read_text(encoding="utf-8")


def render_certificate_page(
    entry: MicroQualification,
    catalogue: Catalogue,
    ctx: BuildContext,
    learner: Learner | None = None,
    language: str = DEFAULT_LANGUAGE,
    verify_link: str | None = None,
) -> str:
    """A complete, self-contained HTML document of one certificate, ready to print or turn into PDF."""
    title = label(language, "certificate.document_title", title=entry.title.get(language))
    if learner is not None:
        title += f" – {learner.name}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_text(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_text(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n"
        f"<body>\n{render_certificate_html(entry, catalogue, ctx, language, learner, verify_link)}\n</body>\n</html>\n"
    )
