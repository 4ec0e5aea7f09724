"""Two revisions of the catalogue compared entry by entry, in the catalogue's own words.

The comparison works on the loaded data, not on YAML text: which fields changed
(with the schema's titles), which learning outcomes were added or removed, and
what kind of change each entry went through. Each changed published entry is also
checked against the review rules (a substantive change needs a new version; some
changes need a closer look).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from .. import schemas
from ..catalogue import SECTORS_FILE
from ..model import SUBSTANTIVE_FIELDS
from ..problems import Problem, Severity
from . import fields
from .revisions import CATALOGUE_DIR, Record, Snapshot

# The schema's `version` description: raise it whenever a published entry changes
# in substance (outcomes, level, workload, assessment, participation, quality assurance).
# Changes a reviewer must look at closely, even with the version raised.
ATTENTION_FIELDS = ("level", "workload", "assessment", "participation_form")

# Kinds of entry change, in the order the report shows them.
ADDED, CHANGED, SUSPENDED, WITHDRAWN, REACTIVATED, ID_CHANGED, DELETED, UNREADABLE = (
    "added",
    "changed",
    "suspended",
    "withdrawn",
    "reactivated",
    "id-changed",
    "deleted",
    "unreadable",
)
ENTRY_KINDS = (ADDED, CHANGED, SUSPENDED, WITHDRAWN, REACTIVATED, ID_CHANGED, DELETED, UNREADABLE)

RENAME_SIMILARITY = 0.9


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# --- comparing -------------------------------------------------------------------------


@dataclass
class FieldChange:
    """One field whose value differs; MISSING where the field is absent on one side."""

    path: tuple[str | int, ...]
    label: str
    old: Any = MISSING
    new: Any = MISSING


@dataclass
class OutcomeChanges:
    """Learning outcomes compared by their text."""

    # The texts ({lv, en}) of the outcomes, as written: anything in a file that is not valid.
    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    skills: list[FieldChange] = field(default_factory=list)  # ESCO skills of an outcome whose text stayed
    reordered: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.skills or self.reordered)


@dataclass
class EntryChange:
    """What happened to one micro-qualification between the two revisions."""

    id: str
    kind: str
    base: Record | None = None
    head: Record | None = None
    fields: list[FieldChange] = field(default_factory=list)
    outcomes: OutcomeChanges = field(default_factory=OutcomeChanges)
    findings: list[Problem] = field(default_factory=list)
    old_id: str | None = None
    note: str = ""

    @property
    def record(self) -> Record:
        return self.head or self.base  # type: ignore[return-value]

    @property
    def sectors(self) -> list[str]:
        """Sector folders on either side: a move touches both councils."""
        folders = [r.folder for r in (self.base, self.head) if r is not None]
        return list(dict.fromkeys(folders))


@dataclass
class RecordChange:
    """A provider, sector, authority or the maintainers list: added, changed or deleted."""

    kind: str  # provider, sector, authority, maintainers
    id: str
    change: str  # added, changed, deleted
    path: str
    fields: list[FieldChange] = field(default_factory=list)


def flatten(value: Any, path: tuple[str | int, ...] = ()) -> dict[tuple[str | int, ...], Any]:
    """Leaf values by path; lists of plain values are one leaf (`languages: [lv, ru]`)."""
    if isinstance(value, dict):
        if not value:
            return {path: {}}
        out: dict[tuple[str | int, ...], Any] = {}
        for key, item in value.items():
            out.update(flatten(item, path + (str(key),)))
        return out
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, path + (index,)))
        return out
    return {path: value}


def compare_fields(
    schema_name: str,
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    skip: tuple[str, ...] = (),
    start: int = 0,
    prefix: tuple[str | int, ...] = (),
) -> list[FieldChange]:
    """Changed leaves of two records, labelled with the schema's titles, in the new record's order."""
    before = {path: value for path, value in flatten(old).items() if not (path and path[0] in skip)}
    after = {path: value for path, value in flatten(new).items() if not (path and path[0] in skip)}
    order = list(after) + [path for path in before if path not in after]
    changes: list[FieldChange] = []
    for path in order:
        old_value, new_value = before.get(path, MISSING), after.get(path, MISSING)
        if old_value != new_value or type(old_value) is not type(new_value):
            if (
                isinstance(old_value, (int, float))
                and isinstance(new_value, (int, float))
                and old_value == new_value
                and not isinstance(old_value, bool)
                and not isinstance(new_value, bool)
            ):
                continue  # 40 and 40.0 are the same workload
            full = prefix + path
            changes.append(FieldChange(path, fields.label(schema_name, full, start=start), old_value, new_value))
    return changes


def _outcome_key(outcome: Any) -> str:
    text = outcome.get("text") if isinstance(outcome, dict) else None
    return json.dumps(text, sort_keys=True, ensure_ascii=False)


def compare_outcomes(old: Any, new: Any) -> OutcomeChanges:
    """Learning outcomes added and removed, by their text (lv and en)."""
    before = [o for o in old if isinstance(o, dict)] if isinstance(old, list) else []
    after = [o for o in new if isinstance(o, dict)] if isinstance(new, list) else []
    old_keys = {_outcome_key(o): o for o in before}
    new_keys = {_outcome_key(o): o for o in after}
    changes = OutcomeChanges(
        added=[o.get("text") for key, o in new_keys.items() if key not in old_keys],
        removed=[o.get("text") for key, o in old_keys.items() if key not in new_keys],
    )
    kept_old = [key for key in old_keys if key in new_keys]
    kept_new = [key for key in new_keys if key in old_keys]
    changes.reordered = kept_old != kept_new
    for key in kept_new:
        old_skills = old_keys[key].get("esco_skills", [])
        new_skills = new_keys[key].get("esco_skills", [])
        if old_skills != new_skills:
            path = ("learning_outcomes", after.index(new_keys[key]), "esco_skills")
            changes.skills.append(
                FieldChange(path, fields.label(schemas.MICRO_QUALIFICATION, path), old_skills, new_skills)
            )
    return changes


def _status_kind(old: Any, new: Any) -> str:
    if old == new:
        return CHANGED
    return {"suspended": SUSPENDED, "withdrawn": WITHDRAWN, "active": REACTIVATED}.get(new, CHANGED)


def _finding(
    record: Record, path: tuple[str | int, ...], message: str, hint: str = "", severity: Severity = Severity.ERROR
) -> Problem:
    line, column = record.position(path)
    return Problem(record.path, line, column, ".".join(str(p) for p in path), message, severity, hint)


def _similar(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Same programme under another id: equal apart from id/sector/version, or nearly so."""

    def strip(data: dict[str, Any]) -> str:
        return json.dumps(
            {k: v for k, v in data.items() if k not in ("id", "sector", "version")},
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )

    a, b = strip(old), strip(new)
    if a == b:
        return True
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= RENAME_SIMILARITY
        and matcher.quick_ratio() >= RENAME_SIMILARITY
        and matcher.ratio() >= RENAME_SIMILARITY
    )


def _compare_entry(entry_id: str, base: Record, head: Record) -> EntryChange | None:
    old, new = base.data, head.data
    if old == new and base.path == head.path:
        return None
    change = EntryChange(entry_id, _status_kind(old.get("status"), new.get("status")), base, head)
    change.fields = compare_fields(schemas.MICRO_QUALIFICATION, old, new, skip=("learning_outcomes",))
    change.outcomes = compare_outcomes(old.get("learning_outcomes"), new.get("learning_outcomes"))
    if not change.fields and not change.outcomes and base.path == head.path:
        return None
    _check_entry_change(change)
    return change


def _check_entry_change(change: EntryChange) -> None:
    """The errors and flags of a published entry that changed."""
    base, head = change.base, change.head
    assert base is not None and head is not None
    old, new = base.data, head.data
    found = change.findings
    changed_top = {f.path[0] for f in change.fields if f.path} | ({"learning_outcomes"} if change.outcomes else set())
    substantive = [name for name in SUBSTANTIVE_FIELDS if name in changed_top]
    old_version, new_version = old.get("version"), new.get("version")
    if isinstance(old_version, int) and isinstance(new_version, int):
        if new_version < old_version:
            found.append(
                _finding(
                    head,
                    ("version",),
                    f"version lowered from {old_version} to {new_version}",
                    f"versions only go up: set `version: {old_version + 1}` if the entry changed in substance",
                )
            )
        elif substantive and new_version == old_version:
            names = ", ".join(fields.title(schemas.MICRO_QUALIFICATION, (name,)) for name in substantive)
            found.append(
                _finding(
                    head,
                    ("version",),
                    f"published entry '{change.id}' changed in substance ({names}) without raising its version",
                    f"set `version: {old_version + 1}` so that certificates can tell the versions apart",
                )
            )
        elif new_version > old_version + 1:
            found.append(
                _finding(
                    head,
                    ("version",),
                    f"version jumps from {old_version} to {new_version}",
                    f"raise it by one: `version: {old_version + 1}`",
                    Severity.WARNING,
                )
            )
    for name in ATTENTION_FIELDS:
        if name in changed_top:
            title = fields.title(schemas.MICRO_QUALIFICATION, (name,))
            found.append(
                _finding(
                    head,
                    (name,),
                    f"{title} changed in '{change.id}'",
                    "check that the outcomes and the certificate still match",
                    Severity.WARNING,
                )
            )
    if change.outcomes.removed:
        count = len(change.outcomes.removed)
        found.append(
            _finding(
                head,
                ("learning_outcomes",),
                f"{count} learning outcome(s) removed from '{change.id}'",
                "holders of earlier certificates were assessed on them: check the version was raised",
                Severity.WARNING,
            )
        )
    if old.get("awarding_bodies") != new.get("awarding_bodies"):
        found.append(
            _finding(
                head,
                ("awarding_bodies",),
                f"awarding bodies of '{change.id}' changed",
                "the providers named on the certificate change: check the new providers agree",
                Severity.WARNING,
            )
        )
    if base.folder != head.folder or old.get("sector") != new.get("sector"):
        found.append(
            _finding(
                head,
                ("sector",),
                f"'{change.id}' moves from sector '{base.folder}' to '{head.folder}'",
                "both sector councils review the move; the entry's web address changes",
                Severity.WARNING,
            )
        )
    if change.kind == REACTIVATED:
        found.append(
            _finding(
                head,
                ("status",),
                f"'{change.id}' is made active again",
                "check that the programme is still current and its review is not overdue",
                Severity.WARNING,
            )
        )


def compare_entries(base: Snapshot, head: Snapshot, renames: dict[str, str]) -> list[EntryChange]:
    """Every entry added, changed, suspended, withdrawn, reactivated, renamed or deleted."""
    old_entries, new_entries = base.of_kind("entry"), head.of_kind("entry")
    changes: list[EntryChange] = []
    deleted = [key for key in old_entries if key not in new_entries]
    added = [key for key in new_entries if key not in old_entries]

    # An id change: git saw the file renamed, or the same programme reappears under a new name.
    pairs: dict[str, str] = {}
    for old_path, new_path in renames.items():
        old_key, new_key = PurePosixPath(old_path).stem, PurePosixPath(new_path).stem
        if old_key in deleted and new_key in added and old_key not in pairs:
            pairs[old_key] = new_key
    for old_key in deleted:
        if old_key in pairs or old_entries[old_key].error is not None:
            continue
        for new_key in added:
            if (
                new_key not in pairs.values()
                and new_entries[new_key].error is None
                and _similar(old_entries[old_key].data, new_entries[new_key].data)
            ):
                pairs[old_key] = new_key
                break

    for key, record in new_entries.items():
        if key in old_entries:
            old_record = old_entries[key]
            if old_record.digest == record.digest and old_record.path == record.path:
                continue
            if record.error is not None:
                changes.append(EntryChange(key, UNREADABLE, old_record, record))
            elif old_record.error is not None:
                changes.append(
                    EntryChange(
                        key,
                        CHANGED,
                        old_record,
                        record,
                        note="the base revision of this file could not be read, so its fields are not compared",
                    )
                )
            else:
                change = _compare_entry(key, old_record, record)
                if change is not None:
                    changes.append(change)
        elif key in pairs.values():
            old_key = next(old for old, new in pairs.items() if new == key)
            changes.append(_id_changed(old_key, old_entries[old_key], key, record))
        elif record.error is not None:
            changes.append(EntryChange(key, UNREADABLE, None, record))
        else:
            changes.append(_added(key, record))
    for key in deleted:
        if key not in pairs:
            record = old_entries[key]
            changes.append(
                EntryChange(
                    key,
                    DELETED,
                    record,
                    None,
                    findings=[
                        Problem(
                            record.path,
                            1,
                            1,
                            "",
                            f"entry '{key}' is deleted instead of withdrawn",
                            hint="restore the file and set `status: withdrawn` with a status_reason "
                            "(and replaced_by if a successor exists): certificates already issued point to its page",
                        )
                    ],
                )
            )
    order = {kind: index for index, kind in enumerate(ENTRY_KINDS)}
    return sorted(changes, key=lambda c: (order[c.kind], c.record.folder, c.id))


def _added(key: str, record: Record) -> EntryChange:
    change = EntryChange(key, ADDED, None, record)
    version = record.data.get("version")
    if isinstance(version, int) and version != 1:
        change.findings.append(
            _finding(
                record,
                ("version",),
                f"new entry '{key}' starts at version {version}",
                "a new entry starts at `version: 1`",
                Severity.WARNING,
            )
        )
    return change


def _id_changed(old_key: str, base: Record, new_key: str, head: Record) -> EntryChange:
    change = EntryChange(new_key, ID_CHANGED, base, head, old_id=old_key)
    change.fields = compare_fields(schemas.MICRO_QUALIFICATION, base.data, head.data, skip=("learning_outcomes",))
    change.outcomes = compare_outcomes(base.data.get("learning_outcomes"), head.data.get("learning_outcomes"))
    change.findings.append(
        _finding(
            head,
            ("id",),
            f"the id of '{old_key}' changed to '{new_key}' ({base.path} -> {head.path})",
            f"ids never change: restore {base.path} with `status: withdrawn`, a status_reason and "
            f"`replaced_by: {new_key}`, and add '{new_key}' as a new entry at version 1",
        )
    )
    return change


def compare_registries(base: Snapshot, head: Snapshot) -> list[RecordChange]:
    """Providers, sectors, authorities and maintainers added, changed or deleted."""
    changes: list[RecordChange] = []
    old_providers, new_providers = base.of_kind("provider"), head.of_kind("provider")
    for key in list(new_providers) + [k for k in old_providers if k not in new_providers]:
        old, new = old_providers.get(key), new_providers.get(key)
        path = (new or old).path  # type: ignore[union-attr]
        if old is None:
            changes.append(RecordChange("provider", key, "added", path))
        elif new is None:
            changes.append(RecordChange("provider", key, "deleted", path))
        else:
            found = compare_fields(schemas.PROVIDER, old.data, new.data)
            if found or (old.digest != new.digest and (old.error or new.error)):
                changes.append(RecordChange("provider", key, "changed", path, found))
    for kind, registry, schema_name, items in (
        ("sector", "sectors", schemas.SECTORS, "sectors"),
        ("authority", "authorities", schemas.AUTHORITIES, "authorities"),
    ):
        old_record, new_record = base.registry(registry), head.registry(registry)
        either = new_record or old_record
        path = either.path if either else f"{CATALOGUE_DIR}/{registry}.yaml"
        old_items = _by_id(old_record.data.get(items) if old_record else None)
        new_items = _by_id(new_record.data.get(items) if new_record else None)
        for key in list(new_items) + [k for k in old_items if k not in new_items]:
            if key not in old_items:
                changes.append(RecordChange(kind, key, "added", path))
            elif key not in new_items:
                changes.append(RecordChange(kind, key, "deleted", path))
            else:
                found = compare_fields(schema_name, old_items[key], new_items[key], start=2, prefix=(items, 0))
                if found:
                    changes.append(RecordChange(kind, key, "changed", path, found))
    old_maintainers, new_maintainers = base.maintainers(), head.maintainers()
    if old_maintainers != new_maintainers:
        label = fields.title(schemas.SECTORS, ("maintainers",))
        changes.append(
            RecordChange(
                "maintainers",
                "maintainers",
                "changed",
                f"{CATALOGUE_DIR}/{SECTORS_FILE}",
                [FieldChange(("maintainers",), label, old_maintainers, new_maintainers)],
            )
        )
    return changes


def _signing_keys(data: Any) -> dict[str, dict[str, Any]]:
    items = data.get("signing_keys") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return {}
    return {str(i["kid"]): i for i in items if isinstance(i, dict) and "kid" in i}


def _revoked_indexes(data: Any) -> set[Any]:
    items = data.get("revoked") if isinstance(data, dict) else None
    return {i.get("index") for i in items if isinstance(i, dict)} if isinstance(items, list) else set()


def credential_findings(base: Snapshot, head: Snapshot) -> list[Problem]:
    """Changes that decide which signed certificates every verifier accepts: issuers' keys and revocations."""
    findings: list[Problem] = []

    def warn(path: str, message: str, hint: str) -> None:
        findings.append(Problem(path, 1, 1, "", message, Severity.WARNING, hint))

    old_providers, new_providers = base.of_kind("provider"), head.of_kind("provider")
    for key, new in new_providers.items():
        old = old_providers.get(key)
        old_keys, new_keys = _signing_keys(old.data if old else None), _signing_keys(new.data)
        added = [kid for kid in new_keys if kid not in old_keys]
        deleted = [kid for kid in old_keys if kid not in new_keys]
        revoked = [
            kid for kid in new_keys if kid in old_keys and new_keys[kid].get("revoked") != old_keys[kid].get("revoked")
        ]
        changed = [kid for kid in new_keys if kid in old_keys and kid not in revoked and new_keys[kid] != old_keys[kid]]
        if added:
            warn(
                new.path,
                f"provider '{key}' registers signing key(s) {', '.join(added)}",
                "before merging, confirm with the provider through a channel you already trust (its registered "
                "e-mail or phone) that it asked for this key, and compare the kid",
            )
        if deleted:
            warn(
                new.path,
                f"signing key(s) {', '.join(deleted)} of '{key}' are deleted",
                "a key is never deleted: give it `revoked: <date>` so that verifiers can say why its credentials fail",
            )
        if revoked:
            warn(
                new.path,
                f"signing key(s) {', '.join(revoked)} of '{key}' are revoked or un-revoked",
                "every credential signed with a revoked key fails verification; confirm with the provider",
            )
        if changed:
            warn(new.path, f"signing key(s) {', '.join(changed)} of '{key}' change", "check the validity dates")
    old_lists, new_lists = base.of_kind("status-list"), head.of_kind("status-list")
    for key, new in new_lists.items():
        old = old_lists.get(key)
        before, after = _revoked_indexes(old.data if old else None), _revoked_indexes(new.data)
        if after - before:
            warn(new.path, f"'{key}' revokes {len(after - before)} credential(s)", "confirm with the provider")
        if before - after:
            warn(
                new.path,
                f"'{key}' un-revokes credential(s) {', '.join(map(str, sorted(before - after, key=str)))}",
                "revocation is final: the provider issues a new credential instead",
            )
    return findings


def _stacks_into(record: Record | None) -> set[str]:
    stack = record.data.get("stackability") if record is not None else None
    targets = stack.get("stacks_into") if isinstance(stack, dict) else None
    return {t for t in targets if isinstance(t, str)} if isinstance(targets, list) else set()


def cross_sector_stacking(
    changes: list[EntryChange], base: Snapshot, head: Snapshot
) -> tuple[dict[str, str], list[Problem]]:
    """Sectors whose entries gain or lose a part from another sector's entry, and a point to check for each.

    `stacks_into` puts the entry on the target's page (as one of its parts), so a link
    added or removed across sectors changes a page of the other sector: its council
    approves too, although none of its files changed (code owners do not ask it).
    """
    old_entries, new_entries = base.of_kind("entry"), head.of_kind("entry")
    sectors: dict[str, str] = {}
    findings: list[Problem] = []
    for change in changes:
        own = set(change.sectors)
        added = _stacks_into(change.head) - _stacks_into(change.base)
        removed = _stacks_into(change.base) - _stacks_into(change.head)
        for target, verb in [(t, "now stacks into") for t in sorted(added)] + [
            (t, "no longer stacks into") for t in sorted(removed)
        ]:
            target_record = new_entries.get(target) or old_entries.get(target)
            if target_record is None or target_record.folder in own:
                continue
            sector = target_record.folder
            sectors.setdefault(sector, f"'{change.id}' {verb} '{target}'")
            record = change.head or change.base
            assert record is not None
            findings.append(
                _finding(
                    record,
                    ("stackability", "stacks_into"),
                    f"'{change.id}' ({', '.join(change.sectors)}) {verb} '{target}' of sector '{sector}'",
                    f"that changes the page of '{target}': the council of '{sector}' approves too "
                    "(request its reviewers; code owners do not ask them)",
                    Severity.WARNING,
                )
            )
    return sectors, findings


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    return (
        {i["id"]: i for i in items or () if isinstance(i, dict) and isinstance(i.get("id"), str)}
        if isinstance(items, list)
        else {}
    )
