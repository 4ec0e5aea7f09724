"""The issue forms in .github/ISSUE_TEMPLATE/, generated from the spec (`mqcat forms`).

Each element's label comes from the interface tables, its description from the
schema plus a note on how to write the answer (both languages), its options
from the schema's enumerations, the vocabulary labels, and the registries
(sectors, authorising bodies, ISCED-F fields). The files are written with a
YAML serializer; the sector and authority names in them are registry data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import schemas
from ..catalogue import AUTHORITIES_FILE, SECTORS_FILE
from ..i18n import LANGUAGES
from ..i18n import label as i18n_label
from ..loader import LoadError, load_file
from ..problems import Problem, Severity
from ..review import fields
from ..rules import isced_f_fields
from . import spec
from .spec import Form, FormField, Kind

TEMPLATE_DIR = Path(".github") / "ISSUE_TEMPLATE"
OPTION_SEPARATOR = " — "

HEADER = """\
# GENERATED FILE: do not edit by hand.
# Written by `mqcat forms` from the schema (schema/), the registries (catalogue/sectors.yaml,
# catalogue/authorities.yaml, the ISCED-F list) and the interface tables (generator/i18n/).
# To change it, change those and run `mqcat forms`; CI runs `mqcat forms --check`.
# A submitted form is read by `mqcat form-to-entry` (.github/workflows/proposal.yml).
"""

# Vocabulary sections of the interface tables that label a field's allowed values.
VOCABULARIES: dict[tuple[str, spec.Pattern], str] = {
    (spec.ENTRY, ("participation_form",)): "participation_form",
    (spec.ENTRY, ("assessment", "methods", "*")): "assessment_method",
    (spec.ENTRY, ("assessment", "supervision")): "supervision",
    (spec.ENTRY, ("schedule", "times", "*")): "schedule_time",
    (spec.ENTRY, ("cost", "type")): "cost_type",
    (spec.PROVIDER, ("type",)): "provider_type",
}

HOW = {
    Kind.TEXT: "text",
    Kind.LINES: "lines",
    Kind.CODES: "codes",
    Kind.DATES: "dates",
    Kind.PLACES: "places",
    Kind.OUTCOMES: "outcomes",
    Kind.ESCO: "esco",
    Kind.NUMBER: "number",
    Kind.INTEGER: "integer",
}
# Notes for particular elements, in place of the note for their kind.
HOW_BY_FIELD = {"provider": "provider", "id": "id", "authorised-by": "authorised_by"}
# Elements described by a field other than their first path's nearest described one.
DESCRIPTION_PATH: dict[str, spec.Pattern] = {"esco-skills": ("learning_outcomes", "*", "esco_skills")}
# Descriptions of shared definitions, which say nothing about the field that uses them.
SHARED_TEXT = ("common.schema.json#/$defs/text", "common.schema.json#/$defs/text_lv_en")
# Elements whose schema description speaks of files and folders: a provider using the form never sees them.
NO_SCHEMA_DESCRIPTION = frozenset(
    # isced-f: the schema says how to write the code in YAML; the form offers the list.
    {"sector", "provider", "other-awarding-bodies", "id", "authorised-by", "entry-to-change", "isced-f"}
)


class RegistryUnreadable(Exception):
    """A registry the forms are made from has errors: fix it first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.text() for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Registries:
    """What the forms offer from the catalogue: sectors and authorising bodies, in registry order."""

    sectors: list[dict[str, Any]]
    authorities: list[dict[str, Any]]

    @classmethod
    def read(cls, catalogue_dir: Path) -> Registries:
        return cls(
            _records(catalogue_dir / SECTORS_FILE, schemas.SECTORS, "sectors"),
            _records(catalogue_dir / AUTHORITIES_FILE, schemas.AUTHORITIES, "authorities"),
        )


def _records(path: Path, schema_name: str, key: str) -> list[dict[str, Any]]:
    try:
        doc = load_file(path, f"catalogue/{path.name}")
    except LoadError as error:
        raise RegistryUnreadable([error.problem]) from None
    errors = [problem for problem in schemas.check(doc, schema_name) if problem.severity is Severity.ERROR]
    if errors:
        raise RegistryUnreadable(errors)
    return list(doc.data[key])


def _bilingual(key: str) -> str:
    return f"{i18n_label('en', key)} ({i18n_label('lv', key)})"


def options(item: FormField, registries: Registries) -> list[str]:
    """The option texts of a dropdown or of checkboxes; the value comes first, before ` — `."""
    if item.id == "sector":
        return [_option(s["id"], f"{s['name']['lv']} / {s['name']['en']}") for s in registries.sectors]
    if item.id == "authorised-by":
        return [_option(a["id"], f"{a['name']['lv']} / {a['name']['en']}") for a in registries.authorities]
    if item.id == "isced-f":
        return [_option(code, name) for code, name in isced_f_fields().items()]
    if item.kind is Kind.YES_NO:
        return [_bilingual("form.answer_yes"), _bilingual("form.answer_no")]
    section = VOCABULARIES.get((item.record, item.covers[0]))
    values = spec.allowed_values(item)
    if section is None:
        return [str(value) for value in values]
    return [
        _option(str(value), f"{i18n_label('lv', f'{section}.{value}')} / {i18n_label('en', f'{section}.{value}')}")
        for value in values
    ]


def _option(value: str, words: str) -> str:
    return f"{value}{OPTION_SEPARATOR}{words}"


def option_value(text: str) -> str:
    """The value an option text stands for (the part before ` — `)."""
    return text.split(OPTION_SEPARATOR, 1)[0].strip()


def description(item: FormField, form: Form) -> str:
    """What the schema says about the field, and how to write the answer, in English and Latvian."""
    parts = []
    if item.covers and item.id not in NO_SCHEMA_DESCRIPTION:
        pattern = DESCRIPTION_PATH.get(item.id) or item.covers[0]
        if pattern[-1] in LANGUAGES and item.kind is not Kind.LINES:
            pattern = pattern[:-1]
        if "*" in pattern and item.id not in DESCRIPTION_PATH:
            pattern = pattern[: pattern.index("*")]
        shared = {str(fields.resolve({"$ref": ref}).get("description", "")) for ref in SHARED_TEXT}
        while pattern:
            text = str(spec.node_at(item.schema_name, pattern).get("description", "")).strip()
            if text and text not in shared:
                parts.append(text)
                break
            pattern = pattern[:-1]
    how = HOW_BY_FIELD.get(item.id) or HOW.get(item.kind)
    if how:
        parts.append(_bilingual(f"form.how.{how}"))
    return " ".join(parts)


def element(item: FormField, form: Form, registries: Registries) -> dict[str, Any]:
    """One element of the form's body, as GitHub's issue-form syntax has it."""
    label = spec.bilingual_label(item)
    if item.kind is Kind.CONFIRM:
        return {
            "type": "checkboxes",
            "id": item.id,
            "attributes": {"label": label, "options": [{"label": _bilingual("form.confirm"), "required": True}]},
        }
    attributes: dict[str, Any] = {"label": label}
    text = description(item, form)
    if text:
        attributes["description"] = text
    if item.kind in (Kind.CHOICE, Kind.YES_NO):
        kind = "dropdown"
        attributes["options"] = options(item, registries)
    elif item.kind is Kind.CHOICES:
        kind = "checkboxes"
        attributes["options"] = [{"label": option} for option in options(item, registries)]
    elif item.textarea or item.kind in (Kind.LINES, Kind.DATES, Kind.PLACES, Kind.OUTCOMES, Kind.ESCO):
        kind = "textarea"
    else:
        kind = "input"
    result: dict[str, Any] = {"type": kind, "id": item.id, "attributes": attributes}
    if kind != "checkboxes":
        result["validations"] = {"required": spec.is_required(item)}
    return result


def form_document(form: Form, registries: Registries) -> dict[str, Any]:
    """The whole issue form as data."""
    intro = ["form.intro"] if form.name == "proposal" else ["form.change_intro", "form.how.change"]
    name_key = "propose" if form.name == "proposal" else "change"
    names = {
        "propose": ("Propose a micro-qualification", "Piedāvāt mikrokvalifikāciju"),
        "change": ("Change a micro-qualification", "Mainīt mikrokvalifikāciju"),
    }[name_key]
    return {
        "name": f"{names[0]} ({names[1]})",
        "description": (
            "For providers who do not use git: the form becomes a pull request for the sector's expert council. "
            "(Sniedzējiem, kas neizmanto git: veidlapa kļūst par izmaiņu pieprasījumu nozares ekspertu padomei.)"
        ),
        "title": f"[{names[0]} / {names[1]}] ",
        "labels": [form.label],
        "body": [
            {
                "type": "markdown",
                "attributes": {
                    "value": "\n\n".join(
                        f"**{language.upper()}:** {i18n_label(language, key)}"
                        for key in intro
                        for language in ("en", "lv")
                    ),
                },
            },
            *(element(item, form, registries) for item in form.fields),
        ],
    }


def render(form: Form, registries: Registries) -> str:
    """The text of one issue-form file."""
    body = yaml.safe_dump(
        form_document(form, registries), allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False
    )
    return HEADER + body


def render_all(catalogue_dir: Path) -> dict[Path, str]:
    """Every generated issue form: its path relative to the repository, and its text."""
    registries = Registries.read(catalogue_dir)
    return {TEMPLATE_DIR / form.file_name: render(form, registries) for form in (make() for make in spec.FORMS)}


def labels(form: Form) -> dict[str, FormField]:
    """Heading text (as GitHub writes it in the issue body) -> element."""
    return {spec.bilingual_label(item): item for item in form.fields}
