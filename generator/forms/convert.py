"""A submitted issue form turned into catalogue records, or into problems per form field.

Form text is data: each answer is read according to its element's kind (a
number, a choice, one item per line...), placed into a record, written out with
a YAML serializer and read back with the catalogue's own loader, schema and
rules, exactly as any file a provider writes by hand. What those checks find
is reported against the form field it came from, in Latvian and English, never
as a file and line (the provider never saw a file).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import rules, schemas
from ..catalogue import PROVIDERS_DIR, validate
from ..i18n import label as i18n_label
from ..loader import LoadError, load_file, parse_text
from ..model import SUBSTANTIVE_FIELDS
from ..problems import Problem, Severity
from ..review import fields
from ..review.skeleton import suggest_id
from . import body as body_module
from . import spec
from .answers import AnswerReader, FieldProblem, shown
from .findings import rule_problem, schema_problems
from .render import Registries
from .serialize import ENTRY_MODELINE, PROVIDER_MODELINE, dump
from .spec import ENTRY, PROVIDER, Form, FormField

PROPOSED = "proposed"


@dataclass
class Submission:
    """What a submitted form became: files to write, or the problems that stop it."""

    form: Form
    problems: list[FieldProblem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path relative to the repository -> YAML text
    entry: dict[str, Any] | None = None
    provider: dict[str, Any] | None = None  # a provider registered with this proposal
    replaces: str | None = None  # for a change: the path of the entry it changes

    @property
    def errors(self) -> list[FieldProblem]:
        return [problem for problem in self.problems if not problem.warning]

    @property
    def warnings(self) -> list[FieldProblem]:
        return [problem for problem in self.problems if problem.warning]


# --------------------------------------------------------------------------- building records


def _set(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = record
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _ordered(value: Any, node: dict[str, Any]) -> Any:
    """The record with its fields in the schema's order, as the files in the catalogue have them."""
    if isinstance(value, dict):
        properties = node.get("properties", {})
        order = {name: index for index, name in enumerate(properties)}
        return {
            key: _ordered(value[key], fields.resolve(properties.get(key)))
            for key in sorted(value, key=lambda key: order.get(key, len(order)))
        }
    if isinstance(value, list):
        items = fields.resolve(node.get("items")) if isinstance(node.get("items"), dict) else {}
        return [_ordered(item, items) for item in value]
    return value


def _put(record: dict[str, Any], item: FormField, value: Any) -> None:
    """Place a simple answer (one value, or a list of values) at the element's path."""
    for pattern in item.covers:
        if "*" in pattern:
            _set(record, pattern[: pattern.index("*")], value)
        else:
            _set(record, pattern, value)


@dataclass
class _Catalogue:
    """What the checks need to know about the catalogue a form is read against."""

    directory: Path
    registries: Registries
    provider_ids: set[str]
    entry_paths: dict[str, Path]  # entry id -> file

    @classmethod
    def read(cls, catalogue_dir: Path) -> _Catalogue:
        registries = Registries.read(catalogue_dir)
        sector_ids = {sector["id"] for sector in registries.sectors}
        entry_paths = {
            path.stem: path
            for path in sorted(catalogue_dir.glob("*/*.yaml"))
            if path.parent.name != PROVIDERS_DIR and path.parent.name in sector_ids
        }
        provider_ids = {path.stem for path in (catalogue_dir / PROVIDERS_DIR).glob("*.yaml")}
        return cls(catalogue_dir, registries, provider_ids, entry_paths)

    def council_of(self, sector: str) -> str | None:
        councils = [a["id"] for a in self.registries.authorities if a.get("sector") == sector]
        return councils[0] if councils else None

    def title_of(self, entry_id: str) -> str:
        try:
            data = load_file(self.entry_paths[entry_id]).data
            title = data.get("title", {})
            return str(title.get("lv") or title.get("en") or entry_id)
        except (LoadError, AttributeError):
            return entry_id

    def shown(self, path: Path) -> str:
        return f"catalogue/{path.relative_to(self.directory).as_posix()}"


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return close[0] if close else ""


def _problem_with_hint(reader: AnswerReader, item: str, key: str, value: str, known: Iterable[str]) -> None:
    close = _did_you_mean(value, known)
    lv = i18n_label("lv", "form.problems.did_you_mean", value=close) if close else ""
    en = i18n_label("en", "form.problems.did_you_mean", value=close) if close else ""
    reader.problems.append(
        FieldProblem(
            item,
            i18n_label("lv", f"form.problems.{key}", value=shown(value), hint=lv),
            i18n_label("en", f"form.problems.{key}", value=shown(value), hint=en),
        )
    )


def _id_problem(reader: AnswerReader, item: str, value: str) -> None:
    suggestion = suggest_id(value)[:80].strip("-")
    lv = i18n_label("lv", "form.problems.suggestion", value=suggestion) if suggestion and suggestion != value else ""
    en = i18n_label("en", "form.problems.suggestion", value=suggestion) if suggestion and suggestion != value else ""
    reader.problems.append(
        FieldProblem(
            item,
            i18n_label("lv", "form.problems.id_invalid", value=shown(value), suggestion=lv),
            i18n_label("en", "form.problems.id_invalid", value=shown(value), suggestion=en),
        )
    )


def _valid_id(value: str) -> bool:
    id_schema = fields.resolve({"$ref": "common.schema.json#/$defs/id"})
    return schemas.Validator(id_schema).is_valid(value)


def _made_id(text: str) -> str:
    """An id made from a title: the allowed form, at most 80 characters, cut at a hyphen."""
    made = suggest_id(text)
    if len(made) > 80:
        made = made[:81].rsplit("-", 1)[0]
    return made.strip("-")


def _answers_of(reader: AnswerReader, form: Form, record: str) -> dict[str, Any]:
    """Every simple answer of one record kind, read; list-shaped answers included."""
    values = {}
    for item in form.fields:
        if item.record == record:
            values[item.id] = reader.value(item)
    return values


def _entry_record(reader: AnswerReader, form: Form, values: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Put the entry's answers into a record (a copy of `base`, which is empty for a proposal)."""
    record = copy.deepcopy(base)
    special = {"provider", "other-awarding-bodies", "id", "outcomes-lv", "outcomes-en", "esco-skills", "level"}
    for item in form.fields:
        if item.record != ENTRY or item.id in special or item is spec.ENTRY_TO_CHANGE:
            continue
        value = values.get(item.id)
        if value is not None:
            _put(record, item, value)
    if values.get("level") is not None:
        record["level"] = {"lki": values["level"], "eqf": values["level"]}
    _outcomes(reader, values, record)
    return record


def _outcomes(reader: AnswerReader, values: dict[str, Any], record: dict[str, Any]) -> None:
    lv, en, esco = values.get("outcomes-lv"), values.get("outcomes-en"), values.get("esco-skills")
    existing = record.get("learning_outcomes") or []
    if lv is None and en is None and esco is None:
        return
    count = len(lv if lv is not None else en if en is not None else existing)
    texts = {
        "lv": lv if lv is not None else [item["text"].get("lv") for item in existing],
        "en": en if en is not None else [item["text"].get("en") for item in existing],
    }
    if lv is not None and en is not None and len(lv) != len(en):
        reader.problem("outcomes-en", "outcome_counts", lv=len(lv), en=len(en))
    elif (lv is None) != (en is None) and existing and len(existing) != count:
        # A change that gives one language only must keep the number of outcomes.
        given = "outcomes-lv" if lv is not None else "outcomes-en"
        reader.problem(given, "outcome_counts", lv=len(texts["lv"]), en=len(texts["en"]))
    outcomes = []
    for index in range(count):
        text = {
            language: texts[language][index]
            for language in ("lv", "en")
            if index < len(texts[language]) and texts[language][index]
        }
        outcome: dict[str, Any] = {"text": text}
        if esco is None and index < len(existing) and existing[index].get("esco_skills") and len(existing) == count:
            outcome["esco_skills"] = existing[index]["esco_skills"]
        outcomes.append(outcome)
    for number, skills in sorted((esco or {}).items()):
        if not 1 <= number <= count:
            reader.problem("esco-skills", "esco_outcome", line=number, number=number, count=count)
            continue
        outcomes[number - 1]["esco_skills"] = skills
    record["learning_outcomes"] = outcomes


def _provider_record(reader: AnswerReader, form: Form, values: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for item in form.fields:
        if item.record == PROVIDER and values.get(item.id) is not None:
            _put(record, item, values[item.id])
    if "country" in record and isinstance(record["country"], str):
        record["country"] = record["country"].upper()
    return record


def _check_files(
    form: Form, catalogue: _Catalogue, submission: Submission, entry_path: str, provider_path: str | None
) -> None:
    """Write the records as YAML, read them back with the catalogue's loader, check schema and rules."""
    documents = {}
    for record, data, relative, modeline in (
        (ENTRY, submission.entry, entry_path, ENTRY_MODELINE),
        (PROVIDER, submission.provider, provider_path, PROVIDER_MODELINE),
    ):
        if data is None or relative is None:
            continue
        text = dump(data, modeline)
        try:
            document = parse_text(text, Path(relative), relative)
        except LoadError as error:
            submission.problems.append(rule_problem(form, record, error.problem, data))
            continue
        if document.data != data:  # the serializer and the loader must agree on every value
            raise AssertionError(f"{relative}: the written YAML does not read back as the same record")
        submission.files[relative] = text
        documents[record] = document
        submission.problems.extend(schema_problems(form, record, data))
    if any(not problem.warning for problem in submission.problems):
        submission.files = {}
        return
    found: list[tuple[str, Problem]] = []
    if PROVIDER in documents:
        found += [(PROVIDER, problem) for problem in rules.check_provider(documents[PROVIDER])]
    entry = documents.get(ENTRY)
    if entry is not None:
        found += [(ENTRY, problem) for problem in rules.check_entry(entry, entry.data["sector"])]
        provider_ids = catalogue.provider_ids | ({submission.provider["id"]} if submission.provider else set())
        found += [
            (ENTRY, problem)
            for problem in rules.check_references(
                {entry.data["id"]: entry},
                provider_ids,
                {sector["id"] for sector in catalogue.registries.sectors},
                {authority["id"] for authority in catalogue.registries.authorities},
                entry_ids=set(catalogue.entry_paths) | {entry.data["id"]},
            )
        ]
    for record, problem in found:
        data = submission.entry if record == ENTRY else submission.provider
        submission.problems.append(rule_problem(form, record, problem, data or {}))
    if submission.errors:
        submission.files = {}


# --------------------------------------------------------------------------- the whole form


def detect(body: str) -> Form:
    """The form a body was written with: the one whose headings it has most of."""
    forms = [make() for make in spec.FORMS]
    return max(forms, key=lambda form: (body_module.matches(body, form), form.name == "proposal"))


def read(body: str, catalogue_dir: Path, form: Form | None = None) -> Submission:
    """Turn a submitted form's Markdown into catalogue files, or into problems per form field."""
    form = form or detect(body)
    submission = Submission(form)
    answers = body_module.split(body, form)
    reader = AnswerReader(form, answers, Registries.read(catalogue_dir))
    if answers.too_long:
        reader.problem(None, "too_long", count=answers.length, limit=body_module.MAX_BODY_CHARACTERS)
        submission.problems = reader.problems
        return submission
    for field_id in answers.missing:
        item = form.field(field_id)
        if spec.is_required(item):
            reader.problem(item, "missing_heading")
    for field_id, count in answers.repeated.items():
        reader.problem(field_id, "duplicate_heading", count=count)
    catalogue = _Catalogue.read(catalogue_dir)
    reader.value(spec.CONFIRMATION)
    if form.name == "proposal":
        _read_proposal(reader, form, catalogue, submission)
    else:
        _read_change(reader, form, catalogue, submission)
    submission.problems = reader.problems + submission.problems
    if submission.errors:
        submission.files = {}
    return submission


def _read_proposal(reader: AnswerReader, form: Form, catalogue: _Catalogue, submission: Submission) -> None:
    values = _answers_of(reader, form, ENTRY)
    provider_values = _answers_of(reader, form, PROVIDER)
    provider = _lead_provider(reader, form, catalogue, values.get("provider"), provider_values, submission)
    entry = _entry_record(reader, form, values, {})
    entry_id = _entry_id(reader, catalogue, values.get("id"), values.get("title-en"))
    entry = {"id": entry_id or "", "version": 1, "status": PROPOSED, **entry}
    bodies = ([provider] if provider else []) + list(values.get("other-awarding-bodies") or [])
    if bodies:
        entry["awarding_bodies"] = bodies
    sector = values.get("sector")
    if sector:
        council = catalogue.council_of(sector)
        if council and "authorised_by" not in entry.get("quality_assurance", {}):
            entry.setdefault("quality_assurance", {})["authorised_by"] = council
    entry = _ordered(entry, fields.root(schemas.MICRO_QUALIFICATION))
    submission.entry = entry
    if any(not problem.warning for problem in reader.problems) or not entry_id or not sector:
        # Still run the schema, so that every problem is reported at once.
        submission.problems.extend(schema_problems(form, ENTRY, entry))
        if submission.provider:
            submission.problems.extend(schema_problems(form, PROVIDER, submission.provider))
        submission.problems.extend(_rules_despite_errors(reader, form, catalogue, submission))
        # Without a usable identifier, what the schema says about the empty one is noise.
        # Without a sector there is no default authorising body either.
        _drop_covered(
            reader, submission, also=({"id"} if not entry_id else set()) | ({"authorised-by"} if not sector else set())
        )
        return
    provider_path = f"catalogue/{PROVIDERS_DIR}/{submission.provider['id']}.yaml" if submission.provider else None
    _check_files(form, catalogue, submission, f"catalogue/{sector}/{entry_id}.yaml", provider_path)


def _rules_despite_errors(
    reader: AnswerReader, form: Form, catalogue: _Catalogue, submission: Submission
) -> list[FieldProblem]:
    """The catalogue's rules on an entry that has problems, skipping every field that has one.

    As `mqcat validate` does for a file with schema errors: a rule whose input is
    broken stays silent, the others speak, so the submitter sees every problem at once.
    An answer that could not be read is missing from the record: its fields count as broken.
    """
    entry = submission.entry or {}
    sector = entry.get("sector") if isinstance(entry.get("sector"), str) else ""
    relative = f"catalogue/{sector or 'sector'}/{entry.get('id') or 'entry'}.yaml"
    try:
        document = parse_text(dump(entry, ENTRY_MODELINE), Path(relative), relative)
    except LoadError:
        return []  # a character the loader refuses: reported with its field once the others are fixed
    errors = schemas.check(document, schemas.MICRO_QUALIFICATION)
    broken = {problem.field for problem in errors if problem.severity is Severity.ERROR}
    failed = {problem.field for problem in reader.problems if not problem.warning} | set(reader.answers.missing)
    for item in form.fields:
        if item.record == ENTRY and item.id in failed:
            broken |= {".".join(cover[: cover.index("*")] if "*" in cover else cover) for cover in item.covers}
    frozen = frozenset(broken)
    found = rules.check_entry(document, str(sector), frozen)
    if rules.usable(frozen, "id"):
        provider_ids = catalogue.provider_ids | ({submission.provider["id"]} if submission.provider else set())
        found += rules.check_references(
            {entry["id"]: document},
            provider_ids,
            {record["id"] for record in catalogue.registries.sectors},
            {record["id"] for record in catalogue.registries.authorities},
            entry_ids=set(catalogue.entry_paths) | {entry["id"]},
            broken={entry["id"]: frozen},
        )
    return [rule_problem(form, ENTRY, problem, entry) for problem in found]


def _drop_covered(reader: AnswerReader, submission: Submission, also: set[str] | None = None) -> None:
    """Leave out schema findings about answers that reading already reported: one message per mistake."""
    reported = {problem.field for problem in reader.problems if not problem.warning} | (also or set())
    reported |= set(reader.answers.missing)
    submission.problems = [
        problem for problem in submission.problems if problem.field is None or problem.field not in reported
    ]


def _lead_provider(
    reader: AnswerReader,
    form: Form,
    catalogue: _Catalogue,
    given: str | None,
    provider_values: dict[str, Any],
    submission: Submission,
) -> str | None:
    """The lead awarding body's id; a new provider record when the form registers one."""
    registering = any(value is not None for value in provider_values.values())
    if given and given in catalogue.provider_ids:
        if registering:
            reader.problem("provider", "provider_registered", value=given)
        return given
    if given and not registering:
        _problem_with_hint(reader, "provider", "unknown_provider", given, catalogue.provider_ids)
        return None
    if not registering:
        reader.problem("provider", "provider_needed")
        return None
    if given and not _valid_id(given):
        _id_problem(reader, "provider", given)
        return None
    name = provider_values.get("provider-name-en") or provider_values.get("provider-name-lv") or ""
    provider_id = given or _made_id(str(name or provider_values.get("provider-legal-name") or ""))
    if not provider_id:
        reader.problem("provider-name-lv", "required")
        return None
    if provider_id in catalogue.provider_ids:
        path = f"catalogue/{PROVIDERS_DIR}/{provider_id}.yaml"
        reader.problem("provider", "provider_id_taken", value=provider_id, path=path)
        return None
    record = _provider_record(reader, form, provider_values)
    submission.provider = _ordered({"id": provider_id, **record}, fields.root(schemas.PROVIDER))
    return provider_id


def _entry_id(reader: AnswerReader, catalogue: _Catalogue, given: str | None, title_en: str | None) -> str | None:
    if given:
        if not _valid_id(given):
            _id_problem(reader, "id", given)
            return None
        entry_id = given
    else:
        entry_id = _made_id(title_en or "")
        if not entry_id:
            if title_en:
                reader.problem("id", "id_missing")
            return None
    existing = catalogue.entry_paths.get(entry_id)
    if existing is not None:
        reader.problem(
            "id", "id_taken", value=entry_id, title=catalogue.title_of(entry_id), path=catalogue.shown(existing)
        )
        return None
    return entry_id


def _read_change(reader: AnswerReader, form: Form, catalogue: _Catalogue, submission: Submission) -> None:
    entry_id = reader.value(spec.ENTRY_TO_CHANGE)
    reader.value(spec.CHANGE_REASON)
    values = _answers_of(reader, form, ENTRY)
    if not entry_id:
        return
    path = catalogue.entry_paths.get(entry_id)
    if path is None:
        close = _did_you_mean(entry_id, catalogue.entry_paths)
        hints = {
            language: i18n_label(language, "form.problems.did_you_mean", value=close) if close else ""
            for language in ("lv", "en")
        }
        reader.problems.append(
            FieldProblem(
                spec.ENTRY_TO_CHANGE.id,
                i18n_label("lv", "form.problems.unknown_entry", value=shown(entry_id), hint=hints["lv"]),
                i18n_label("en", "form.problems.unknown_entry", value=shown(entry_id), hint=hints["en"]),
            )
        )
        return
    changes = {key: value for key, value in values.items() if value is not None and key != spec.ENTRY_TO_CHANGE.id}
    if not changes:
        if not any(problem.field in values for problem in reader.problems):
            reader.problem(None, "nothing_changes")
        return
    try:
        original = load_file(path, catalogue.shown(path)).data
    except LoadError as error:
        submission.problems.append(rule_problem(form, ENTRY, error.problem, {}))
        return
    entry = _entry_record(reader, form, values, original)
    others = values.get("other-awarding-bodies")
    if others is not None:
        entry["awarding_bodies"] = entry["awarding_bodies"][:1] + list(others)
    if any(entry.get(name) != original.get(name) for name in SUBSTANTIVE_FIELDS):
        # A substantive change is a new version: proposed until the council decides on it.
        entry["version"] = int(original.get("version", 1)) + 1
        entry["status"] = PROPOSED
        for name in ("decision", "decision_date", "review_due"):
            entry.get("quality_assurance", {}).pop(name, None)
    # The entry's own order of fields, so that the file's diff shows only what changed.
    submission.entry = entry
    submission.replaces = catalogue.shown(path)
    if any(not problem.warning for problem in reader.problems):
        submission.problems.extend(schema_problems(form, ENTRY, submission.entry))
        submission.problems.extend(_rules_despite_errors(reader, form, catalogue, submission))
        _drop_covered(reader, submission)
        return
    _check_files(form, catalogue, submission, catalogue.shown(path), None)


def write(submission: Submission, root: Path) -> list[Path]:
    """Write a valid submission's files under the repository root, then validate them with the whole catalogue.

    A new file never overwrites one. If the catalogue's validation still finds an
    error in the written files, they are taken back (a changed entry gets its old
    text again), the problems join the submission's, and nothing is returned.
    """
    if submission.errors or not submission.files:
        raise ValueError("only a submission without errors can be written")
    written: list[Path] = []
    previous: dict[Path, str] = {}
    for relative, text in submission.files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative == submission.replaces:
            previous[target] = target.read_text(encoding="utf-8")
        mode = "w" if relative == submission.replaces else "x"
        with target.open(mode, encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(target)
    result = validate(root / "catalogue", only=set(written), root=root)
    if not result.errors:
        return written
    for target in written:
        if target in previous:
            target.write_text(previous[target], encoding="utf-8")
        else:
            target.unlink()
    for problem in result.errors:
        record = PROVIDER if problem.file.startswith(f"catalogue/{PROVIDERS_DIR}/") else ENTRY
        data = submission.provider if record == PROVIDER else submission.entry
        submission.problems.append(rule_problem(submission.form, record, problem, data or {}))
    submission.files = {}
    return []
