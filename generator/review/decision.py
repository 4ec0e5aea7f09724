"""The council records its decision: `mqcat approve`, `mqcat suspend`, `mqcat withdraw`.

A provider proposes (`status: proposed`, no decision fields); the sector's expert
council decides. These commands write exactly the fields of that decision and the
state, nothing else, and commit the change on its own, so that the review report
can tell the council's record from what the provider typed:

    approve   status: active, quality_assurance.decision, decision_date, review_due
              (a suspended entry's status_reason goes: it is offered again)
    suspend   status: suspended, status_reason
    withdraw  status: withdrawn, status_reason, replaced_by

The file is edited as text at the positions the YAML parser reports, so every
other byte (comments, quoting, order) stays as the provider wrote it; the result
is read back and must equal the old data with exactly those fields changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import layout
from ..catalogue import validate
from ..git import GitError, git
from ..loader import LoadError, compose, parse_text
from ..model import APPROVAL_FIELDS, PROPOSED
from ..rules import placeholder_reason

# The commit message trailer that marks a commit made by one of these commands.
TRAILER = "Council-Action"
DEFAULT_REVIEW_YEARS = 3

FieldPath = tuple[str, ...]
_ABSENT: Any = object()


class DecisionRefused(Exception):
    """The decision cannot be recorded: what is wrong, and how to fix it."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}\nFix: {fix}")
        self.problem = problem
        self.fix = fix


# --- editing YAML text in place ------------------------------------------------------------------


def _scalar(value: Any) -> str:
    """A value as YAML text: dates plain (as the catalogue writes them), text in double quotes."""
    if isinstance(value, str) and (_is_date(value) or (_WORD.fullmatch(value) and value not in _NOT_TEXT)):
        return value
    return json.dumps(value, ensure_ascii=False)


# Identifiers and states (`active`, `forklift-basics`) are written plain, as the catalogue writes them.
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_NOT_TEXT = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def _is_date(value: str) -> bool:
    try:
        return len(value) == 10 and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _block(name: str, value: Any, indent: int) -> str:
    """`name: value` as lines at `indent`; a mapping of scalars becomes a nested block."""
    pad = " " * indent
    if isinstance(value, dict):
        inner = "".join(f"{pad}  {key}: {_scalar(item)}\n" for key, item in value.items())
        return f"{pad}{name}:\n{inner}"
    return f"{pad}{name}: {_scalar(value)}\n"


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, node: Any) -> int:
    """The index just after the line on which `node`'s content ends."""
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline + 1


def _mapping(root: Any, path: FieldPath) -> Any:
    node = root
    for part in path:
        found = next((value for key, value in node.value if key.value == part), None)
        if not isinstance(found, yaml.MappingNode):
            raise DecisionRefused(
                f"'{'.'.join(path)}' is not a group of fields in this file", "fix the file first (`mqcat validate`)"
            )
        node = found
    return node


def _edit(text: str, path: FieldPath, value: Any, *, after: str | None = None) -> str:
    """`text` with the field at `path` set to `value` (or removed when `value` is _ABSENT)."""
    root = compose(text)
    parent = _mapping(root, path[:-1])
    name = path[-1]
    pair = next(((key, item) for key, item in parent.value if key.value == name), None)
    if pair is not None:
        key, item = pair
        scalar = isinstance(item, yaml.ScalarNode) and item.style not in ("|", ">")
        if value is not _ABSENT and scalar and not isinstance(value, dict):
            return text[: item.start_mark.index] + _scalar(value) + text[item.end_mark.index :]
        start, end = _line_start(text, key.start_mark.index), _line_end(text, item)
        replacement = "" if value is _ABSENT else _block(name, value, key.start_mark.column)
        return text[:start] + replacement + text[end:]
    if value is _ABSENT:
        return text
    keys = [key for key, _ in parent.value]
    indent = keys[0].start_mark.column if keys else 0
    by_name = {key.value: (key, item) for key, item in parent.value}
    anchor = by_name.get(after or "") or (by_name.get("status") if after else None) or parent.value[-1]
    position = _line_end(text, anchor[1])
    return text[:position] + _block(name, value, indent) + text[position:]


# Where a new top-level approval field goes: beside the status, as the schema orders them.
_AFTER: dict[FieldPath, str] = {("status_reason",): "status", ("replaced_by",): "status_reason"}


def apply(text: str, changes: dict[FieldPath, Any]) -> str:
    """`text` with exactly `changes` applied (a value, or _ABSENT to remove); refuses if anything else moved."""
    original = parse_text(text, Path("entry.yaml"), "entry.yaml").data
    edited = text
    for path, value in changes.items():
        edited = _edit(edited, path, value, after=_AFTER.get(path))
    expected = json.loads(json.dumps(original))
    for path, value in changes.items():
        holder = expected
        for part in path[:-1]:
            holder = holder[part]
        if value is _ABSENT:
            holder.pop(path[-1], None)
        else:
            holder[path[-1]] = value
    try:
        result = parse_text(edited, Path("entry.yaml"), "entry.yaml").data
    except LoadError as error:  # pragma: no cover - a bug in the editing above, never the user's
        raise DecisionRefused(f"the edited file does not read back: {error.problem.message}", "report this") from None
    if result != expected:  # pragma: no cover - as above
        raise DecisionRefused("the edited file does not hold exactly the decision", "report this")
    return edited


# --- the decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """One council decision about one entry."""

    action: str  # approve, suspend, withdraw
    entry_id: str
    reference: str
    date: dt.date
    review_due: dt.date | None = None
    reason: dict[str, str] | None = None
    replaced_by: str | None = None

    def changes(self, data: dict[str, Any]) -> dict[FieldPath, Any]:
        """The fields this decision writes, given the entry's current data."""
        if self.action == "approve":
            assert self.review_due is not None
            changes: dict[FieldPath, Any] = {
                ("status",): "active",
                ("quality_assurance", "decision"): self.reference,
                ("quality_assurance", "decision_date"): self.date.isoformat(),
                ("quality_assurance", "review_due"): self.review_due.isoformat(),
            }
            for name in ("status_reason", "replaced_by"):
                if name in data:
                    changes[(name,)] = _ABSENT
            return changes
        changes = {
            ("status",): "suspended" if self.action == "suspend" else "withdrawn",
            ("status_reason",): self.reason,
        }
        if self.action == "withdraw":
            changes[("replaced_by",)] = self.replaced_by if self.replaced_by else _ABSENT
        return changes

    def message(self) -> str:
        """The commit message: what was decided, and trailers that the review report reads."""
        words = {"approve": "Approve", "suspend": "Suspend", "withdraw": "Withdraw"}[self.action]
        lines = [
            f"{words} {self.entry_id}: {self.reference} ({self.date.isoformat()})",
            "",
            f"The sector council's decision, recorded with `mqcat {self.action}`: only the decision fields and",
            "the status of the entry change in this commit.",
            "",
            f"{TRAILER}: {self.action}",
            f"Council-Decision: {self.reference}",
            f"Council-Decision-Date: {self.date.isoformat()}",
        ]
        return "\n".join(lines) + "\n"


def _entry_file(catalogue_dir: Path, entry_id: str) -> Path:
    found = [
        path
        for path in sorted(catalogue_dir.glob(f"*/{entry_id}{layout.SUFFIX}"))
        if path.parent.name != layout.PROVIDERS_DIR
    ]
    if not found:
        import difflib

        known = sorted(
            p.stem for p in catalogue_dir.glob(f"*/*{layout.SUFFIX}") if p.parent.name != layout.PROVIDERS_DIR
        )
        close = difflib.get_close_matches(entry_id, known, n=1)
        raise DecisionRefused(
            f"no micro-qualification with the id '{entry_id}'",
            f"did you mean '{close[0]}'?" if close else "the id is the entry's file name without .yaml",
        )
    return found[0]


def check_decision(decision: Decision, data: dict[str, Any], today: dt.date) -> None:
    """Refuse a decision that the council cannot have taken on this entry."""
    status = data.get("status")
    reason = placeholder_reason(decision.reference)
    if reason is not None:
        raise DecisionRefused(
            f"'{decision.reference}' does not look like the council's decision: {reason}",
            'give the reference from the minutes, e.g. --decision "Protokols Nr. 3/2026, 4. p."',
        )
    if decision.date > today:
        raise DecisionRefused(
            f"the decision date {decision.date} is in the future", "give the date of the council's meeting"
        )
    if decision.action == "approve":
        if status == "withdrawn":
            raise DecisionRefused(
                f"'{decision.entry_id}' is withdrawn; a withdrawn entry is not approved again",
                "the provider proposes a new entry (with a new id) and the council approves that",
            )
        assert decision.review_due is not None
        if decision.review_due <= decision.date:
            raise DecisionRefused(
                f"the review date {decision.review_due} is not after the decision date {decision.date}",
                "give --review-due, usually two to three years after the decision",
            )
        return
    if status == PROPOSED:
        raise DecisionRefused(
            f"'{decision.entry_id}' is proposed, not approved: there is nothing to {decision.action}",
            "a proposal the council does not approve is not merged: close the pull request",
        )
    if status == "withdrawn":
        raise DecisionRefused(f"'{decision.entry_id}' is already withdrawn", "a withdrawal is final")
    if not decision.reason or not decision.reason.get("lv"):
        raise DecisionRefused("the reason is missing", 'give --reason-lv "..." (and --reason-en "...")')


def record(repo_root: Path, decision: Decision, *, commit: bool = True, today: dt.date | None = None) -> Path:
    """Write the decision into the entry's file and commit it on its own; return the file's path."""
    catalogue_dir = repo_root / layout.CATALOGUE_DIR
    path = _entry_file(catalogue_dir, decision.entry_id)
    relative = path.relative_to(repo_root).as_posix()
    if commit:
        try:
            git(repo_root, "rev-parse", "--verify", "--quiet", "HEAD")
        except GitError:
            raise DecisionRefused("the repository has no commit yet", "commit the proposal first") from None
        dirty = git(repo_root, "status", "--porcelain", "--", relative).decode("utf-8", "replace").strip()
        if dirty:
            raise DecisionRefused(
                f"{relative} has changes that are not committed",
                "commit (or discard) them first: the decision is committed on its own, without anything else",
            )
    text = path.read_text(encoding="utf-8")
    try:
        data = parse_text(text, path, relative).data
    except LoadError as error:
        raise DecisionRefused(error.problem.text(), "fix the file first (`mqcat validate`)") from None
    check_decision(decision, data, today or dt.date.today())
    if decision.replaced_by is not None:
        _entry_file(catalogue_dir, decision.replaced_by)
    edited = apply(text, decision.changes(data))
    path.write_text(edited, encoding="utf-8")
    errors = validate(catalogue_dir, only={path}, root=repo_root).errors
    if errors:
        path.write_text(text, encoding="utf-8")
        shown = "\n".join(p.text() for p in errors)
        raise DecisionRefused(
            f"with this decision the entry would not be valid:\n{shown}",
            "the provider fixes these in the pull request first; the council decides on a valid entry",
        )
    if commit:
        git(repo_root, "add", "--", relative)
        try:
            git(repo_root, "commit", "--quiet", "--only", "-F", "-", "--", relative, stdin=decision.message().encode())
        except GitError as error:
            raise DecisionRefused(
                f"the decision is written into {relative} but not committed: {error}",
                'set your name and e-mail for git (`git config user.name "..."`, `git config user.email ...`) '
                f"and commit it alone: git commit --only {relative}",
            ) from None
    return path


def approval_values(data: dict[str, Any]) -> dict[FieldPath, Any]:
    """The approval fields of an entry's data (absent ones left out), in APPROVAL_FIELDS order."""
    values: dict[FieldPath, Any] = {}
    for path in APPROVAL_FIELDS:
        holder: Any = data
        for part in path:
            holder = holder.get(part, _ABSENT) if isinstance(holder, dict) else _ABSENT
        if holder is not _ABSENT:
            values[path] = holder
    return values


def without_approval(data: dict[str, Any]) -> dict[str, Any]:
    """The entry's data with every approval field removed: what the provider writes."""
    copy = json.loads(json.dumps(data, default=str))
    for path in APPROVAL_FIELDS:
        holder = copy
        for part in path[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(path[-1], None)
    return copy


def parse_reason(lv: str | None, en: str | None) -> dict[str, str] | None:
    if not lv:
        return None
    return {"lv": lv, **({"en": en} if en else {})}


def review_due_default(date: dt.date) -> dt.date:
    """Three years after the decision (29 February falls back to 28 February)."""
    try:
        return date.replace(year=date.year + DEFAULT_REVIEW_YEARS)
    except ValueError:
        return date.replace(year=date.year + DEFAULT_REVIEW_YEARS, day=28)


def names(paths: Iterable[FieldPath]) -> str:
    return ", ".join(".".join(path) for path in paths)
