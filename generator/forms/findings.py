"""What the catalogue's checks found, explained per form field in Latvian and English.

The schema's findings are explained from jsonschema's structured errors (the
keyword, the path, the limit); the other rules' findings, which speak English,
are recognised by what they say. Each finding is placed on the form element
whose answer became the field concerned, with the position in a list answer.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import jsonschema

from .. import schemas
from ..i18n import LANGUAGES
from ..i18n import label as i18n_label
from ..problems import Problem, Severity
from ..review import fields
from .answers import FieldProblem, shown
from .spec import ENTRY, PROVIDER, Form

_FIELD_PATH = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

Path_ = tuple[str | int, ...]


def parse_field_path(text: str) -> Path_:
    return tuple(name if name else int(number) for name, number in _FIELD_PATH.findall(text))


def field_for(form: Form, record: str, path: Path_) -> tuple[str | None, int | None]:
    """The form element a problem at `path` of a record belongs to, and the 1-based list position."""
    if record == ENTRY and path[:1] == ("awarding_bodies",):
        if len(path) > 1 and isinstance(path[1], int) and path[1] > 0:
            return "other-awarding-bodies", path[1]
        return ("provider" if _has(form, "provider") else "other-awarding-bodies"), None
    pattern = tuple("*" if isinstance(part, int) else part for part in path)
    position = next((part + 1 for part in path if isinstance(part, int)), None)
    best: tuple[int, str] | None = None
    for item in form.fields:
        if item.record != record:
            continue
        for cover in item.covers:
            if pattern[: len(cover)] == cover and (best is None or len(cover) > best[0]):
                best = (len(cover), item.id)
    if best is not None:
        return best[1], position
    for item in form.fields:  # a problem about a group of fields: its first element
        if item.record == record and any(cover[: len(pattern)] == pattern for cover in item.covers):
            return item.id, position
    return None, None


def _has(form: Form, field_id: str) -> bool:
    return any(item.id == field_id for item in form.fields)


def schema_problems(form: Form, record: str, data: dict[str, Any]) -> list[FieldProblem]:
    """The schema's findings, explained per form field in both languages."""
    schema_name = schemas.PROVIDER if record == PROVIDER else schemas.MICRO_QUALIFICATION
    errors = list(schemas.validator(schema_name).iter_errors(data))
    failed_format = {(tuple(e.absolute_path), id(e.schema)) for e in errors if e.validator == "format"}
    found = []
    required_seen: set[Path_] = set()
    for error in errors:
        if error.validator == "pattern" and (tuple(error.absolute_path), id(error.schema)) in failed_format:
            continue
        path: Path_ = tuple(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            # jsonschema reports each missing property as an error of its own; the keyword's value
            # and the instance name them all, so the first such error of an object reports every one.
            if path in required_seen:
                continue
            required_seen.add(path)
            required: Any = error.validator_value
            for missing in (name for name in required if name not in error.instance):
                key, values = _explain(form, record, error)
                group = fields.subschema(schema_name, (*path, missing)) or {}
                if group.get("anyOf") and all("required" in option for option in group["anyOf"]):
                    # A missing group that needs "at least one of" its fields: say which.
                    options = [
                        field_for(form, record, (*path, missing, option["required"][0]))[0] for option in group["anyOf"]
                    ]
                    key, values = "anyOf", {"options": [name for name in options if name]}
                found.append(_problem(form, record, schema_name, (*path, missing), key, values))
            continue
        key, values = _explain(form, record, error)
        found.append(_problem(form, record, schema_name, path, key, values))
    return found


def _problem(form: Form, record: str, schema_name: str, path: Path_, key: str, values: dict[str, Any]) -> FieldProblem:
    """One schema finding at `path`, worded for the form field it belongs to, in both languages."""
    field_id, position = field_for(form, record, path)
    lv = i18n_label("lv", f"form.problems.schema.{key}", **_words("lv", values))
    en = i18n_label("en", f"form.problems.schema.{key}", **_words("en", values))
    where = fields.label(schema_name, path) if field_id is None and path else ""
    return FieldProblem(field_id, lv, en, item=position, where=where)


def _words(language: str, values: dict[str, Any]) -> dict[str, Any]:
    """Values of a message; type and format names in the message's language, option lists as labels."""
    out = {}
    for name, value in values.items():
        if name == "expected":
            value = " / ".join(i18n_label(language, f"form.problems.schema.types.{kind}") for kind in value)
        elif name == "format":
            with contextlib.suppress(KeyError):
                value = i18n_label(language, f"form.problems.schema.formats.{value}")
        elif name == "options":
            value = ", ".join(f"“{i18n_label(language, f'form.fields.{field_id}')}”" for field_id in value)
        out[name] = shown(value)
    return out


def _explain(form: Form, record: str, error: jsonschema.ValidationError) -> tuple[str, dict[str, Any]]:
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    limit: Any = error.validator_value
    value = error.instance
    if keyword in ("required", "enum", "type", "format", "pattern"):
        if keyword == "enum":
            return "enum", {"value": str(value), "allowed": ", ".join(str(v) for v in limit)}
        if keyword == "type":
            return "type", {"expected": limit if isinstance(limit, list) else [limit]}
        if keyword == "format":
            return "format", {"value": str(value), "format": str(limit)}
        if keyword == "pattern":
            definition = schemas.definition_of(schema)
            if definition == schemas.HTTPS_URL:
                return "https", {"value": str(value)}
            if definition == schemas.PLAIN_TEXT:
                return "blank", {}
            return "pattern", {"value": str(value), "description": str(schema.get("description", ""))}
        return "required", {}
    if keyword == "anyOf" and all("required" in option for option in schema.get("anyOf", ())):
        path = tuple(error.absolute_path)
        names = [field_for(form, record, path + (option["required"][0],))[0] for option in schema["anyOf"]]
        return "anyOf", {"options": [name for name in names if name]}
    if keyword in (
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
    ):
        length = len(value) if isinstance(value, (str, list)) else 0
        return keyword, {"value": value, "limit": limit, "length": length}
    return "other", {"message": error.message}


# The catalogue's other rules speak English: recognise what they say, explain it in both languages.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"invisible character U\+[0-9A-F]+ \((?P<name>[^)]*)\)"), "invisible"),
    (re.compile(r"hours per credit"), "ects"),
    (re.compile(r"programme needs at least one place"), "places_needed"),
    (re.compile(r"a paid programme needs"), "paid_needs"),
    (re.compile(r"a funded programme needs"), "funded_needs"),
    (re.compile(r"no start date and not on demand"), "no_intake"),
    (re.compile(r"English text is missing"), "english_missing"),
    (re.compile(r"^unknown [a-z -]+ '(?P<value>[^']*)'"), "unknown_reference"),
    (re.compile(r"cannot stack into itself"), "stack_self"),
    (re.compile(r"stackability cycle"), "stack_cycle"),
]


def rule_problem(form: Form, record: str, problem: Problem, data: dict[str, Any]) -> FieldProblem:
    path = parse_field_path(problem.field)
    field_id, position = field_for(form, record, path)
    values: dict[str, Any] = {"message": problem.message + (f" ({problem.hint})" if problem.hint else "")}
    key = "other"
    for pattern, name in _RULES:
        match = pattern.search(problem.message)
        if match:
            key = name
            values.update(match.groupdict())
            break
    workload = data.get("workload") or {}
    values.update(hours=workload.get("hours"), ects=workload.get("ects"))
    hint = re.search(r"did you mean '([^']*)'", problem.hint)
    texts = {}
    for language in LANGUAGES:
        extra = i18n_label(language, "form.problems.did_you_mean", value=hint.group(1)) if hint else ""
        texts[language] = i18n_label(
            language, f"form.problems.rules.{key}", **{k: shown(v) for k, v in values.items()}, hint=extra
        )
    return FieldProblem(field_id, texts["lv"], texts["en"], warning=problem.severity is Severity.WARNING, item=position)
