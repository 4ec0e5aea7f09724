"""The generated source tree: front matter that MkDocs reads back exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from generator.site.compile import _front_matter

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
