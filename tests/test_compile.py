"""The generated source tree: front matter that MkDocs reads back exactly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from generator.context import BuildContext
from generator.model import Catalogue
from generator.site import views
from generator.site.compile import _CARDS, Card, _front_matter

# Any text the loader lets through: printable characters, no C0/C1 controls or surrogates.
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=40)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(texts, values, max_size=6))
def test_front_matter_round_trips_through_mkdocs(meta: dict) -> None:
    body, data = get_data(_front_matter(meta) + "body")
    assert data == meta
    assert body == "body"


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(texts, values, max_size=4), st.lists(st.dictionaries(texts, values, max_size=4), max_size=5))
def test_a_lists_cards_spliced_in_as_json_are_the_bytes_of_the_whole_view(meta: dict, cards: list[dict]) -> None:
    # A list page's cards are serialised once (Card.of) and put in place of _CARDS.
    spliced = _front_matter({"mq": {**meta, "entries": _CARDS}}, [Card.of(card).json for card in cards])
    assert spliced == _front_matter({"mq": {**meta, "entries": cards}})


class _Watched(dict):  # type: ignore[type-arg]
    """A dict that counts the walks over it (a copy or a merge walks it)."""

    walks = 0

    def __iter__(self) -> Iterator[Any]:
        _Watched.walks += 1
        return super().__iter__()

    def keys(self) -> Any:
        _Watched.walks += 1
        return super().keys()

    def items(self) -> Any:
        _Watched.walks += 1
        return super().items()

    def values(self) -> Any:
        _Watched.walks += 1
        return super().values()


def test_an_entry_page_does_not_walk_the_catalogue(catalogue: Catalogue, context: BuildContext) -> None:
    # Per entry, a walk over every entry makes the whole site quadratic (100,000 entries: x22 for 10x).
    watched = replace(catalogue, entries=_Watched(catalogue.entries), proposals=_Watched(catalogue.proposals))
    built_from = catalogue.built_from()
    entries = list(catalogue.entries.values())
    _Watched.walks = 0
    for entry in entries:
        view = views.entry_page(entry, watched, context, "en", built_from.get(entry.id, []))
        assert view["id"] == entry.id
    assert _Watched.walks == 0
    linked = [e for e in entries if e.stacks_into or e.replaced_by or built_from.get(e.id)]
    assert linked, "the sample should link entries to each other"
