"""finder.js folds words and picks index buckets exactly as generator/site/search_index.py does.

The index is built in Python and searched in the browser: a query word that folds
differently, or lands in another bucket, finds nothing, with no error anywhere.
So the two functions of the shipped finder.js (`fold`, `shardOf`), cut out of the
file as it is, run in Chromium on a few thousand strings (every word of the sample
catalogue, in both cases, and seeded random strings of Latvian and other letters,
combining marks, digits, punctuation and characters outside the BMP) and must agree
with `fold` and `shard_of` on every one.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from generator.model import Catalogue
from generator.site import search_index
from generator.site.search_index import SHARDS, fold, shard_of

pytestmark = pytest.mark.browser

FINDER_JS = Path(search_index.__file__).resolve().parent / "assets" / "finder.js"

# Characters a query or an entry may plausibly hold, and some that test the edges:
# decomposed diacritics, final sigma, dotted capital I, sharp s, ligatures, marks
# that are spacing (Mc) or enclosing (Me), letter-like numbers, astral letters and emoji.
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"  # Latvian
    "õäöüÕÄÖÜßẞéèêëàâçñøåæœÉÈÇÑØÅÆŒİıŁłŐőŰű"  # other Latin
    "\u0301\u0304\u030c\u0327\u0328\u0308"  # combining acute, macron, caron, cedilla, ogonek, diaeresis
    "\u0903\u20dd"  # a spacing mark (Mc) and an enclosing one (Me)
    "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВЁЖЯёй"  # Cyrillic
    "αβγδεζηθικλμνξοπρστυφχψωΣΑΩάέΐ"  # Greek, with the final sigma
    "0123456789²½Ⅻⅷ٣"  # digits and other numbers (No, Nl, Arabic-Indic)
    "ﬁﬂ"  # ligatures
    " \t.,;:!?-–—_\"'«»„“()[]{}/\\@#%&*+=<>|~^`$€§°"
    "\U0001d400\U0001f600\U0001f44d\U00010400\U00020000"  # mathematical A, emoji, Deseret, CJK Ext. B
    "中文日本語한국어"
)

# The two functions, cut out of finder.js by name: a line `function NAME(` to the line
# that closes it at the same indentation.
_FUNCTION = r"^(?P<indent>[ \t]*)function {name}\(.*?^(?P=indent)\}}$"


def _finder_function(source: str, name: str) -> str:
    found = re.search(_FUNCTION.format(name=name), source, re.MULTILINE | re.DOTALL)
    assert found, f"finder.js has no function {name}"
    return found.group(0)


def _strings(catalogue: Catalogue) -> list[str]:
    words: set[str] = set()
    for entry in catalogue.entries.values():
        for _, text_in_languages in entry.texts():
            texts = text_in_languages.as_dict().values()
            for word in " ".join(texts).split():
                words |= {word, word.upper(), word.capitalize()}
    generator = random.Random(15)
    generated = ["".join(generator.choices(ALPHABET, k=generator.randint(1, 12))) for _ in range(3000)]
    return sorted(words) + generated + ["", " ", "...", "ā", "a\u0304", "Ā.", "-ķēde-", "\U0001f600a"]


def test_finder_js_folds_and_buckets_every_string_as_python_does(browser: Any, catalogue: Catalogue) -> None:
    source = FINDER_JS.read_text(encoding="utf-8")
    script = (
        "strings => {"
        f"var SHARDS = {SHARDS}, PREFIX = {search_index.PREFIX};"
        f"{_finder_function(source, 'fold')}\n{_finder_function(source, 'shardOf')}\n"
        "return strings.map(s => [fold(s), shardOf(fold(s)), shardOf(s)]); }"
    )
    strings = _strings(catalogue)
    assert len(strings) > 3000
    page = browser.new_page()
    try:
        in_browser = page.evaluate(script, strings)
    finally:
        page.close()
    expected = [[fold(s), shard_of(fold(s)), shard_of(s)] for s in strings]
    differences = [(s, js, py) for s, js, py in zip(strings, in_browser, expected, strict=True) if js != py]
    assert not differences, f"{len(differences)} strings differ (string, finder.js, Python): {differences[:10]}"
    # The comparison means something: folding changed many strings and every bucket was reached.
    assert sum(fold(s) != s for s in strings) > 1000
    assert {shard for _, shard, _ in expected} == set(range(SHARDS))
