"""What the schema says about each field: resolved subschemas, titles and labels.

The schema files are the single source of field names, titles and descriptions;
the skeleton that `mqcat new` writes and the labels of the review report are
both read from here, never typed out by hand.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cache
from typing import Any

from .. import schemas
from ..i18n import FIELD_TERMS, LANGUAGES
from ..i18n import label as interface_label

LABEL_SEPARATOR = " › "
TEXT_DEFINITION = "common.schema.json#/$defs/text"


def _absolute_refs(node: Any, document: str) -> Any:
    """A copy of `node` in which every `$ref` names its schema file."""
    if isinstance(node, dict):
        out = {key: _absolute_refs(value, document) for key, value in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            out["$ref"] = document + ref
        return out
    if isinstance(node, list):
        return [_absolute_refs(item, document) for item in node]
    return node


@cache
def _document(name: str) -> dict[str, Any]:
    return _absolute_refs(schemas.schema(name), name)


def _pointer(ref: str) -> dict[str, Any]:
    document, _, pointer = ref.partition("#")
    node: Any = _document(document)
    for part in filter(None, pointer.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(node: dict[str, Any] | None) -> dict[str, Any]:
    """The subschema with its `$ref` chain merged in; the referring node's keys win."""
    if not node:
        return {}
    if "$ref" not in node:
        return node
    target = resolve(_pointer(node["$ref"]))
    merged = copy.copy(target)
    merged.update({key: value for key, value in node.items() if key != "$ref"})
    return merged


def root(schema_name: str) -> dict[str, Any]:
    """The resolved top-level schema of one record kind."""
    return resolve(_document(schema_name))


def subschema(schema_name: str, path: Sequence[str | int]) -> dict[str, Any] | None:
    """The resolved subschema describing the value at `path`, or None if the schema has no such field."""
    node = root(schema_name)
    for part in path:
        if isinstance(part, int):
            items = node.get("items")
            if not isinstance(items, dict):
                return None
            node = resolve(items)
        else:
            child = node.get("properties", {}).get(part)
            if child is None:
                return None
            node = resolve(child)
    return node


def title(schema_name: str, path: Sequence[str | int]) -> str:
    """The schema's title of the field at `path`, or its key when the schema gives none."""
    term = FIELD_TERMS.get(tuple(str(part) for part in path)) if all(isinstance(p, str) for p in path) else None
    if schema_name == schemas.MICRO_QUALIFICATION and term is not None:
        return interface_label("en", term)  # the term pages and certificates use
    node = subschema(schema_name, path)
    key = path[-1] if path else ""
    if node and node.get("title"):
        return str(node["title"])
    # Untitled per-language parts (keywords.lv) read as the language's name.
    return language_title(key) if key in LANGUAGES else str(key)


def label(schema_name: str, path: Sequence[str | int], start: int = 0) -> str:
    """A reader's label for a field path: `workload.hours` -> `Notional workload › Hours`.

    List positions count from 1 and attach to the list's title (`Places 2 › Address`);
    `start` skips leading parts the reader already knows (e.g. the sector being shown).
    """
    parts: list[str] = []
    for index in range(start, len(path)):
        part = path[index]
        if isinstance(part, int):
            number = str(part + 1)
            if parts:
                parts[-1] = f"{parts[-1]} {number}"
            else:
                parts.append(number)
        else:
            parts.append(title(schema_name, path[: index + 1]))
    return LABEL_SEPARATOR.join(parts)


def is_text(node: dict[str, Any]) -> bool:
    """A bilingual text field: an object whose only properties are the texts lv and en."""
    properties = node.get("properties", {})
    return (
        node.get("type") == "object"
        and set(properties) == set(LANGUAGES)
        and all(resolve(properties[language]).get("type") == "string" for language in LANGUAGES)
    )


def language_title(language: str) -> str:
    """The schema's name of a text language (`lv` -> `Latvian`), from the shared text definition."""
    text = resolve({"$ref": TEXT_DEFINITION})
    return str(resolve(text.get("properties", {}).get(language)).get("title") or language)
