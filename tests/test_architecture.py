"""One owner for each decision: the language list, and the allowed values that Python must know.

The schema is the only definition of field names and allowed values, and the
interface tables (generator/i18n/<language>.yaml) the only definition of the
languages. Where Python needs a table keyed by allowed values (a mapping to an
external vocabulary, an order for facets), these tests hold it to the schema, so
that a value added to the schema cannot be forgotten in an output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator import i18n, intakes, model, opendata, schemas
from generator.credentials import keys
from generator.interop import elm


def _micro_qualification(*path: str) -> Any:
    node: Any = schemas.schema(schemas.MICRO_QUALIFICATION)
    for part in path:
        node = node[part]
    return node


def test_the_languages_are_the_interface_tables_with_the_default_first() -> None:
    tables = {path.stem for path in Path(i18n.__file__).parent.glob("*.yaml")}
    assert set(i18n.LANGUAGES) == tables
    assert i18n.LANGUAGES[0] == i18n.DEFAULT_LANGUAGE
    assert len(i18n.LANGUAGES) == len(tables)


def test_the_catalogues_texts_are_written_in_the_site_languages() -> None:
    text = schemas.schema("common.schema.json")["$defs"]["text"]
    assert set(text["properties"]) == set(i18n.LANGUAGES)
    assert text["required"] == [i18n.DEFAULT_LANGUAGE]


def test_python_tables_of_allowed_values_cover_exactly_the_schemas_values() -> None:
    assert set(opendata.COURSE_MODES) == set(model.PARTICIPATION_FORMS)
    assert set(opendata.OFFER_CATEGORIES) == set(
        _micro_qualification("properties", "cost", "properties", "type", "enum")
    )
    assert set(elm.DURATION_UNITS) == set(_micro_qualification("properties", "duration", "properties", "unit", "enum"))
    statuses = set(_micro_qualification("properties", "status", "enum"))
    assert model.PROPOSED in statuses
    assert set(intakes.LISTED_STATES) == statuses - {model.PROPOSED}


def test_signing_key_algorithms_are_the_schemas_key_types_and_curves() -> None:
    jwk = schemas.schema(schemas.PROVIDER)["properties"]["signing_keys"]["items"]["properties"]["jwk"]["properties"]
    assert {kty for kty, _ in keys.ALGORITHMS.values()} == set(jwk["kty"]["enum"])
    assert {crv for _, crv in keys.ALGORITHMS.values()} == set(jwk["crv"]["enum"])
