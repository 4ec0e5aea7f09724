"""The JSON Schemas of the catalogue and schema validation with readable errors.

The schema files in `schema/` are the single source of field names and allowed
values. This module loads them once, checks formats for real (dates, URIs,
e-mail addresses, ISO language, country and currency codes) and turns
jsonschema's errors into problems that name the line, the field and the fix.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pycountry
from referencing import Registry, Resource

from .loader import Document
from .problems import Problem

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
if not SCHEMA_DIR.is_dir():  # installed as a package: schemas ship inside it
    SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

MICRO_QUALIFICATION = "micro-qualification.schema.json"
PROVIDER = "provider.schema.json"
SECTORS = "sectors.schema.json"
AUTHORITIES = "authorities.schema.json"

_format_checker = jsonschema.Draft202012Validator.FORMAT_CHECKER


@_format_checker.checks("iso639-1")
def _is_language(value: object) -> bool:
    return not isinstance(value, str) or pycountry.languages.get(alpha_2=value) is not None


@_format_checker.checks("iso3166-1-alpha2")
def _is_country(value: object) -> bool:
    return not isinstance(value, str) or pycountry.countries.get(alpha_2=value) is not None


@_format_checker.checks("iso4217")
def _is_currency(value: object) -> bool:
    return not isinstance(value, str) or pycountry.currencies.get(alpha_3=value) is not None


@lru_cache(maxsize=None)
def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8"))))
        for path in sorted(SCHEMA_DIR.glob("*.schema.json"))
    ]
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    """The parsed schema document with the given file name."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(name: str) -> jsonschema.Draft202012Validator:
    """A format-checking validator for one record kind."""
    return jsonschema.Draft202012Validator(schema(name), registry=_registry(), format_checker=_format_checker)


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a group of fields",
    "null": "nothing",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "a group of fields"


def _example(subschema: dict[str, Any]) -> str:
    examples = subschema.get("examples")
    if examples:
        return "for example " + json.dumps(examples[0], ensure_ascii=False)
    return ""


def _problems_for(error: jsonschema.ValidationError, doc: Document) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    keyword = error.validator
    sub = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(error.validator_value)
        properties = sub.get("properties", {})
        title = properties.get(missing, {}).get("title", "")
        what = f" ({title})" if title else ""
        yield doc.problem(path + (missing,), f"required field '{missing}'{what} is missing",
                          hint=f"add `{missing}:` here", key=True)
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(sub.get("properties", {}))
        for key in sorted(set(instance) - set(allowed)):
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "allowed fields: " + ", ".join(allowed)
            yield doc.problem(path + (key,), f"unknown field '{key}'", hint=hint, key=True)
    elif keyword == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        close = difflib.get_close_matches(str(instance), [str(v) for v in error.validator_value], n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        yield doc.problem(path, f"'{instance}' is not an allowed value", hint=f"{hint}allowed: {allowed}")
    elif keyword == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
        hint = "put quotes around it to make it text" if "string" in names else _example(sub)
        yield doc.problem(path, f"expected {words}, found {_describe(instance)}", hint=hint)
    elif keyword == "format":
        yield doc.problem(path, f"'{instance}' is not a valid {error.validator_value}", hint=_example(sub))
    elif keyword == "pattern":
        if str(error.validator_value).startswith("^https://"):
            yield doc.problem(path, f"'{instance}' is not an https:// address",
                              hint="only https:// links are published; use the secure address")
        elif str(error.validator_value) == "\\S":
            yield doc.problem(path, "the text is blank", hint="write the text or remove the field")
        else:
            described = sub.get("description", "")
            yield doc.problem(path, f"'{instance}' is not in the expected form. {described}".strip(), hint=_example(sub))
    elif keyword == "anyOf" and sub.get("anyOf") and all("required" in s for s in sub["anyOf"]):
        options = " or ".join(s["required"][0] for s in sub["anyOf"])
        yield doc.problem(path, f"give at least one of: {options}", hint=f"add `{sub['anyOf'][0]['required'][0]}:`")
    elif keyword in ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum",
                     "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems", "minProperties"):
        messages = {
            "minItems": f"needs at least {error.validator_value} item(s)",
            "maxItems": f"has more than {error.validator_value} items",
            "minLength": f"is shorter than {error.validator_value} characters",
            "maxLength": f"is longer than {error.validator_value} characters",
            "minimum": f"{instance} is below the minimum {error.validator_value}",
            "maximum": f"{instance} is above the maximum {error.validator_value}",
            "exclusiveMinimum": f"{instance} must be greater than {error.validator_value}",
            "exclusiveMaximum": f"{instance} must be less than {error.validator_value}",
            "multipleOf": f"{instance} must be a multiple of {error.validator_value}",
            "uniqueItems": "the list has the same item twice",
            "minProperties": "must not be empty",
        }
        yield doc.problem(path, messages[keyword], hint=_example(sub))
    else:
        yield doc.problem(path, error.message)


def check(doc: Document, schema_name: str) -> list[Problem]:
    """Validate a loaded document against one schema; every error, in file order."""
    problems: list[Problem] = []
    for error in validator(schema_name).iter_errors(doc.data):
        problems.extend(_problems_for(error, doc))
    return problems
