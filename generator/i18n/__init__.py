"""Interface strings and vocabulary labels, one table per language.

`generator/i18n/<language>.yaml` holds every string the site, the finder, the
certificates and the reports show, grouped by section. Templates and scripts
never hard-code text: they look it up here. A test checks that every language
has exactly the same keys.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
# The catalogue's own language: every text has it, its pages sit at the site's root,
# and a text missing in another language falls back to it.
DEFAULT_LANGUAGE = "lv"
# Every language of the site and of the catalogue's texts: one interface table each
# (`<language>.yaml` beside this file), the default language first.
LANGUAGES: tuple[str, ...] = (
    DEFAULT_LANGUAGE,
    *sorted(path.stem for path in HERE.glob("*.yaml") if path.stem != DEFAULT_LANGUAGE),
)


# One term per field of a micro-qualification, in each language: entry pages, certificates and
# the review report all label these fields with this entry of the tables (a test holds them to it).
FIELD_TERMS: dict[tuple[str, ...], str] = {
    ("title",): "facts.title",
    ("purpose",): "facts.purpose",
    ("awarding_bodies",): "facts.providers",
    ("learning_outcomes",): "facts.learning_outcomes",
    ("workload",): "facts.workload",
    ("level",): "facts.level",
    ("isced_f",): "facts.field",
    ("assessment",): "facts.assessment",
    ("assessment", "supervision"): "facts.supervision",
    ("participation_form",): "facts.participation",
    ("quality_assurance",): "facts.quality_assurance",
    ("quality_assurance", "authorised_by"): "qa.authority",
    ("quality_assurance", "decision"): "qa.decision",
    ("quality_assurance", "decision_date"): "qa.approved",
    ("quality_assurance", "review_due"): "qa.review_due",
    ("prerequisites",): "facts.prerequisites",
    ("stackability",): "facts.stackability",
    ("further_information",): "facts.further_information",
}


@cache
def other_language(language: str) -> str:
    """The site's other language (the site has two: each page has its counterpart in the other)."""
    return next(lang for lang in LANGUAGES if lang != language)


@cache
def table(language: str) -> dict[str, Any]:
    """The whole label table of one language, read once per process: callers read it, never change it."""
    if language not in LANGUAGES:
        raise KeyError(f"no label table for language {language!r}")
    return yaml.load((HERE / f"{language}.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def label(language: str, key: str, **values: Any) -> str:
    """The string at a dotted key (`facts.workload`), with {placeholders} filled in."""
    node: Any = table(language)
    for part in key.split("."):
        node = node[part]
    if not isinstance(node, str):
        raise KeyError(f"{key!r} is a section, not a label")
    return node.format(**values) if values else node


def flat_keys(node: Any, prefix: str = "") -> set[str]:
    """All dotted keys of a table, for the completeness check."""
    if isinstance(node, dict):
        keys: set[str] = set()
        for key, value in node.items():
            keys |= flat_keys(value, f"{prefix}{key}.")
        return keys
    return {prefix.rstrip(".")}
