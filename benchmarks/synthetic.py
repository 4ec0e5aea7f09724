"""Synthetic catalogues for benchmarks: every entry with its own text, from a large vocabulary.

A catalogue made of copies of the 37 sample entries flatters every measurement
that looks at text: gzip finds each copy's text a few entries back, a search
index holds a few hundred distinct terms. Here each entry keeps the shape of a
sample entry (fields, list lengths, dates, statuses, so it validates clean) but
every human-readable text is drawn afresh from a vocabulary of tens of thousands
of made-up words per language, with the Zipf-like frequencies of real text. The
same arguments always give the same catalogue.

Providers are made in proportion (one per 25 entries), and one entry in eight
stacks into an earlier entry of its sector, so the catalogue-wide relations
("built from", provider and sector listings) have realistic work to do.
"""

from __future__ import annotations

import itertools
import random
import shutil
from bisect import bisect
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = REPO_ROOT / "catalogue"
VOCABULARY_SIZE = 40_000
ENTRIES_PER_PROVIDER = 25

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SYLLABLES = {
    "lv": (
        [
            c + v
            for c in (
                "b",
                "c",
                "č",
                "d",
                "g",
                "ģ",
                "k",
                "ķ",
                "l",
                "ļ",
                "m",
                "n",
                "ņ",
                "p",
                "r",
                "s",
                "š",
                "t",
                "v",
                "z",
                "ž",
                "j",
                "st",
                "pr",
                "kr",
                "tr",
                "sk",
                "dz",
            )
            for v in ("a", "ā", "e", "ē", "i", "ī", "o", "u", "ū", "ie", "ai", "au")
        ],
        ("s", "a", "as", "u", "us", "ības", "šana", "ējs", "ums", "e", "i", "is"),
    ),
    "en": (
        [
            c + v
            for c in (
                "b",
                "c",
                "d",
                "f",
                "g",
                "h",
                "k",
                "l",
                "m",
                "n",
                "p",
                "r",
                "s",
                "t",
                "v",
                "w",
                "st",
                "tr",
                "pl",
                "gr",
                "ch",
                "sh",
                "th",
                "br",
            )
            for v in ("a", "e", "i", "o", "u", "ea", "ou", "ai", "io")
        ],
        ("", "s", "ing", "ed", "er", "tion", "ment", "al", "ity", "ive", "ness", "ly"),
    ),
}


@cache
def vocabulary(language: str) -> tuple[tuple[str, ...], list[float]]:
    """`VOCABULARY_SIZE` distinct made-up words and cumulative Zipf weights (rank 1 most frequent)."""
    syllables, endings = _SYLLABLES[language]
    rng = random.Random(f"vocabulary-{language}")
    words: dict[str, None] = {}
    while len(words) < VOCABULARY_SIZE:
        count = rng.choice((1, 2, 2, 3, 3, 3, 4, 5))
        words["".join(rng.choice(syllables) for _ in range(count)) + rng.choice(endings)] = None
    weights = list(itertools.accumulate(1.0 / (rank + 2.7) ** 1.05 for rank in range(VOCABULARY_SIZE)))
    return tuple(words), weights


class Writer:
    """Made-up text in one language, from one seeded random source."""

    def __init__(self, rng: random.Random, language: str) -> None:
        self.rng = rng
        self.words, self.cumulative = vocabulary(language)
        self.total = self.cumulative[-1]

    def word(self) -> str:
        return self.words[bisect(self.cumulative, self.rng.random() * self.total)]

    def words_n(self, n: int) -> list[str]:
        return [self.word() for _ in range(n)]

    def phrase(self, low: int, high: int) -> str:
        text = " ".join(self.words_n(self.rng.randint(low, high)))
        return text[0].upper() + text[1:]

    def sentence(self, low: int = 8, high: int = 22) -> str:
        words = self.words_n(self.rng.randint(low, high))
        if len(words) > 6:
            words[self.rng.randrange(2, len(words) - 2)] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))


def _retext(value: Any, writers: dict[str, Writer], key: str = "") -> Any:
    """The same structure with every bilingual text replaced by new text of a similar length."""
    if isinstance(value, dict):
        if value and set(value) <= {"lv", "en"} and all(isinstance(v, (str, list)) for v in value.values()):
            result = {}
            for language, text in value.items():
                writer = writers[language]
                if isinstance(text, list):  # keywords
                    result[language] = list(dict.fromkeys(writer.phrase(1, 2).lower() for _ in text))
                elif key == "title":
                    result[language] = writer.phrase(4, 9)
                else:
                    sentences = max(1, round(len(text) / 110))
                    result[language] = writer.paragraph(sentences)
            return result
        return {k: _retext(v, writers, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_retext(item, writers, key) for item in value]
    return value


def _samples(source: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    entries, providers = [], []
    for path in sorted(source.glob("*/*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        if path.parent.name == "providers":
            providers.append(data)
        elif "learning_outcomes" in data and data.get("status") != "withdrawn":  # a micro-qualification
            data.pop("replaced_by", None)
            entries.append(data)
    return entries, providers


def _dump(data: dict[str, Any], path: Path, schema: str) -> None:
    header = f"# yaml-language-server: $schema=../../schema/{schema}.schema.json\n"
    path.write_text(
        header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )


def make_catalogue(entries: int, target: Path, seed: int = 16) -> Path:
    """Write a catalogue of `entries` entries with unique text into `target/catalogue`; return that folder."""
    out = target / "catalogue"
    if out.exists():
        shutil.rmtree(out)
    (out / "providers").mkdir(parents=True)
    for name in ("sectors.yaml", "authorities.yaml"):
        shutil.copy2(CATALOGUE / name, out / name)
    samples, sample_providers = _samples(CATALOGUE)

    provider_ids = []
    for number in range(max(len(sample_providers), entries // ENTRIES_PER_PROVIDER)):
        rng = random.Random(f"{seed}-provider-{number}")
        writers = {lang: Writer(rng, lang) for lang in ("lv", "en")}
        provider = dict(sample_providers[number % len(sample_providers)])
        provider["id"] = f"{provider['id']}-{number}"
        provider.pop("signing_keys", None)  # a key belongs to one provider only
        provider["name"] = {lang: "Example " * (lang == "en") + writers[lang].phrase(2, 4) for lang in ("lv", "en")}
        provider["legal_name"] = f'SIA "{provider["name"]["lv"]}"'
        provider["registration_number"] = f"PIEMĒRS-{number:06d}"
        _dump(provider, out / "providers" / f"{provider['id']}.yaml", "provider")
        provider_ids.append(provider["id"])

    by_sector: dict[str, list[str]] = {}
    for number in range(entries):
        rng = random.Random(f"{seed}-entry-{number}")
        writers = {lang: Writer(rng, lang) for lang in ("lv", "en")}
        sample = samples[number % len(samples)]
        entry = _retext(sample, writers)
        entry["id"] = f"{sample['id']}-{number}"
        entry["awarding_bodies"] = [provider_ids[rng.randrange(len(provider_ids))]]
        entry["quality_assurance"] = dict(entry["quality_assurance"], decision=f"PIEMĒRS: protokols Nr. {number}")
        stack = dict(entry.get("stackability") or {"standalone": True})
        stack.pop("stacks_into", None)
        earlier = by_sector.setdefault(sample["sector"], [])
        if earlier and rng.random() < 0.125:
            stack["stacks_into"] = [earlier[rng.randrange(len(earlier))]]
        entry["stackability"] = stack
        earlier.append(entry["id"])
        folder = out / sample["sector"]
        folder.mkdir(exist_ok=True)
        _dump(entry, folder / f"{entry['id']}.yaml", "micro-qualification")
    return out


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="write a synthetic catalogue")
    parser.add_argument("entries", type=int)
    parser.add_argument("target", type=Path, nargs="?", default=Path(tempfile.mkdtemp(prefix="mqcat-synthetic-")))
    args = parser.parse_args()
    print(make_catalogue(args.entries, args.target))
