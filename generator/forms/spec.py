"""The issue forms as data: which form element asks for which field of a record.

A form element covers one or more schema paths (`*` stands for every position
of a list). Everything a reader sees about a field is read from elsewhere: the
English description and the allowed values from the schema, the Latvian and
English labels and the vocabulary labels from the interface tables
(`generator/i18n/`), the sectors, authorities and ISCED-F fields from the
registries. `uncovered()` lists every schema field that no element asks for
and that is not deliberately left out, so a new schema field cannot be
forgotten by the forms (`mqcat forms --check` and the tests call it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .. import schemas
from ..i18n import LANGUAGES
from ..i18n import label as i18n_label
from ..review import fields

Pattern = tuple[str, ...]

ENTRY = "entry"
PROVIDER = "provider"


class Kind(StrEnum):
    """How a form element is shown, and how its answer is read."""

    TEXT = "text"  # one language of a text; an input for titles, a textarea otherwise
    LINE = "line"  # one line of text: names, addresses, e-mail, web addresses, ids
    NUMBER = "number"
    INTEGER = "integer"
    CHOICE = "choice"  # one allowed value: a dropdown
    CHOICES = "choices"  # several allowed values: checkboxes
    YES_NO = "yes-no"  # true or false: a dropdown with yes and no
    LINES = "lines"  # a list of short texts or ids, one per line
    CODES = "codes"  # a list of codes, separated by commas, spaces or lines
    DATES = "dates"  # a list of dates, one per line
    PLACES = "places"  # a list of places, one per line: municipality; address
    OUTCOMES = "outcomes"  # learning outcomes in one language, one per line
    ESCO = "esco"  # ESCO skills per outcome: "N: uri uri"
    CONFIRM = "confirm"  # a checkbox that must be ticked


@dataclass(frozen=True)
class FormField:
    """One element of an issue form."""

    id: str
    record: str  # ENTRY or PROVIDER: the record its answer goes into
    covers: tuple[Pattern, ...]  # the schema paths its answer fills
    kind: Kind
    required: bool | None = None  # None: as the schema says
    textarea: bool = False

    @property
    def schema_name(self) -> str:
        return schemas.PROVIDER if self.record == PROVIDER else schemas.MICRO_QUALIFICATION

    @property
    def language(self) -> str | None:
        """For one language of a text: that language."""
        last = self.covers[0][-1]
        return last if last in LANGUAGES and self.kind in (Kind.TEXT, Kind.OUTCOMES, Kind.LINES) else None


def _text(field_id: str, path: Pattern, *, record: str = ENTRY, input_only: bool = False) -> list[FormField]:
    """The two elements (Latvian, English) of a bilingual text."""
    return [
        FormField(f"{field_id}-{language}", record, (path + (language,),), Kind.TEXT, textarea=not input_only)
        for language in LANGUAGES
    ]


def _entry_fields() -> list[FormField]:
    e = ENTRY
    return [
        FormField("sector", e, (("sector",),), Kind.CHOICE),
        FormField("provider", e, (("awarding_bodies", "*"),), Kind.LINE, required=False),
        FormField("other-awarding-bodies", e, (("awarding_bodies", "*"),), Kind.LINES, required=False, textarea=True),
        FormField("id", e, (("id",),), Kind.LINE, required=False),
        *_text("title", ("title",), input_only=True),
        *_text("purpose", ("purpose",)),
        FormField("outcomes-lv", e, (("learning_outcomes", "*", "text", "lv"),), Kind.OUTCOMES, textarea=True),
        FormField("outcomes-en", e, (("learning_outcomes", "*", "text", "en"),), Kind.OUTCOMES, textarea=True),
        FormField("esco-skills", e, (("learning_outcomes", "*", "esco_skills", "*"),), Kind.ESCO, textarea=True),
        FormField("workload-hours", e, (("workload", "hours"),), Kind.NUMBER),
        FormField("workload-ects", e, (("workload", "ects"),), Kind.NUMBER),
        FormField("level", e, (("level", "lki"), ("level", "eqf")), Kind.CHOICE),
        FormField("isced-f", e, (("isced_f",),), Kind.CHOICE),
        FormField("assessment-methods", e, (("assessment", "methods", "*"),), Kind.CHOICES),
        *_text("assessment", ("assessment", "description")),
        FormField("supervision", e, (("assessment", "supervision"),), Kind.CHOICE),
        FormField("participation-form", e, (("participation_form",),), Kind.CHOICE),
        *_text("quality-assurance", ("quality_assurance", "type")),
        FormField("authorised-by", e, (("quality_assurance", "authorised_by"),), Kind.CHOICE, required=False),
        *_text("prerequisites", ("prerequisites",)),
        FormField("standalone", e, (("stackability", "standalone"),), Kind.YES_NO),
        FormField("stacks-into", e, (("stackability", "stacks_into", "*"),), Kind.LINES, textarea=True),
        *_text("qualification-title", ("stackability", "qualification", "title"), input_only=True),
        FormField("qualification-level", e, (("stackability", "qualification", "lki"),), Kind.CHOICE),
        FormField("qualification-url", e, (("stackability", "qualification", "url"),), Kind.LINE),
        *_text("further-information", ("further_information",)),
        FormField("duration-amount", e, (("duration", "amount"),), Kind.INTEGER),
        FormField("duration-unit", e, (("duration", "unit"),), Kind.CHOICE),
        FormField("schedule-times", e, (("schedule", "times", "*"),), Kind.CHOICES),
        *_text("schedule", ("schedule", "description")),
        FormField("languages", e, (("languages", "*"),), Kind.CODES),
        FormField(
            "places", e, (("locations", "*", "municipality"), ("locations", "*", "address")), Kind.PLACES, textarea=True
        ),
        FormField("cost-type", e, (("cost", "type"),), Kind.CHOICE),
        FormField("cost-amount", e, (("cost", "amount"),), Kind.NUMBER),
        FormField("cost-currency", e, (("cost", "currency"),), Kind.LINE),
        *_text("funding", ("cost", "funding")),
        FormField("on-demand", e, (("intakes", "on_demand"),), Kind.YES_NO),
        FormField("start-dates", e, (("intakes", "starts", "*"),), Kind.DATES, textarea=True),
        # E-mail first: "give an e-mail or a telephone number" is reported there.
        FormField("contact-email", e, (("contact", "email"),), Kind.LINE),
        FormField("contact-phone", e, (("contact", "phone"),), Kind.LINE),
        FormField("contact-name", e, (("contact", "name"),), Kind.LINE),
        FormField("homepage", e, (("homepage",),), Kind.LINE),
        FormField("keywords-lv", e, (("keywords", "lv", "*"),), Kind.LINES, textarea=True),
        FormField("keywords-en", e, (("keywords", "en", "*"),), Kind.LINES, textarea=True),
    ]


def _provider_fields() -> list[FormField]:
    p = PROVIDER
    # Every provider element is optional in the form: it is needed only when the provider is new.
    return [
        FormField(f"provider-name-{language}", p, (("name", language),), Kind.TEXT, required=False)
        for language in LANGUAGES
    ] + [
        FormField("provider-legal-name", p, (("legal_name",),), Kind.LINE, required=False),
        FormField("provider-type", p, (("type",),), Kind.CHOICE, required=False),
        FormField("provider-registration-number", p, (("registration_number",),), Kind.LINE, required=False),
        FormField(
            "provider-education-register-number", p, (("education_register_number",),), Kind.LINE, required=False
        ),
        FormField("provider-legal-address", p, (("legal_address",),), Kind.LINE, required=False),
        FormField("provider-country", p, (("country",),), Kind.LINE, required=False),
        FormField("provider-region", p, (("region",),), Kind.CHOICE, required=False),
        FormField("provider-contact-email", p, (("contact", "email"),), Kind.LINE, required=False),
        FormField("provider-contact-phone", p, (("contact", "phone"),), Kind.LINE, required=False),
        FormField("provider-contact-name", p, (("contact", "name"),), Kind.LINE, required=False),
        FormField("provider-website", p, (("website",),), Kind.LINE, required=False),
    ]


CONFIRMATION = FormField("confirmation", "", (), Kind.CONFIRM, required=True)
# The change form: the id of the entry to change comes first, then only what changes.
ENTRY_TO_CHANGE = FormField("entry-to-change", ENTRY, (("id",),), Kind.LINE, required=True)
CHANGE_REASON = FormField("change-reason", "", (), Kind.TEXT, required=True, textarea=True)

# Fields a provider never fills in through a form, and why.
NOT_ASKED: dict[str, dict[Pattern, str]] = {
    ENTRY: {
        ("version",): "set by mqcat: 1 for a new entry, raised by one when a change is substantive",
        ("status",): "set by mqcat: a submitted form is a proposal until the council decides",
        ("status_reason",): "suspension and withdrawal are the council's decisions",
        ("replaced_by",): "suspension and withdrawal are the council's decisions",
        ("quality_assurance", "decision"): "the council records its own decision",
        ("quality_assurance", "decision_date"): "the council records its own decision",
        ("quality_assurance", "review_due"): "the council records its own decision",
    },
    PROVIDER: {
        ("id",): "made from the provider id field or from the provider's name",
        ("example",): "only the shipped sample data is fictional",
        ("signing_keys",): "keys come from `mqcat keygen` by a reviewed pull request, never typed into a form",
    },
}


@dataclass(frozen=True)
class Form:
    """One issue form: its file name, its label and its elements in order."""

    name: str  # "proposal" or "change"
    file_name: str
    label: str  # the GitHub label the form puts on the issue
    fields: tuple[FormField, ...]

    def field(self, field_id: str) -> FormField:
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)


PROPOSAL_LABEL = "proposal"
CHANGE_LABEL = "entry-change"


def proposal_form() -> Form:
    """The form that proposes a new micro-qualification (and registers a new provider)."""
    return Form(
        "proposal",
        "propose-micro-qualification.yml",
        PROPOSAL_LABEL,
        (*_entry_fields(), *_provider_fields(), CONFIRMATION),
    )


def change_form() -> Form:
    """The form that changes a published entry: its id, then only the fields that change."""
    changeable = [
        FormField(item.id, item.record, item.covers, item.kind, required=False, textarea=item.textarea)
        for item in _entry_fields()
        if item.id not in ("sector", "id", "provider")
    ]
    return Form(
        "change",
        "change-micro-qualification.yml",
        CHANGE_LABEL,
        (ENTRY_TO_CHANGE, CHANGE_REASON, *changeable, CONFIRMATION),
    )


FORMS = (proposal_form, change_form)


# --------------------------------------------------------------------------- what the schema says


def node_at(schema_name: str, pattern: Pattern) -> dict[str, Any]:
    """The resolved subschema at a path pattern (`*` steps into list items)."""
    node = fields.root(schema_name)
    for part in pattern:
        node = fields.resolve(node.get("items")) if part == "*" else fields.resolve(node["properties"][part])
    return node


def required_by_schema(schema_name: str, pattern: Pattern) -> bool:
    """True when a record cannot be valid without a value at `pattern`."""
    node = fields.root(schema_name)
    for part in pattern:
        if part == "*":
            if node.get("minItems", 0) < 1:
                return False
            node = fields.resolve(node.get("items"))
        else:
            if part not in node.get("required", ()):
                return False
            node = fields.resolve(node["properties"][part])
    return True


def is_required(item: FormField) -> bool:
    """Whether the form insists on an answer."""
    if item.required is not None:
        return item.required
    return all(required_by_schema(item.schema_name, pattern) for pattern in item.covers)


def allowed_values(item: FormField) -> list[Any]:
    """The values the schema allows at an element's first path (enumerations and integer ranges)."""
    node = node_at(item.schema_name, item.covers[0])
    if "enum" in node:
        return list(node["enum"])
    if node.get("type") == "integer" and "minimum" in node and "maximum" in node:
        return list(range(node["minimum"], node["maximum"] + 1))
    return []


def leaves(schema_name: str) -> Iterator[Pattern]:
    """Every field of a record kind down to its values, as path patterns."""

    def walk(node: dict[str, Any], path: Pattern) -> Iterator[Pattern]:
        if node.get("type") == "object" and node.get("properties"):
            for name, child in node["properties"].items():
                yield from walk(fields.resolve(child), path + (name,))
        elif node.get("type") == "array" and isinstance(node.get("items"), dict):
            yield from walk(fields.resolve(node["items"]), path + ("*",))
        else:
            yield path

    yield from walk(fields.root(schema_name), ())


def uncovered(form: Form) -> list[str]:
    """Schema fields that the proposal form neither asks for nor deliberately leaves out."""
    problems = []
    for record, schema_name in ((ENTRY, schemas.MICRO_QUALIFICATION), (PROVIDER, schemas.PROVIDER)):
        covered = {pattern for item in form.fields if item.record == record for pattern in item.covers}
        left_out = NOT_ASKED[record]
        for pattern in leaves(schema_name):
            if pattern not in covered and not any(pattern[: len(out)] == out for out in left_out):
                problems.append(f"{schema_name}: no form field asks for {'.'.join(pattern)}")
        for pattern in sorted(left_out):
            if not any(leaf[: len(pattern)] == pattern for leaf in leaves(schema_name)):
                problems.append(f"{schema_name}: {'.'.join(pattern)} is left out of the form but is not in the schema")
        # What the schema marks readOnly is the council's record: no form may ask a provider for it.
        for pattern in sorted(covered):
            if any(node_at(schema_name, pattern[:length]).get("readOnly") for length in range(1, len(pattern) + 1)):
                problems.append(f"{schema_name}: {'.'.join(pattern)} is written by the council, but a form asks for it")
    return problems


def label(item: FormField, language: str) -> str:
    """The element's label in one language, from the interface tables."""
    return i18n_label(language, f"form.fields.{item.id}")


def bilingual_label(item: FormField) -> str:
    """The label the form shows (and GitHub repeats as the heading in the issue body): `English (Latviski)`."""
    return f"{label(item, 'en')} ({label(item, 'lv')})"
