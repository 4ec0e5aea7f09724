"""The finder page (/finder/): its view model. The search index is built by generator.search_index."""

from __future__ import annotations

from typing import Any

from ..context import BuildContext
from ..model import Catalogue


def view(catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """What the finder page needs at build time (facet options and their labels)."""
    return {}
