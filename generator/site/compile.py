"""Compile the validated catalogue into a plain MkDocs source tree, one per language.

    <out>/overrides/                theme overrides (page templates, partials)
    <out>/<language>/mkdocs.yml     INHERITs the repository's mkdocs.yml
    <out>/<language>/docs/...       Markdown pages: front matter only

Entry content never passes through Markdown: each page's front matter carries
its view model and a template of ours renders it, escaping every value. Entry
pages are not in the navigation (Material renders the whole navigation into
every page, which would make the build quadratic).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from ..certificate.render import STYLESHEET as CERTIFICATE_STYLESHEET
from ..certificate.render import forget_qr_codes, render_certificate_html
from ..context import (
    ASSETS_PATH,
    COMPARE_PATH,
    FINDER_PATH,
    LEVELS_PATH,
    LISTING_SIZE,
    PROVIDERS_PATH,
    STATISTICS_PATH,
    VERIFY_PATH,
    BuildContext,
    asset_path,
    level_path,
    listing_path,
    prose_path,
    provider_path,
    sector_path,
    source_file,
)
from ..credentials import registry
from ..escaping import html_text, json_for_script
from ..formatting import Labels, date, text
from ..i18n import LANGUAGES, other_language, table
from ..model import Catalogue, MicroQualification
from ..opendata import schema_org
from ..statistics import Figures
from ..statistics import compute as compute_figures
from . import charts, finder, views
from .pathways import Drawings, Pathway, find_pathways
from .shards import Shard

HERE = Path(__file__).resolve().parent
THEME_DIR = HERE / "theme"
ASSETS_DIR = HERE / "assets"
CONTENT_DIR = HERE / "content"

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# JSON is a subset of YAML's flow style, and json.dumps is many times faster than
# PyYAML's representer. Line and paragraph separators are escaped because a YAML
# 1.1 parser would fold them as line breaks inside a quoted scalar.
_YAML_UNSAFE = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\u0085", "\\u0085"))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Stands for a list's cards in its page's view until their JSON, made once per card, is put in its place.
# No catalogue text can hold it: the loader refuses control characters, a NUL written as "\0" too.
_CARDS = "\x00mq-cards\x00"
_CARDS_JSON = _json(_CARDS)


def _front_matter(meta: dict[str, Any], cards: list[str] | None = None) -> str:
    """Front matter that any YAML parser reads back as `meta`, with `cards` (JSON) where the view has _CARDS."""
    body = _json(meta)
    if cards is not None:
        body = body.replace(_CARDS_JSON, f"[{','.join(cards)}]", 1)
    for char, escape in _YAML_UNSAFE:
        body = body.replace(char, escape)
    return f"---\n{body}\n---\n"


@dataclass(frozen=True)
class Card:
    """An entry's card (the view its listings show) and its JSON, serialised once for all its lists."""

    view: dict[str, Any]
    json: str

    @classmethod
    def of(cls, view: dict[str, Any]) -> Card:
        return cls(view, _json(view))


class PageWriter:
    """How the pages reach the disk: here, every page into an empty tree (a full build).

    An incremental build (incremental.py) writes only the pages whose bytes changed
    and keeps the entry pages whose inputs did not change without compiling them.
    """

    fresh = True  # the tree starts empty: the theme and assets are copied in

    def keep(self, language: str, path: str, entry: MicroQualification) -> bool:
        """Whether the entry page at `path` (relative to docs/) stands as the previous build wrote it."""
        return False

    def card(self, language: str, entry: MicroQualification, make: Callable[[], dict[str, Any]]) -> Card:
        """An entry's card in listings and its JSON: made now, or the same card kept from the previous build."""
        return Card.of(make())

    def drawing(self, language: str, pathway: Pathway, draw: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A learning pathway's drawing: `draw()`, or the same drawing kept from the previous build."""
        return draw()

    def write(self, target: Path, content: str) -> None:
        target.write_text(content, encoding="utf-8")


class SourceTree:
    """Writes the pages of one language."""

    def __init__(
        self,
        catalogue: Catalogue,
        ctx: BuildContext,
        language: str,
        docs: Path,
        shard: Shard | None = None,
        writer: PageWriter | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.shard = shard
        self.writer = writer or PageWriter()
        self.ctx = ctx
        self.language = language
        self.docs = docs
        self.L = Labels(language)
        self.other = other_language(language)
        self._made: set[Path] = set()
        self._cards: dict[str, Card] = {}
        # The site's pages of this language that this tree holds (written now, or kept from before),
        # by path: what the sitemap lists, without walking the rendered site.
        self.paths: list[str] = []

    def page(
        self,
        path: str,
        template: str,
        title: str,
        view: dict[str, Any],
        *,
        index: bool = False,
        description: str = "",
        body: str = "",
        extra: dict[str, Any] | None = None,
        cards: list[str] | None = None,
    ) -> None:
        """Write the page at `path` (`sector/entry/`; with `index`, a folder's own page: `sector/`).

        `cards`: the JSON of the cards that `view` holds as _CARDS (a list's page).
        """
        target = self.docs / source_file(path, index)
        self.paths.append(path)
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        meta: dict[str, Any] = {
            "template": template,
            # Material prints title and description without escaping: escape them here.
            "title": html_text(title),
            "mq_title": title,
            "mq_links": self.ctx.page_links(path, self.language),
            "mq": view,
        }
        if description:
            meta["description"] = html_text(description)
        meta.update(extra or {})
        self.writer.write(target, _front_matter(meta, cards) + body)

    def wanted(self, path: str) -> bool:
        """Whether this build writes the page at `path`, outside the navigation (all of them unless sharded)."""
        return self.shard is None or self.shard.owns(source_file(path))

    def text(self, value: Any) -> str:
        shown = text(value, self.language)
        return shown["text"] if shown else ""

    def cards(self, entries: list[MicroQualification]) -> list[Card]:
        """The entries' cards; an entry's card (on its sector's, providers' and level's lists) is made once."""
        made, language = self._cards, self.language
        for e in entries:
            if e.id not in made:
                made[e.id] = self.writer.card(language, e, partial(views.card, e, self.catalogue, self.ctx, language))
        return [made[e.id] for e in entries]

    def listing(
        self,
        path: str,
        template: str,
        title: str,
        entries: list[MicroQualification],
        view: dict[str, Any],
        *,
        pathways: Drawings | None = None,
        in_navigation: bool = False,
        index: bool = False,
    ) -> None:
        """A list of entries on pages of LISTING_SIZE cards: `path`, then `path`page/2/, ...

        Each page's view is `view` with the cards, the list's length, the links to the other
        pages and, given `pathways`, the pathways its entries are on (a pathway whose entries
        are on several pages is drawn on each). The first page of a list in the navigation is
        in every shard; the others, like every page outside the navigation, in one.
        """
        parts = [entries[start : start + LISTING_SIZE] for start in range(0, len(entries), LISTING_SIZE)] or [[]]
        for number, shown in enumerate(parts, 1):
            here = listing_path(path, number)
            if not (in_navigation and number == 1) and not self.wanted(here):
                continue
            first = (number - 1) * LISTING_SIZE
            page_view = dict(view, entries=_CARDS)
            page_view["count"] = len(entries)
            page_view["pages"] = self.pagination(path, number, len(parts), first, first + len(shown), len(entries))
            if pathways is not None:
                page_view["pathways"] = pathways.for_sector(shown)
            shown_title = (
                title if number == 1 else self.L("listing.page_title", title=title, number=number, count=len(parts))
            )
            cards = [card.json for card in self.cards(shown)]
            self.page(here, template, shown_title, page_view, index=index and number == 1, cards=cards)

    def pagination(
        self, path: str, number: int, count: int, first: int, last: int, total: int
    ) -> dict[str, Any] | None:
        """Links to the other pages of a list of `count` pages: previous, next, the first, the last and
        the two on each side of page `number`; None for a list on one page."""
        if count == 1:
            return None
        near = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
        items: list[dict[str, Any]] = []
        for before, n in zip([0, *near], near, strict=False):
            if n > before + 1:
                items.append({"gap": True})
            items.append(
                {
                    "number": n,
                    "path": listing_path(path, n),
                    "current": n == number,
                    "label": self.L("listing.page", number=n),
                }
            )

        def step(n: int, key: str) -> dict[str, str] | None:
            return {"path": listing_path(path, n), "label": self.L(f"listing.{key}")} if 1 <= n <= count else None

        return {
            "label": self.L("listing.pages"),
            "showing": self.L("listing.showing", first=first + 1, last=last, count=total),
            "previous": step(number - 1, "previous"),
            "next": step(number + 1, "next"),
            "items": items,
        }

    def write_all(self, built_from: dict[str, list[str]], figures: Figures, pathways: dict[str, Pathway]) -> None:
        catalogue, ctx, language = self.catalogue, self.ctx, self.language
        by_sector = catalogue.entries_by_sector()
        by_provider = catalogue.entries_by_provider()
        by_level = catalogue.entries_by_level()
        published = catalogue.published_entries()
        drawings = Drawings(catalogue, ctx, language, pathways, self.writer.drawing)

        cards = self.cards

        sectors: list[dict[str, Any]] = [
            {
                "id": s.id,
                "path": sector_path(s.id),
                "name": views.shown(s.name, language),
                "council": views.shown(s.council, language),
                "count": len(by_sector.get(s.id, [])),
            }
            for s in catalogue.sectors.values()
        ]
        newest = sorted(published, key=lambda e: (e.decision_date, e.id), reverse=True)[:10]
        self.page(
            "",
            "mq-home.html",
            self.L("site.name"),
            {
                "counts": {
                    "entries": len(published),
                    "sectors": sum(1 for s in sectors if s["count"]),
                    "providers": sum(1 for p in catalogue.providers.values() if by_provider.get(p.id)),
                },
                "sectors": sectors,
                "links": {
                    "statistics": STATISTICS_PATH,
                    "calendar": ctx.calendar_path(),
                    "submit": prose_path("about", self.L("home.submit_anchor")),
                },
                "newest": [
                    dict(card.view, approved=date(e.decision_date))
                    for e, card in zip(newest, cards(newest), strict=True)
                ],
                # Only a preview has proposals (the publish build refuses them): listed apart, never as approved.
                "proposals": [
                    card.view for card in cards(sorted(catalogue.proposals.values(), key=lambda e: (e.sector, e.id)))
                ],
            },
            description=self.L("site.description"),
        )

        for sector in sectors:
            self.listing(
                sector["path"],
                "mq-sector.html",
                views.shown_text(sector["name"]),
                by_sector.get(sector["id"], []),
                {
                    "sector": sector,
                    "nace": list(catalogue.sectors[sector["id"]].nace),
                    "calendar": ctx.calendar_path(sector=sector["id"]),
                },
                pathways=drawings,
                in_navigation=True,
                index=True,
            )

        for entry in [*catalogue.entries.values(), *catalogue.proposals.values()]:
            path = ctx.entry_path(entry)
            if not self.wanted(path):
                continue
            if self.writer.keep(language, source_file(path), entry):
                self.paths.append(path)
                continue
            view = views.entry_page(entry, catalogue, ctx, language, built_from.get(entry.id, []))
            view["pathway"] = drawings.for_entry(entry.id)
            # No table of contents: the key facts take the whole width.
            extra: dict[str, Any] = {"hide": ["toc"]}
            if entry.published:
                extra["mq_jsonld"] = json_for_script(schema_org(entry, catalogue, ctx, language))
                extra["mq_certificate"] = render_certificate_html(entry, catalogue, ctx, language)
            self.page(
                path,
                "mq-entry.html",
                self.text(entry.title),
                view,
                description=self.text(entry.purpose),
                extra=extra,
            )

        providers = sorted(catalogue.providers.values(), key=lambda p: p.legal_name.casefold())
        self.page(
            PROVIDERS_PATH,
            "mq-providers.html",
            self.L("nav.providers"),
            {
                "providers": [
                    dict(views.provider_block(p, language), count=len(by_provider.get(p.id, []))) for p in providers
                ],
            },
            index=True,
        )
        for provider in providers:
            self.listing(
                provider_path(provider.id),
                "mq-provider.html",
                self.text(provider.name),
                by_provider.get(provider.id, []),
                {"provider": views.provider_block(provider, language)},
            )

        self.page(
            LEVELS_PATH,
            "mq-levels.html",
            self.L("nav.levels"),
            {
                "levels": [
                    {
                        "lki": n,
                        "path": level_path(n),
                        "label": self.L("units.level", lki=n, eqf=n),
                        "description": self.L(f"levels.descriptions.{n}"),
                        "count": len(by_level.get(n, [])),
                    }
                    for n in range(1, 9)
                ],
            },
            index=True,
        )
        for n in range(1, 9):
            self.listing(
                level_path(n),
                "mq-level.html",
                self.L("units.level", lki=n, eqf=n),
                by_level.get(n, []),
                {"lki": n, "description": self.L(f"levels.descriptions.{n}")},
                in_navigation=True,
            )

        self.page(
            FINDER_PATH,
            "mq-finder.html",
            self.L("nav.finder"),
            finder.view(catalogue, ctx, language),
            index=True,
            extra={
                "hide": ["toc"],
                "mq_finder_config": json_for_script(
                    {
                        "labels": {key: self.L(f"finder.{key}") for key in ("results", "no_results", "error")},
                        "facts": {
                            key: self.L(f"facts.{key}")
                            for key in ("level", "workload", "participation", "providers", "languages")
                        },
                        "status": {key: self.L(f"status.{key}") for key in ("suspended",)},
                        "latvianOnly": self.L("language.latvian_only"),
                        "extra": {
                            **table(language)["finder_extra"],
                            "onDemand": self.L("facts.on_demand"),
                            "noIntake": self.L("key.no_intake"),
                        },
                    }
                ),
            },
        )

        self.page(
            COMPARE_PATH,
            "mq-compare.html",
            self.L("compare.title"),
            {"script": asset_path("compare.js")},
            index=True,
            extra={
                "hide": ["toc"],
                "mq_compare_config": json_for_script(
                    {
                        "labels": table(language)["compare"],
                        "facts": self.L("compare.fact"),
                    }
                ),
            },
        )

        self.page(
            STATISTICS_PATH,
            "mq-statistics.html",
            self.L("statistics.title"),
            charts.view(figures, catalogue, ctx, language),
            index=True,
            extra={"hide": ["toc"]},
        )
        self.page(
            VERIFY_PATH,
            "mq-verify.html",
            self.L("verify.title"),
            {"site_root": ctx.link("", language), "script": asset_path("verify.js")},
            index=True,
            extra={"hide": ["toc"], "mq_verify_config": json_for_script(registry.verifier_config(ctx, language))},
        )

        for name in sorted(path.name for path in (CONTENT_DIR / language).iterdir()):
            source = CONTENT_DIR / language / name
            # Our own prose (about, accessibility): trusted Markdown, with a generated title.
            self.page(
                prose_path(name.removesuffix(".md")),
                "mq-prose.html",
                self.L(f"pages.{name.removesuffix('.md')}"),
                {},
                body=source.read_text(encoding="utf-8"),
            )

    def nav(self) -> list[Any]:
        """The navigation: sectors, providers, levels, and the site's own pages; never entries."""
        L = self.L
        sectors = [
            {html_text(self.text(s.name)): source_file(sector_path(s.id), index=True)}
            for s in self.catalogue.sectors.values()
        ]
        # Every item titled here, as the page's own title would be: an incremental build (MkDocs' dirty
        # mode) reads only the pages it renders, and an untitled item of an unread page would say "None".
        levels = [{html_text(L("nav.levels")): source_file(LEVELS_PATH, index=True)}] + [
            {html_text(L("units.level_short", n=n)): source_file(level_path(n))} for n in range(1, 9)
        ]
        pages = [
            {html_text(L(f"pages.{p.removesuffix('.md')}")): source_file(prose_path(p.removesuffix(".md")))}
            for p in sorted(path.name for path in (CONTENT_DIR / self.language).iterdir())
        ]
        return [
            {html_text(L("nav.home")): source_file("")},
            {html_text(L("nav.sectors")): sectors},
            {html_text(L("nav.providers")): source_file(PROVIDERS_PATH, index=True)},
            {html_text(L("nav.levels")): levels},
            {html_text(L("nav.finder")): source_file(FINDER_PATH, index=True)},
            {html_text(L("nav.statistics")): source_file(STATISTICS_PATH, index=True)},
            {html_text(L("nav.verify")): source_file(VERIFY_PATH, index=True)},
            *pages,
        ]


@dataclass(frozen=True)
class Compiled:
    """A compiled source tree: the mkdocs.yml of each language, and each language's page paths."""

    configs: list[Path]
    pages: dict[str, list[str]]


def compile_tree(
    catalogue: Catalogue,
    ctx: BuildContext,
    out: Path,
    base_config: Path,
    ready: Callable[[Path], None] | None = None,
    figures: Figures | None = None,
    shard: Shard | None = None,
    writer: PageWriter | None = None,
) -> Compiled:
    """Write the source tree for every language; return the mkdocs.yml and the pages of each.

    `ready` is called with each language's mkdocs.yml as soon as that language is
    written, so that it can be rendered while the next one is compiled. `figures` are
    the catalogue's statistics when the caller computed them already. A `shard`
    build writes the pages in the navigation and its own part of the others. A
    `writer` other than the default updates an existing tree (incremental.py).
    """
    figures = figures or compute_figures(catalogue, ctx.today)
    writer = writer or PageWriter()
    if writer.fresh:
        shutil.copytree(THEME_DIR, out / "overrides")
    built_from = catalogue.built_from()
    pathways = find_pathways(catalogue)
    base = yaml.load(base_config.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    configs = []
    pages = {}
    for language in LANGUAGES:
        root = out / language
        docs = root / "docs"
        if writer.fresh:
            shutil.copytree(ASSETS_DIR, docs / ASSETS_PATH)
            shutil.copy2(CERTIFICATE_STYLESHEET, docs / asset_path("certificate.css"))
        tree = SourceTree(catalogue, ctx, language, docs, shard, writer)
        tree.write_all(built_from, figures, pathways)
        pages[language] = tree.paths
        other = tree.other
        L = Labels(language)
        config = {
            "INHERIT": os.path.relpath(base_config, root),
            "site_name": L("site.name"),
            "site_description": L("site.description"),
            "site_url": ctx.url("", language),
            "docs_dir": "docs",
            "theme": {"language": language, "custom_dir": "../overrides", "palette": _palette(base, L)},
            "nav": tree.nav(),
            "extra": {
                "mq": {
                    "language": language,
                    "other_language": other,
                    # Finished paths, from this language's root (templates add only base_url).
                    "links": ctx.template_links(language),
                    "labels": _template_labels(language),
                },
                "alternate": [
                    {"name": Labels(lang)("language.name"), "lang": lang, "link": ctx.url("", lang)}
                    for lang in LANGUAGES
                ],
            },
        }
        writer.write(root / "mkdocs.yml", yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False))
        configs.append(root / "mkdocs.yml")
        if ready is not None:
            ready(root / "mkdocs.yml")
    # Every language's specimens drew the same QR codes from one cache (a bounded one
    # missed every code past its size and drew it again per language); let it go.
    forget_qr_codes()
    return Compiled(configs, pages)


def _palette(base: dict[str, Any], L: Labels) -> list[dict[str, Any]]:
    """The base palette with its toggle names in the page's language (a list replaces, not merges)."""
    palette = [dict(scheme) for scheme in base.get("theme", {}).get("palette", [])]
    for scheme in palette:
        if "toggle" in scheme:
            target = "dark" if scheme.get("scheme") == "default" else "light"
            scheme["toggle"] = dict(scheme["toggle"], name=L(f"palette.to_{target}"))
    return palette


def _template_labels(language: str) -> dict[str, Any]:
    """The label sections the templates use, passed through the config."""
    return table(language)
