"""Who recorded the council's decision, in which commit: the approval part of the review.

For every entry a pull request adds or changes, this reads the commits between
base and head that touched its file and finds those that changed an approval
field (status, status_reason, replaced_by, quality_assurance.decision,
decision_date, review_due). A provider may only propose (`status: proposed`);
everything else in those fields is the council's record and must come from a
commit that changes nothing but approval fields: what `mqcat approve`,
`mqcat suspend` and `mqcat withdraw` write. An entry is then

    awaiting   proposed and valid: the council has not recorded its decision yet
    recorded   the decision is in council commits: approved, ready to merge
    unchanged  the change leaves the approval as it was (a correction)

and anything else is an error that names the commit and its author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .. import layout
from ..git import GitError, git
from ..loader import LoadError, parse_text
from ..model import APPROVAL_FIELDS, DECISION_FIELDS, PROPOSED
from ..problems import Problem, Severity
from .compare import DELETED, UNREADABLE, EntryChange
from .decision import TRAILER, approval_values, without_approval
from .revisions import Record

AWAITING, RECORDED, UNCHANGED, REFUSED = "awaiting", "recorded", "unchanged", "refused"


@dataclass(frozen=True)
class ApprovalCommit:
    """One commit that changed approval fields of one entry."""

    commit: str
    author: str
    fields: tuple[tuple[str, ...], ...]
    decision_only: bool  # the commit changes nothing but approval fields of entries
    council_action: str  # the Council-Action trailer (`approve`, ...) or ""
    needs_council: bool  # more than a provider may do (propose)

    @property
    def council_decision(self) -> bool:
        """Made by `mqcat approve`, `suspend` or `withdraw`: nothing but the decision, and marked so."""
        return self.decision_only and bool(self.council_action)


@dataclass
class EntryApproval:
    """The approval of one added or changed entry, at head."""

    id: str
    path: str
    state: str
    status: Any
    values: dict[tuple[str, ...], Any]
    commits: list[ApprovalCommit] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)


def _data_at(repo: Path, commit: str, path: str) -> dict[str, Any]:
    """The entry file at `commit` as data; {} when it does not exist there or does not load."""
    try:
        raw = git(repo, "cat-file", "blob", f"{commit}:{path}")
    except GitError:
        return {}
    try:
        data = parse_text(raw.decode("utf-8"), Path(path), path).data
    except (LoadError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _needs_council(before: dict[tuple[str, ...], Any], after: dict[tuple[str, ...], Any]) -> bool:
    """More than proposing: a decision field written, or a status other than proposed set."""
    changed = {path for path in set(before) | set(after) if before.get(path) != after.get(path)}
    if any(path in after for path in changed & set(DECISION_FIELDS)):
        return True
    return bool(changed) and after.get(("status",)) != PROPOSED


def _decision_only(repo: Path, commit: str, parent: str | None) -> bool:
    """The commit changes approval fields of entries and nothing else."""
    listing = git(repo, "diff-tree", "--no-commit-id", "-r", "-z", "--name-only", "--root", commit)
    paths = [p for p in listing.decode("utf-8", "surrogateescape").split("\0") if p]
    for path in paths:
        parts = PurePosixPath(path).parts
        if parts[0] != layout.CATALOGUE_DIR or layout.kind_of("/".join(parts[1:])) is not layout.Kind.ENTRY:
            return False
        before = _data_at(repo, parent, path) if parent else {}
        after = _data_at(repo, commit, path)
        if not before or not after or without_approval(before) != without_approval(after):
            return False
    return True


def _commits(repo: Path, base: str, head: str, path: str) -> list[ApprovalCommit]:
    log = git(
        repo, "log", "--no-merges", "--reverse", "-z", "--format=%H%x01%P%x01%an <%ae>", f"{base}..{head}", "--", path
    )
    found: list[ApprovalCommit] = []
    for record in filter(None, log.decode("utf-8", "replace").split("\0")):
        commit, parents, author = record.strip("\n").split("\x01")
        parent = parents.split()[0] if parents else None
        before = approval_values(_data_at(repo, parent, path)) if parent else {}
        after = approval_values(_data_at(repo, commit, path))
        changed = tuple(p for p in APPROVAL_FIELDS if before.get(p) != after.get(p))
        if not changed:
            continue
        trailer = git(repo, "log", "-1", f"--format=%(trailers:key={TRAILER},valueonly,separator=%x2C)", commit)
        found.append(
            ApprovalCommit(
                commit,
                author,
                changed,
                _decision_only(repo, commit, parent),
                trailer.decode("utf-8", "replace").strip(),
                _needs_council(before, after),
            )
        )
    return found


def _problem(record: Record, message: str, hint: str) -> Problem:
    line, column = record.position(("status",))
    return Problem(record.path, line, column, "status", message, Severity.ERROR, hint)


def track(repo: Path, base: str, head: str, changes: list[EntryChange]) -> list[EntryApproval]:
    """The approval of every entry the change adds or changes (head must be a commit)."""
    approvals: list[EntryApproval] = []
    for change in changes:
        if change.kind in (DELETED, UNREADABLE) or change.head is None:
            continue
        record = change.head
        old = approval_values(change.base.data) if change.base is not None else {}
        new = approval_values(record.data)
        status = record.data.get("status")
        approval = EntryApproval(change.id, record.path, UNCHANGED, status, new)
        approval.commits = _commits(repo, base, head, record.path)
        decision_changed = any(old.get(p) != new.get(p) for p in DECISION_FIELDS)
        if status == PROPOSED:
            approval.state = AWAITING
            if decision_changed and any(p in new for p in DECISION_FIELDS):
                approval.findings.append(
                    _problem(
                        record,
                        f"the proposal '{change.id}' carries decision fields that the council did not record",
                        "remove quality_assurance.decision, decision_date and review_due: the council writes them "
                        "with `mqcat approve`",
                    )
                )
        elif old == new:
            old_version, new_version = (
                (change.base.data.get("version") if change.base else None),
                record.data.get("version"),
            )
            if isinstance(old_version, int) and isinstance(new_version, int) and new_version > old_version:
                approval.state = REFUSED
                approval.findings.append(
                    _problem(
                        record,
                        f"version {new_version} of '{change.id}' has no decision of the council",
                        "a new version is proposed: set `status: proposed`; the council then records its decision "
                        "with `mqcat approve`",
                    )
                )
        else:
            offending = [c for c in approval.commits if c.needs_council and not c.council_decision]
            if offending or not approval.commits:
                approval.state = REFUSED
                named: list[ApprovalCommit | None] = [*offending] or [None]  # None: no commit to name
                for commit in named:
                    where = f"in commit {commit.commit[:12]} by {commit.author} " if commit else ""
                    approval.findings.append(
                        _problem(
                            record,
                            f"the approval fields of '{change.id}' were changed {where}"
                            "outside a decision commit of the council",
                            "only the council writes them, with `mqcat approve`, `mqcat suspend` or `mqcat withdraw` "
                            "(a commit of its own); a provider leaves them as they were and proposes with "
                            "`status: proposed`",
                        )
                    )
            else:
                approval.state = RECORDED
        approvals.append(approval)
    return approvals
