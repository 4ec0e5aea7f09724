"""The finder's data: a prebuilt lunr index, sharded by the first letter of terms, and facet records.

Built with lunr.py in lunr.js's serialised form; the browser only loads it
(`lunr.Index.load`), it never indexes. Latvian has no lunr stemmer, so every
term goes through `mqFold` (lower case, diacritics removed: "pārvadājumi" and
"parvadajumi" are the same term) at build time and at query time; the browser
registers a function of the same label (assets/finder.js). English text is
also stemmed. Queries match by word prefix.

One index of the whole catalogue grows to megabytes, so the serialised index is
split by the first character of each term: a query loads only the shards of
its words. Scores stay exact because lunr scores with dot products over the
query's terms only. The facet records (`entries.json`) carry what the cards
and the facets need; the finder loads them first.

    <language root>/finder/entries.json       facet and card data, one record per published entry
    <language root>/finder/index/<c>.json     the index's terms starting with <c>, with their vectors
    assets/javascripts/lunr.js                lunr.js as shipped by the installed MkDocs
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import lunr
import mkdocs
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stemmer import stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.trimmer import trimmer

from .context import SITE_LANGUAGES, BuildContext
from .escaping import html_text
from .model import Catalogue, MicroQualification
from .formatting import language_name, text
from .site.views import card, provider_names

LUNR_JS = Path(mkdocs.__file__).resolve().parent / "contrib" / "search" / "templates" / "search" / "lunr.js"
LUNR_JS_PATH = "assets/javascripts/lunr.js"
FIELDS = (("title", 10), ("keywords", 5), ("outcomes", 2), ("purpose", 1), ("provider", 1), ("sector", 1))
OTHER_SHARD = "_"


def fold(value: str) -> str:
    """Lower case without diacritics: the same rule as mqFold in finder.js."""
    decomposed = unicodedata.normalize("NFD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_token(token: Any, index: int | None = None, tokens: list[Any] | None = None) -> Any:
    return token.update(lambda string, metadata=None: fold(string))


Pipeline.register_function(_fold_token, "mqFold")


def shard_of(term: str) -> str:
    """The shard a (folded) term lives in: its first character when a-z or 0-9."""
    first = term[:1]
    return first if first.isascii() and first.isalnum() else OTHER_SHARD


def _documents(catalogue: Catalogue, language: str) -> list[dict[str, str]]:
    documents = []
    for entry in catalogue.published_entries():
        keywords = entry.keywords.get(language) or entry.keywords.get("lv") or ()
        documents.append({
            "id": entry.id,
            "title": entry.title.get(language),
            "keywords": " ".join(keywords),
            "outcomes": " ".join(o.text.get(language) for o in entry.learning_outcomes),
            "purpose": entry.purpose.get(language),
            "provider": " ".join(catalogue.providers[p].name.get(language) + " " + catalogue.providers[p].legal_name
                                 for p in entry.awarding_bodies),
            "sector": catalogue.sectors[entry.sector].name.get(language),
        })
    return documents


def build_index(catalogue: Catalogue, language: str) -> dict[str, Any]:
    """The serialised lunr index of one language (lunr.js 2.3 format)."""
    builder = Builder()
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    # Fold first: lunr's trimmer strips non-ASCII letters at word ends ("ēka" -> "ka").
    builder.pipeline.add(_fold_token, trimmer)
    builder.search_pipeline.add(_fold_token)
    if language == "en":
        builder.pipeline.add(stop_word_filter, stemmer)
        builder.search_pipeline.add(stemmer)
    for document in _documents(catalogue, language):
        builder.add(document)
    return builder.build().serialize()


def shard(serialised: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Split a serialised index by the first character of its terms."""
    shards: dict[str, dict[str, Any]] = {}
    term_shard: dict[int, str] = {}
    for term, postings in serialised["invertedIndex"]:
        key = shard_of(term)
        term_shard[postings["_index"]] = key
        shards.setdefault(key, {"invertedIndex": [], "fieldVectors": {}})["invertedIndex"].append([term, postings])
    for field_ref, vector in serialised["fieldVectors"]:
        parts: dict[str, list[float]] = {}
        for position in range(0, len(vector), 2):
            key = term_shard[vector[position]]
            parts.setdefault(key, []).extend(vector[position:position + 2])
        for key, values in parts.items():
            shards[key]["fieldVectors"][field_ref] = values
    common = {k: serialised[k] for k in ("version", "fields", "pipeline")}
    return {
        key: {**common, "fieldVectors": sorted(part["fieldVectors"].items()), "invertedIndex": part["invertedIndex"]}
        for key, part in shards.items()
    }


def _record(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext, language: str,
            tables: dict[str, dict[str, int]]) -> list[Any]:
    """One entry's facet values and card, as a compact list (see `RECORD_FIELDS`)."""

    def code(table: str, value: str) -> int:
        return tables[table].setdefault(value, len(tables[table]))

    view = card(entry, catalogue, ctx, language)
    places = ["online"] if entry.participation_form == "online" else []
    places += list(entry.municipalities())
    return [
        entry.id,
        view["path"],
        view["title"]["text"],
        view["level"],
        view["workload"],
        view["participation"],
        "; ".join(p["name"]["text"] for p in provider_names(entry, catalogue, language)),
        view["languages"],
        code("sector", entry.sector),
        entry.lki,
        entry.workload_band,
        entry.participation_form,
        [code("language", c) for c in entry.languages],
        [code("provider", p) for p in entry.awarding_bodies],
        [code("place", p) for p in places],
        "paid" if entry.cost_type == "paid" else "free-or-funded",
        1 if entry.on_demand else 0,
        [d.isoformat() for d in entry.starts],
        entry.hours,
        entry.status,
        1 if view["title"].get("lang") else 0,
    ]


RECORD_FIELDS = ("id", "path", "title", "level", "workload", "participation", "providers", "languages",
                 "sector", "lki", "band", "form", "langs", "provs", "places", "cost", "onDemand", "starts",
                 "hours", "status", "titleFallback")


def facet_data(catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """Records for the cards and facets, with the tables their codes refer to."""
    tables: dict[str, dict[str, int]] = {"sector": {}, "language": {}, "provider": {}, "place": {}}
    records = [_record(e, catalogue, ctx, language, tables) for e in catalogue.published_entries()]
    labels = {
        "sector": {s: text(catalogue.sectors[s].name, language)["text"] for s in tables["sector"]},  # type: ignore[index]
        "language": {c: language_name(c, language) for c in tables["language"]},
        "provider": {p: text(catalogue.providers[p].name, language)["text"] for p in tables["provider"]},  # type: ignore[index]
        "place": {p: p for p in tables["place"]},
    }
    return {
        "fields": list(RECORD_FIELDS),
        "tables": {name: [[value, labels[name][value]] for value in table] for name, table in tables.items()},
        "entries": records,
        "shards": sorted(shard_of(chr(c)) for c in range(ord("a"), ord("z") + 1)) + ["0", OTHER_SHARD],
    }


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def add_to_builtin_search(catalogue: Catalogue, search_index: Path, language: str) -> None:
    """Add the entries to the theme's own search index, so the header search finds them too.

    Entry pages have no Markdown body (their content comes from a template), so
    Material's search plugin leaves them out. Titles and text are HTML-escaped:
    Material's search shows them as HTML.
    """
    data = json.loads(search_index.read_text(encoding="utf-8"))
    paths = {f"{entry.sector}/{entry.id}/": entry for entry in catalogue.published_entries()}
    docs = [doc for doc in data["docs"] if doc.get("location") not in paths]
    for path, entry in paths.items():
        keywords = " ".join(entry.keywords.get(language) or entry.keywords.get("lv") or ())
        docs.append({"location": path, "title": html_text(entry.title.get(language)),
                     "text": html_text(f"{entry.purpose.get(language)} {keywords}".strip())})
    data["docs"] = docs
    search_index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def write_search_index(catalogue: Catalogue, site_dir: Path, ctx: BuildContext) -> None:
    """Write the finder's data for every language, and lunr.js from the installed MkDocs."""
    target = site_dir / LUNR_JS_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(LUNR_JS, target)
    for language in SITE_LANGUAGES:
        root = site_dir / ctx.prefix(language) / "finder"
        data = facet_data(catalogue, ctx, language)
        shards = shard(build_index(catalogue, language))
        data["shards"] = sorted(shards)
        _dump(root / "entries.json", data)
        for key, part in shards.items():
            _dump(root / "index" / f"{key}.json", part)
        builtin = site_dir / ctx.prefix(language) / "search" / "search_index.json"
        if builtin.is_file():
            add_to_builtin_search(catalogue, builtin, language)


__all__ = ["write_search_index", "build_index", "facet_data", "fold", "shard", "lunr"]
