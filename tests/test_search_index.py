"""The finder's index builder: the same serialised index as lunr.py's own Builder, to the byte."""

from __future__ import annotations

import dataclasses
import json

import pytest

from generator.model import Catalogue, Text
from generator.site.search_index import build_index, build_index_with_lunr


def same_index(catalogue: Catalogue, language: str) -> None:
    ours = json.dumps(build_index(catalogue, language), ensure_ascii=False)
    lunr = json.dumps(build_index_with_lunr(catalogue, language), ensure_ascii=False)
    assert ours == lunr


@pytest.mark.parametrize("language", ["lv", "en"])
def test_index_of_the_shipped_catalogue_is_lunr_pys_index(catalogue: Catalogue, language: str) -> None:
    same_index(catalogue, language)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_index_matches_lunr_on_separators_punctuation_stop_words_and_repeats(
    catalogue: Catalogue, language: str
) -> None:
    # Hyphens and no-break spaces split words; tokens of punctuation alone drop out; English
    # drops stop words; a word repeated in a field counts twice; case and diacritics fold.
    awkward = Text(
        lv="  Ēku—būvniecība - --  ĀBOLS ābols\u00a0ābols (the) and THE «darbs» ... x-y-z\ttab\nrinda  ",
        en="The and OF -- Ēku—building\u00a0site's (site) site, SITE ... 3.5 h; e-mail\r\nnew",
    )
    first, second = catalogue.published_entries()[:2]
    changed = dict(catalogue.entries)
    changed[first.id] = dataclasses.replace(first, title=awkward, keywords={})
    changed[second.id] = dataclasses.replace(second, purpose=awkward)
    same_index(dataclasses.replace(catalogue, entries=changed), language)
