"""The printed certificate: every element Annex I and the seed presentation require, in two languages.

`render_certificate_html` returns an HTML fragment (`<section class="mq-certificate">`)
that the site can show as a specimen and `render_certificate_page` wraps it as a
print-ready A4 document. The markup is in autoescaping Jinja templates beside
this module, certificate.html (with its pieces, certificate-pieces.html) and page.html; this module
gathers what they show.
The primary language's line comes first and the other language's line below it.
Every value from the catalogue or the learner list is escaped where a template
writes it; the only markup that comes in as such is the QR code's SVG, which
segno draws from the certificate's link, and the stylesheet.

The QR code links to the entry's page with the certified version in the query
(`<entry page>?v=<version>`): a phone opens a readable page, and the version
stays visible in the link. The text under it names the immutable versioned
record, `api/v1/entries/<id>/v<version>.json`, which `api/v1/versions.json`
lists with its SRI digest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..context import BuildContext, version_path
from ..escaping import html_text, safe_link
from ..formatting import Labels, country_name, isced_f_text, level, workload
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, label, other_language
from ..model import Catalogue, MicroQualification, Provider, Text
from .learners import Learner

STYLESHEET = Path(__file__).resolve().parent / "certificate.css"


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
    size = code.symbol_size(scale=1, border=_QR_BORDER)
    # The markup segno's svg_inline(scale=1, border=2, omitsize=True, lineclass=None) writes, drawn here in a
    # third of its time (tests/test_certificate.py compares the two).
    return (
        f'<svg role="img" viewBox="0 0 {size[0]} {size[1]}" class="mq-cert-qr-code">'
        f'<path stroke="#000" d="{_qr_path(code.matrix)}"/></svg>'
    )


_QR_BORDER = 2
_DARK_RUN = re.compile(rb"\x01+")


def _qr_path(matrix: tuple[bytearray, ...]) -> str:
    """An SVG path of one stroke per run of dark modules, each row at the middle of its modules' height.

    The moves are relative to the end of the previous stroke (the first absolute), as segno writes them.
    """
    moves: list[str] = []
    x, y = 0, 0.0
    for row_number, row in enumerate(matrix):
        row_y = _QR_BORDER + row_number + 0.5
        for run in _DARK_RUN.finditer(row):
            start, end = _QR_BORDER + run.start(), _QR_BORDER + run.end()
            dy = row_y - y
            moves.append(f"{'m' if moves else 'M'}{start - x} {int(dy) if dy == int(dy) else dy}h{end - start}")
            x, y = end, row_y
    return "".join(moves)


def forget_qr_codes() -> None:
    """Empty the cache of QR codes (a site build draws each entry's once for both languages)."""
    _qr_svg.cache_clear()


def qr_svg(data: str, title: str, *, quick: bool = False) -> str:
    """An inline SVG QR code of `data` (error correction M), sized by CSS, with an accessible title."""
    svg = _qr_svg(data, quick)
    opening_end = svg.index(">") + 1
    return f"{svg[:opening_end]}<title>{html_text(title)}</title>{svg[opening_end:]}"


def _escape(value: object) -> Markup:
    """Autoescaping as `html_text` writes it (`&#x27;`, not markupsafe's `&#39;`), so output stays byte-identical."""
    return value if isinstance(value, Markup) else Markup(html_text(value))  # noqa: S704 (escaped just here)


# Autoescaping: every value from the catalogue or the learner list is escaped where the
# template writes it; only the QR code's SVG and the stylesheet come in as Markup.
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent),
    autoescape=True,
    finalize=_escape,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_TEMPLATES.globals["label"] = label


class _Translations:
    """certificate-pieces.html's `tr` macro, rendered once per key and arguments for one language pair.

    Every certificate shows the same labels; as a macro each cost more than the values it frames
    (a specimen has some fifty of them, and a site build draws two specimens per entry).
    """

    def __init__(self, language: str) -> None:
        pieces = _TEMPLATES.get_template("certificate-pieces.html")
        module = pieces.make_module({"lang": language, "other": other_language(language)})
        self._macro: Callable[..., str] = vars(module)["tr"]
        self._rendered: dict[tuple[str, tuple[tuple[str, object], ...]], Markup] = {}

    def __call__(self, key: str, **kwargs: object) -> Markup:
        index = (key, tuple(sorted(kwargs.items())))
        rendered = self._rendered.get(index)
        if rendered is None:
            rendered = self._rendered[index] = Markup(self._macro(key, **kwargs))  # noqa: S704 (the macro escaped it)
        return rendered


@cache
def _translations(language: str) -> _Translations:
    return _Translations(language)


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
    paper token) replaces the entry's page in the QR code. The markup is
    certificate.html; this function gathers what it shows, in both languages.
    """
    assert entry.decision_date is not None, "certificates are made for approved entries only"
    if language not in LANGUAGES:
        raise ValueError(f"no certificate language {language!r}; use one of {', '.join(LANGUAGES)}")
    languages = (language, other_language(language))
    providers = [catalogue.providers[p] for p in entry.awarding_bodies]
    lead = providers[0]
    link, record = certificate_url(entry, ctx), versioned_record_url(entry, ctx)
    if verify_link is None:
        qr = qr_svg(link, label(language, "certificate.qr_label", version=entry.version), quick=learner is None)
        link_href, link_text = safe_link(link) or link, link
    else:
        # A signed certificate: the code opens the verification page with this certificate's signed token.
        page = verify_link.split("#", 1)[0]
        qr = qr_svg(verify_link, label(language, "certificate.qr_label_signed"))
        link_href, link_text = safe_link(verify_link) or page, page
    return _TEMPLATES.get_template("certificate.html").render(
        lang=language,
        other=languages[1],
        tr=_translations(language),
        entry=entry,
        example=catalogue.is_example(entry),
        learner=learner,
        issue_place=(learner.issue_place or lead.region) if learner else None,
        workload=[workload(entry, Labels(lang)) for lang in languages],
        level=[level(entry, Labels(lang)) for lang in languages],
        field=[isced_f_text(entry.isced_f, lang) for lang in languages],
        assessment_methods=[
            ", ".join(label(lang, f"assessment_method.{m}") for m in entry.assessment_methods) for lang in languages
        ],
        stack_targets=_stack_targets(entry, catalogue),
        providers=[_provider(p, languages) for p in providers],
        authority=catalogue.authorities[entry.authorised_by],
        signed=verify_link is not None,
        qr=Markup(qr),  # noqa: S704 (segno's SVG; its only text, the title, is escaped in qr_svg)
        link_href=link_href,
        link_text=link_text,
        record_href=safe_link(record) or record,
        record=record,
        density=_density,
    )


# Characters of text that fit on one A4 page at each type size (measured with WeasyPrint).
_DENSITIES = ((5200, ""), (6100, " mq-cert-compact"))
_TAG = re.compile(r"<svg.*?</svg>|<[^>]+>", re.S)


def _density(html: str) -> str:
    """A smaller type size for long certificates, so that most fit on one page."""
    length = len(" ".join(_TAG.sub(" ", html).split()))
    return next((name for limit, name in _DENSITIES if length <= limit), " mq-cert-dense")


def _stack_targets(entry: MicroQualification, catalogue: Catalogue) -> list[Text]:
    """The titles of what the entry counts towards: catalogue entries, then the larger qualification."""
    targets = [catalogue.entries[i].title for i in entry.stacks_into if i in catalogue.entries]
    if entry.larger_qualification:
        larger = entry.larger_qualification
        targets.append(
            Text(
                f"{larger.title.lv} ({label('lv', 'units.level_short', n=larger.lki)})",
                f"{larger.title.en} ({label('en', 'units.level_short', n=larger.lki)})" if larger.title.en else None,
            )
        )
    return targets


@dataclass(frozen=True)
class _ProviderView:
    """An awarding body as its block on the certificate shows it."""

    legal_name: str
    name: Text
    registration_number: str
    legal_address: str
    place: list[str]  # country and region, in each language
    contacts: str


def _provider(provider: Provider, languages: tuple[str, str]) -> _ProviderView:
    contacts = [c for c in (provider.contact.email, provider.contact.phone, provider.website) if c]
    return _ProviderView(
        legal_name=provider.legal_name,
        name=provider.name,
        registration_number=provider.registration_number,
        legal_address=provider.legal_address,
        place=[", ".join(filter(None, (country_name(provider.country, lang), provider.region))) for lang in languages],
        contacts=" · ".join(contacts),
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
    return _TEMPLATES.get_template("page.html").render(
        lang=language,
        title=title,
        stylesheet=Markup(stylesheet()),  # noqa: S704 (the package's own certificate.css)
        # Rendered (and escaped) by certificate.html.
        certificate=Markup(render_certificate_html(entry, catalogue, ctx, language, learner, verify_link)),  # noqa: S704
    )
