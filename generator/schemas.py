"""The JSON Schemas of the catalogue and schema validation with readable errors.

The schema files in `schema/` are the single source of field names and allowed
values. This module loads them once, checks formats for real (dates, URIs,
e-mail addresses, ISO language, country and currency codes) and turns
jsonschema's errors into problems that name the line, the field and the fix.

jsonschema is thorough but slow, and nearly every document is valid. So each
schema is also compiled into a predicate that answers only "certainly valid":
a document it passes has no schema error; every other document goes through
jsonschema, which decides and explains. The predicate never overrules jsonschema,
and a keyword it does not know makes it pass nothing.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pycountry
from referencing import Registry, Resource

from .loader import Document
from .problems import MAX_PER_FILE, Problem, field_path

if TYPE_CHECKING:
    from referencing._core import Resolver

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
if not SCHEMA_DIR.is_dir():  # installed as a package: schemas ship inside it
    SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

MICRO_QUALIFICATION = "micro-qualification.schema.json"
PROVIDER = "provider.schema.json"
SECTORS = "sectors.schema.json"
AUTHORITIES = "authorities.schema.json"
STATUS_LIST = "status-list.schema.json"

_format_checker: jsonschema.FormatChecker = jsonschema.Draft202012Validator.FORMAT_CHECKER

# Shared definitions whose failures have words of their own: a plain text (its pattern
# refuses a blank text) and a web address (its pattern refuses anything but https://).
PLAIN_TEXT = "common.schema.json#/$defs/plain_text"
HTTPS_URL = "common.schema.json#/$defs/https_url"


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def full_match(pattern: str, text: str) -> bool:
    """Whether `pattern` matches all of `text`.

    JSON Schema searches a pattern anywhere, and Python's `$` also matches before a
    final line break: "abc\\n" would pass "^[a-z]+$" and be published under that
    name. Every pattern of the catalogue's schemas is meant for the whole value.
    """
    return _pattern(pattern).fullmatch(text) is not None


def _full_match_pattern(
    validator: jsonschema.protocols.Validator, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not full_match(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with whole-value patterns: what every check of a catalogue value uses.
Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # untyped in types-jsonschema
    jsonschema.Draft202012Validator, {"pattern": _full_match_pattern}
)


@_format_checker.checks("iso639-1")
def _is_language(value: object) -> bool:
    return not isinstance(value, str) or pycountry.languages.get(alpha_2=value) is not None


@_format_checker.checks("iso3166-1-alpha2")
def _is_country(value: object) -> bool:
    return not isinstance(value, str) or pycountry.countries.get(alpha_2=value) is not None


@_format_checker.checks("iso4217")
def _is_currency(value: object) -> bool:
    return not isinstance(value, str) or pycountry.currencies.get(alpha_3=value) is not None


@cache
def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8"))))
        for path in sorted(SCHEMA_DIR.glob("*.schema.json"))
    ]
    return Registry().with_resources(resources)


@cache
def _definitions() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}#/$defs/{name}", definition)
        for path in sorted(SCHEMA_DIR.glob("*.schema.json"))
        for name, definition in schema(path.name).get("$defs", {}).items()
    ]


def definition_of(subschema: Any) -> str | None:
    """The shared definition (`common.schema.json#/$defs/https_url`) that a subschema is, if it is one.

    jsonschema's errors carry the subschema whose keyword failed; comparing it with the
    schemas' `$defs` tells which definition failed without reading the error's message.
    """
    for reference, definition in _definitions():
        if subschema is definition or subschema == definition:
            return reference
    return None


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed schema document with the given file name."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """A format-checking validator for one record kind."""
    return Validator(schema(name), registry=_registry(), format_checker=_format_checker)


Predicate = Callable[[Any], bool]


class _Unsupported(Exception):
    """The schema uses a keyword that the fast predicate does not implement."""


# Keywords that only annotate; they never make a document invalid.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


def _every(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def every(instance: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a plain loop is faster than all() here, the hottest path
            if not check(instance):
                return False
        return True

    return every


def _distinct(items: list[Any]) -> bool:
    """True only when the items are certainly pairwise different as JSON values."""
    if all(type(item) is str for item in items):
        return len(set(items)) == len(items)
    if all(type(item) is dict and all(type(v) is str for v in item.values()) for item in items):
        return len({tuple(sorted(item.items())) for item in items}) == len(items)
    return False  # not sure: let jsonschema decide


def _compile(schema: Any, resolver: Resolver, *, root: bool = False) -> Predicate:
    """A predicate that is true only for instances that `schema` certainly accepts.

    Where it is unsure (a float that is a whole number, a list of mixed items) it
    says false, which only sends the document to jsonschema.
    """
    if schema is True:
        return _always
    if schema is False:
        return _never
    unknown = (
        set(schema)
        - _ANNOTATIONS
        - {
            "$ref",
            "type",
            "enum",
            "properties",
            "required",
            "additionalProperties",
            "anyOf",
            "items",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minProperties",
        }
        - ({"$id"} if root else set())
    )
    if unknown:
        raise _Unsupported(", ".join(sorted(unknown)))
    checks: list[Predicate] = []
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        checks.append(_compile(resolved.contents, resolved.resolver))
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        types = frozenset(t for name in names for t in _TYPES[name])
        checks.append(lambda instance: type(instance) in types)
    if "enum" in schema:
        if not all(type(v) is str for v in schema["enum"]):
            raise _Unsupported("enum of non-text values")
        allowed = frozenset(schema["enum"])
        checks.append(lambda instance: type(instance) is str and instance in allowed)
    if "anyOf" in schema:
        options = [_compile(option, resolver) for option in schema["anyOf"]]
        checks.append(lambda instance: any(option(instance) for option in options))
    if "format" in schema:
        fmt = schema["format"]
        checks.append(lambda instance: _format_checker.conforms(instance, fmt))
    checks.extend(_object_checks(schema, resolver))
    checks.extend(_array_checks(schema, resolver))
    checks.extend(_string_checks(schema))
    checks.extend(_number_checks(schema))
    return _every(checks)


def _object_checks(schema: dict[str, Any], resolver: Resolver) -> list[Predicate]:
    keywords = {"properties", "required", "additionalProperties", "minProperties"}
    if not keywords & set(schema):
        return []
    properties = {name: _compile(sub, resolver) for name, sub in schema.get("properties", {}).items()}
    required = frozenset(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    extra_check = None if extra is True else _compile(extra, resolver)
    min_properties = schema.get("minProperties", 0)

    def object_check(instance: Any) -> bool:
        if type(instance) is not dict:
            return not isinstance(instance, dict)  # the keywords apply to objects only
        if len(instance) < min_properties or not required <= instance.keys():
            return False
        for name, value in instance.items():
            check = properties.get(name)
            if check is None:
                if extra_check is not None and not extra_check(value):
                    return False
            elif not check(value):
                return False
        return True

    return [object_check]


def _array_checks(schema: dict[str, Any], resolver: Resolver) -> list[Predicate]:
    keywords = {"items", "minItems", "maxItems", "uniqueItems"}
    if not keywords & set(schema):
        return []
    item_check = _compile(schema.get("items", True), resolver)
    low, high = schema.get("minItems", 0), schema.get("maxItems", math.inf)
    unique = schema.get("uniqueItems", False)

    def array_check(instance: Any) -> bool:
        if type(instance) is not list:
            return not isinstance(instance, list)  # the keywords apply to lists only
        if not low <= len(instance) <= high or (unique and not _distinct(instance)):
            return False
        for item in instance:  # noqa: SIM110 - a plain loop is faster than all() here
            if not item_check(item):
                return False
        return True

    return [array_check]


def _string_checks(schema: dict[str, Any]) -> list[Predicate]:
    if not {"minLength", "maxLength", "pattern"} & set(schema):
        return []
    low, high = schema.get("minLength", 0), schema.get("maxLength", math.inf)
    pattern = schema.get("pattern")

    def string_check(instance: Any) -> bool:
        if type(instance) is not str:
            return not isinstance(instance, str)  # the keywords apply to text only
        return low <= len(instance) <= high and (pattern is None or full_match(pattern, instance))

    return [string_check]


def _number_checks(schema: dict[str, Any]) -> list[Predicate]:
    keywords = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
    if not set(keywords) & set(schema):
        return []
    low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
    above, below = schema.get("exclusiveMinimum", -math.inf), schema.get("exclusiveMaximum", math.inf)
    step = schema.get("multipleOf")

    def number_check(instance: Any) -> bool:
        if type(instance) not in (int, float):
            # The keywords apply to numbers only, and true/false are not numbers.
            return isinstance(instance, bool) or not isinstance(instance, numbers.Number)
        if not (low <= instance <= high and above < instance < below):
            return False
        if step is None:
            return True
        if isinstance(step, float):
            quotient = instance / step
            return math.isfinite(quotient) and int(quotient) == quotient
        return instance % step == 0

    return [number_check]


@cache
def quick_check(name: str) -> Predicate:
    """The "certainly valid" predicate of one record kind's schema (see the module docstring)."""
    document = schema(name)
    try:
        return _compile(document, _registry().resolver(base_uri=document.get("$id", name)), root=True)
    except _Unsupported:
        return _never


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


def _comment_cut(doc: Document, path: tuple[str | int, ...]) -> bool:
    """The field's line holds `key: #...`: the author's text became a comment."""
    line, _ = doc.position(path, key=True)
    lines = doc.text.splitlines()
    return 0 < line <= len(lines) and re.search(r":\s+#", lines[line - 1]) is not None


def optional_ancestor(schema_name: str, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """The deepest optional field on `path` (itself or a parent), or None when every step is required."""
    resolver = _registry().resolver(base_uri=schema(schema_name).get("$id", schema_name))
    node: Any = schema(schema_name)
    found = None
    for depth, part in enumerate(path):
        while isinstance(node, dict) and "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            node, resolver = {**resolved.contents, **{k: v for k, v in node.items() if k != "$ref"}}, resolved.resolver
        if not isinstance(node, dict):
            return found
        if isinstance(part, int):
            node = node.get("items", {})
            continue
        if part not in node.get("required", ()):
            found = path[: depth + 1]
        node = node.get("properties", {}).get(part, {})
    return found


def _problems_for(
    error: jsonschema.ValidationError, doc: Document, schema_name: str, *, suggest: bool = True
) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    keyword = error.validator
    sub = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    keyword_value: Any = error.validator_value  # the failing keyword's value in the schema
    if keyword == "required":
        # Every missing field of the object, in the schema's order (`check` passes one error per object).
        properties = sub.get("properties", {})
        for missing in [name for name in keyword_value if isinstance(instance, dict) and name not in instance]:
            title = properties.get(missing, {}).get("title", "")
            what = f" ({title})" if title else ""
            yield doc.problem(
                path + (missing,),
                f"required field '{missing}'{what} is missing",
                hint=f"add `{missing}:` here",
                key=True,
            )
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(sub.get("properties", {}))
        for number, key in enumerate(sorted(set(instance) - set(allowed))):
            suggest_key = suggest and number < MAX_PER_FILE
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6) if suggest_key else []
            hint = f"did you mean '{close[0]}'?" if close else "allowed fields: " + ", ".join(allowed)
            yield doc.problem(path + (key,), f"unknown field '{key}'", hint=hint, key=True)
    elif keyword == "enum":
        values = [str(v) for v in keyword_value]
        close = difflib.get_close_matches(str(instance), values, n=1) if suggest else []
        hint = f"did you mean '{close[0]}'? " if close else ""
        yield doc.problem(path, f"'{instance}' is not an allowed value", hint=f"{hint}allowed: {', '.join(values)}")
    elif keyword == "type":
        names: list[str] = keyword_value if isinstance(keyword_value, list) else [keyword_value]
        words = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
        hint = "put quotes around it to make it text" if "string" in names else _example(sub)
        if instance is None and "string" in names and _comment_cut(doc, path):
            hint = "an unquoted ' #' starts a comment, which cut the text off: put the whole text in double quotes"
        yield doc.problem(path, f"expected {words}, found {_describe(instance)}", hint=hint)
    elif keyword == "format":
        yield doc.problem(path, f"'{instance}' is not a valid {error.validator_value}", hint=_example(sub))
    elif keyword == "pattern":
        definition = definition_of(sub)
        if definition == HTTPS_URL:
            yield doc.problem(
                path,
                f"'{instance}' is not an https:// address",
                hint="only https:// links are published; use the secure address",
            )
        elif definition == PLAIN_TEXT:
            optional = optional_ancestor(schema_name, path)
            if optional is None:
                hint = "write the text: this field is required"
            else:
                hint = f"write the text, or remove `{field_path(optional)}` if you do not need it"
            yield doc.problem(path, "the text is blank", hint=hint)
        else:
            described = sub.get("description", "")
            yield doc.problem(
                path, f"'{instance}' is not in the expected form. {described}".strip(), hint=_example(sub)
            )
    elif keyword == "anyOf" and sub.get("anyOf") and all("required" in s for s in sub["anyOf"]):
        options = " or ".join(s["required"][0] for s in sub["anyOf"])
        yield doc.problem(path, f"give at least one of: {options}", hint=f"add `{sub['anyOf'][0]['required'][0]}:`")
    elif keyword in (
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "uniqueItems",
        "minProperties",
    ):
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
    if quick_check(schema_name)(doc.data):
        return []
    errors = list(validator(schema_name).iter_errors(doc.data))
    # A value that fails its format (a date, a web address) usually fails the same
    # definition's pattern too: report the mistake once.
    failed_format = {(tuple(e.absolute_path), id(e.schema)) for e in errors if e.validator == "format"}
    # A blank text also fails its minimum length: "the text is blank" says it once.
    blank = {
        tuple(e.absolute_path) for e in errors if e.validator == "pattern" and definition_of(e.schema) == PLAIN_TEXT
    }
    # jsonschema reports each missing required field on its own; the first error of an object reports them all.
    required_seen: set[tuple[tuple[str | int, ...], int]] = set()
    problems: list[Problem] = []
    for error in errors:
        if error.validator == "required":
            if (tuple(error.absolute_path), id(error.schema)) in required_seen:
                continue
            required_seen.add((tuple(error.absolute_path), id(error.schema)))
        if error.validator == "pattern" and (tuple(error.absolute_path), id(error.schema)) in failed_format:
            continue
        if error.validator == "minLength" and tuple(error.absolute_path) in blank:
            continue
        # Past the number a report lists, problems are only counted: no "did you mean" to work out.
        problems.extend(_problems_for(error, doc, schema_name, suggest=len(problems) < MAX_PER_FILE))
    return problems
