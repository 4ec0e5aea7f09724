"""The finder's data: a prebuilt lunr index, sharded by the first letter of terms, and facet records.

Built with lunr.py in lunr.js's serialised form; the browser only loads it
(`lunr.Index.load`), it never indexes. Latvian has no lunr stemmer, so every
term goes through `mqFold` (lower case, diacritics removed: "pārvadājumi" and
"parvadajumi" are the same term; punctuation at either end goes too), when
indexed and when searched. The search pipeline is serialised with the index and named on the
finder page, so the browser runs exactly these steps on a query
(assets/finder.js registers a function of the same label). English queries
are also stemmed after stop words are dropped; the English text is indexed
unstemmed, so that a stemmed query word ("forklifts" -> "forklift") and a
partly typed one ("operat") both match by prefix, which a stemmed index
("operating" -> "oper") would not allow.

Query words of three or more characters match terms by prefix, shorter ones
whole terms. So a word only ever needs the terms that share its first three
characters, and the serialised index is split into `SHARDS` buckets by a hash
of those characters (FNV-1a, the same in finder.js): a query loads one small
bucket per word, whatever the catalogue's size. Every bucket is written, empty
or not. Scores stay exact because lunr scores with dot products over the
query's terms only. Documents are referred to by their position in
`entries.json` (short refs keep the postings small); the records there carry
what the cards and the facets need, and the finder loads them alongside the
buckets.

    <language root>/finder/entries.json       card and facet data, one record per published entry
    <language root>/finder/index/<n>.json     bucket n (0 to SHARDS - 1) of the index, with its field vectors
    assets/javascripts/lunr.js                lunr.js as shipped by the installed MkDocs
"""

from __future__ import annotations

import json
import math
import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mkdocs
from lunr import __TARGET_JS_VERSION__ as LUNR_VERSION
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stemmer import stemmer
from lunr.stop_word_filter import WORDS as _LUNR_STOP_WORDS
from lunr.stop_word_filter import stop_word_filter

from ..context import FINDER_INDEX_DIR, FINDER_RECORDS, LUNR_JS_PATH, BuildContext, finder_bucket_path
from ..formatting import Labels, cost, language_name, text
from ..i18n import LANGUAGES
from ..model import Catalogue, MicroQualification
from .views import card, provider_names, shown_text

LUNR_JS = Path(mkdocs.__file__).resolve().parent / "contrib" / "search" / "templates" / "search" / "lunr.js"
FIELDS = (("title", 10), ("keywords", 5), ("outcomes", 2), ("purpose", 1), ("provider", 1), ("sector", 1))
SHARDS = 64
PREFIX = 3
EDGES = re.compile(r"^[\W_]+|[\W_]+$")
STOP_WORDS = frozenset(_LUNR_STOP_WORDS)


def fold(value: str) -> str:
    """Lower case, without diacritics (nonspacing marks after NFD) and without punctuation at either end.

    The same rule as mqFold in finder.js. It trims instead of lunr's trimmer,
    whose notion of a word character differs between lunr.py (Unicode) and
    lunr.js (ASCII).
    """
    decomposed = unicodedata.normalize("NFD", value.lower())
    return EDGES.sub("", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def fold_token(token: Any, index: int | None = None, tokens: list[Any] | None = None) -> Any:
    """The `mqFold` pipeline function: a token that folds to nothing (punctuation) drops out."""
    folded = fold(str(token))
    return token.update(lambda value, metadata=None: folded) if folded else None


Pipeline.register_function(fold_token, "mqFold")


def pipeline_functions(language: str, search: bool = False) -> list[Callable[..., Any]]:
    """The token pipeline of one language: for indexing, or (`search`) for queries.

    English drops stop words; its queries are also stemmed (see the module's docstring).
    """
    if language == "en":
        return [fold_token, stop_word_filter] + ([stemmer] if search else [])
    return [fold_token]


def search_pipeline(language: str) -> list[str]:
    """The labels of the query pipeline, as lunr.js knows the functions."""
    labels = {fold_token: "mqFold", stop_word_filter: "stopWordFilter", stemmer: "stemmer"}
    return [labels[function] for function in pipeline_functions(language, search=True)]


def shard_of(term: str) -> int:
    """The bucket of a (folded) term: FNV-1a of its first three characters (code points), modulo SHARDS."""
    value = 0x811C9DC5
    for character in term[:PREFIX]:
        value = ((value ^ ord(character)) * 0x01000193) & 0xFFFFFFFF
    return value % SHARDS


def _documents(catalogue: Catalogue, language: str) -> list[dict[str, str]]:
    documents = []
    for position, entry in enumerate(catalogue.published_entries()):
        keywords = entry.keywords.get(language) or entry.keywords.get("lv") or ()
        documents.append(
            {
                "ref": str(position),
                "title": entry.title.get(language),
                "keywords": " ".join(keywords),
                "outcomes": " ".join(o.text.get(language) for o in entry.learning_outcomes),
                "purpose": entry.purpose.get(language),
                "provider": " ".join(
                    catalogue.providers[p].name.get(language) + " " + catalogue.providers[p].legal_name
                    for p in entry.awarding_bodies
                ),
                "sector": catalogue.sectors[entry.sector].name.get(language),
            }
        )
    return documents


# lunr's defaults: term frequency saturation and field length normalisation (BM25).
K1, B = 1.2, 0.75
# lunr's tokenizer splits on white space and hyphens.
SEPARATORS = re.compile(r"[ \t\n\r\f\v\xa0-]+")


def build_index(catalogue: Catalogue, language: str) -> dict[str, Any]:
    """The serialised lunr index of one language (lunr.js 2.3 format); refs are positions in entries.json.

    The same index, to the byte, as lunr.py's `Builder` with our fields and pipeline
    (tests/test_search_index.py compares them), built in one pass over the entries:
    each distinct token is folded once, and no per-token objects are made (lunr.py
    spent about 5 ms an entry here, the largest part of a build after MkDocs).
    """
    stop_words = STOP_WORDS if language == "en" else frozenset()
    folded: dict[str, str] = {}  # token as split -> term ("" when the pipeline drops it)
    fields = [name for name, _ in FIELDS]
    inverted: dict[str, dict[str, Any]] = {}
    frequencies: list[tuple[str, str, dict[str, int], int]] = []  # (field, doc ref, term counts, field length)
    totals = dict.fromkeys(fields, 0)
    documents = _documents(catalogue, language)
    for document in documents:
        ref = document["ref"]
        for name in fields:
            counts: dict[str, int] = {}
            length = 0
            for token in SEPARATORS.split((document[name] or "").lower()):
                term = folded.get(token)
                if term is None:
                    term = fold(token) if token else ""
                    folded[token] = term = "" if term in stop_words else term
                if not term:
                    continue
                length += 1
                counts[term] = counts.get(term, 0) + 1
                posting = inverted.get(term)
                if posting is None:
                    posting = inverted[term] = {field: {} for field in fields}
                    posting["_index"] = len(inverted) - 1
                posting[name].setdefault(ref, {})
            frequencies.append((name, ref, counts, length))
            totals[name] += length
    average = {name: totals[name] / len(documents) for name in fields} if documents else totals
    boosts = dict(FIELDS)
    idf: dict[str, float] = {}
    vectors = []
    for name, ref, counts, length in frequencies:
        # (An empty field has no terms; its average length may be 0.)
        norm = K1 * (1 - B + B * (length / average[name])) if counts else 0.0
        elements = []
        for term, tf in counts.items():
            weight = idf.get(term)
            if weight is None:
                posting = inverted[term]
                with_term = sum(len(posting[field]) for field in fields)
                ratio = (len(documents) - with_term + 0.5) / (with_term + 0.5)
                weight = idf[term] = math.log(1 + abs(ratio))
            score = weight * ((K1 + 1) * tf) / (norm + tf)
            score *= boosts[name]
            elements.append((inverted[term]["_index"], round(round(score, 3), 3)))
        elements.sort()
        vectors.append([f"{name}/{ref}", [value for pair in elements for value in pair]])
    return {
        "version": LUNR_VERSION,
        "fields": fields,
        "fieldVectors": vectors,
        "invertedIndex": [[term, inverted[term]] for term in sorted(inverted)],
        "pipeline": search_pipeline(language),
    }


def build_index_with_lunr(catalogue: Catalogue, language: str) -> dict[str, Any]:
    """The same index built by lunr.py's own `Builder`: the reference `build_index` is tested against."""
    builder = Builder()
    builder.ref("ref")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    builder.pipeline.add(*pipeline_functions(language))
    builder.search_pipeline.add(*pipeline_functions(language, search=True))
    for document in _documents(catalogue, language):
        builder.add(document)
    return builder.build().serialize()


def shard(serialised: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Split a serialised index into `SHARDS` indexes by `shard_of` their terms."""
    parts: dict[int, dict[str, Any]] = {key: {"invertedIndex": [], "fieldVectors": []} for key in range(SHARDS)}
    term_shard: dict[int, int] = {}
    for term, postings in serialised["invertedIndex"]:
        key = shard_of(term)
        term_shard[postings["_index"]] = key
        parts[key]["invertedIndex"].append([term, postings])
    # Each part's vectors in the order of their field refs: sorted once here, not per part.
    for field_ref, vector in sorted(serialised["fieldVectors"], key=lambda pair: pair[0]):
        pieces: dict[int, list[float]] = {}
        pairs = iter(vector)
        for term_index, score in zip(pairs, pairs, strict=True):
            key = term_shard[term_index]
            piece = pieces.get(key)
            if piece is None:
                pieces[key] = [term_index, score]
            else:
                piece += (term_index, score)
        for key, values in pieces.items():
            parts[key]["fieldVectors"].append((field_ref, values))
    common = {k: serialised[k] for k in ("version", "fields", "pipeline")}
    return {
        key: {**common, "fieldVectors": part["fieldVectors"], "invertedIndex": part["invertedIndex"]}
        for key, part in parts.items()
    }


RECORD_FIELDS = (
    "path",
    "titleFallback",
    "title",
    "badges",
    "level",
    "workload",
    "participation",
    "providers",
    "languages",
    "sector",
    "lki",
    "band",
    "form",
    "langs",
    "provs",
    "places",
    "cost",
    "onDemand",
    "starts",
    "hours",
    "price",
)
# Fields whose values repeat from entry to entry: stored as positions in the `texts` table.
TEXT_FIELDS = ("level", "workload", "participation", "providers", "languages", "band", "form", "cost", "price")


def _record(
    entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext, language: str, tables: dict[str, dict[str, int]]
) -> list[Any]:
    """One entry's card (as views.card formats it) and facet values, as a list in `RECORD_FIELDS` order."""

    def code(table: str, value: str) -> int:
        return tables[table].setdefault(value, len(tables[table]))

    def repeated(value: str) -> int:
        return code("texts", value)

    view = card(entry, catalogue, ctx, language)
    L = Labels(language)
    badges = [
        kind
        for kind, shown in (
            (view["status"], view["status"] != "active"),
            ("overdue", view["overdue"]),
            ("example", view["example"]),
        )
        if shown
    ]
    places = ["online"] if entry.participation_form == "online" else []
    places += list(entry.municipalities())
    return [
        view["path"],
        1 if isinstance(view["title"], dict) else 0,
        shown_text(view["title"]),
        [code("badge", b) for b in badges],
        repeated(view["level"]),
        repeated(view["workload"]),
        repeated(view["participation"]),
        repeated("; ".join(shown_text(p["name"]) for p in provider_names(entry, catalogue, language))),
        repeated(view["languages"]),
        code("sector", entry.sector),
        entry.lki,
        repeated(entry.workload_band),
        repeated(entry.participation_form),
        [code("language", c) for c in entry.languages],
        [code("provider", p) for p in entry.awarding_bodies],
        [code("place", p) for p in places],
        repeated("paid" if entry.cost_type == "paid" else "free-or-funded"),
        1 if entry.on_demand else 0,
        [d.isoformat() for d in entry.starts],
        entry.hours,
        repeated(cost(entry, L)),
    ]


def facet_data(catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """Records for the cards and facets, with the tables their codes refer to.

    Record i is document "i" of the index.
    """
    L = Labels(language)
    tables: dict[str, dict[str, int]] = {
        "sector": {},
        "language": {},
        "provider": {},
        "place": {},
        "badge": {},
        "texts": {},
    }
    records = [_record(e, catalogue, ctx, language, tables) for e in catalogue.published_entries()]
    texts = list(tables.pop("texts"))
    badge_labels = {"overdue": L("entry.review_overdue"), "example": L("site.example_badge")}
    labels = {
        "sector": {s: text(catalogue.sectors[s].name, language)["text"] for s in tables["sector"]},
        "language": {c: language_name(c, language) for c in tables["language"]},
        "provider": {p: text(catalogue.providers[p].name, language)["text"] for p in tables["provider"]},
        "place": {p: p for p in tables["place"]},
        "badge": {b: badge_labels.get(b) or L(f"status.{b}") for b in tables["badge"]},
    }
    return {
        "fields": list(RECORD_FIELDS),
        "textFields": list(TEXT_FIELDS),
        "texts": texts,
        "tables": {name: [[value, labels[name][value]] for value in table] for name, table in tables.items()},
        "entries": records,
    }


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def write_search_index(catalogue: Catalogue, site_dir: Path, ctx: BuildContext) -> None:
    """Write the finder's data for every language, and lunr.js from the installed MkDocs."""
    target = site_dir / LUNR_JS_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(LUNR_JS, target)
    for language in LANGUAGES:
        root = site_dir / ctx.prefix(language)
        _dump(root / FINDER_RECORDS, facet_data(catalogue, ctx, language))
        shutil.rmtree(root / FINDER_INDEX_DIR, ignore_errors=True)  # no bucket left from another layout
        for key, part in shard(build_index(catalogue, language)).items():
            _dump(root / finder_bucket_path(key), part)
