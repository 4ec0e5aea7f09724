"""The finder page (/finder/): facet groups and their options, rendered into the page.

The options are written into the HTML at build time (fieldsets with labelled
checkboxes), so the page has its structure before any script runs; the script
(assets/finder.js) adds the counts, filters and results from the data that
generator.site.search_index writes.
"""

from __future__ import annotations

from typing import Any

from ..context import (
    COMPARE_PATH,
    FINDER_BUCKET,
    FINDER_RECORDS,
    LUNR_JS_PATH,
    BuildContext,
    asset_path,
    entry_json_path,
)
from ..formatting import Labels, language_name, text
from ..model import PARTICIPATION_FORMS, Catalogue
from . import search_index

BANDS = ("up-to-25", "26-80", "81-160", "over-160")
COSTS = ("free-or-funded", "paid")
INTAKES = ("open-now", "on-demand")


def view(catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """Facet groups in display order: each with its URL parameter, legend and options."""
    L = Labels(language)
    published = catalogue.published_entries()

    def options(values: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"value": value, "label": label} for value, label in values]

    sectors = [s for s in catalogue.sectors.values() if any(e.sector == s.id for e in published)]
    providers = sorted(
        {p for e in published for p in e.awarding_bodies},
        key=lambda p: text(catalogue.providers[p].name, language)["text"].casefold(),
    )
    places = sorted({m for e in published for m in e.municipalities()}, key=str.casefold)
    languages = sorted({c for e in published for c in e.languages}, key=lambda c: language_name(c, language))
    groups = [
        ("sector", [(s.id, text(s.name, language)["text"]) for s in sectors]),
        ("level", [(str(n), L("units.level", lki=n, eqf=n)) for n in sorted({e.lki for e in published})]),
        ("band", [(b, L(f"workload_band.{b}")) for b in BANDS]),
        ("form", [(f, L(f"participation_form.{f}")) for f in PARTICIPATION_FORMS]),
        ("language", [(c, language_name(c, language)) for c in languages]),
        ("provider", [(p, text(catalogue.providers[p].name, language)["text"]) for p in providers]),
        ("place", [("online", L("finder.place_online"))] + [(m, m) for m in places]),
        ("cost", [(c, L(f"finder.cost_{c}")) for c in COSTS]),
        ("intake", [(i, L(f"finder.intake_{i}")) for i in INTAKES]),
    ]
    return {
        "groups": [
            {"param": name, "legend": L(f"finder.facet_{name}"), "options": options(values)} for name, values in groups
        ],
        # How the script reads a query: the index's search pipeline, and into how many buckets the index is split.
        "pipeline": search_index.search_pipeline(language),
        "shards": search_index.SHARDS,
        "compare_path": COMPARE_PATH,
        # Where the script reads the records and the index's buckets (`{bucket}` is a bucket's number).
        "records": FINDER_RECORDS,
        "bucket": FINDER_BUCKET,
        # Where the script reads an entry's texts for the excerpt of a matching result.
        # (`{id}` is the entry's id, the last part of its path).
        "entry_api": ctx.link(ctx.api_path(entry_json_path("{id}")), language),
        "site_root": ctx.link("", language),
        "scripts": {"lunr": ctx.link(LUNR_JS_PATH, language), "finder": asset_path("finder.js")},
    }
