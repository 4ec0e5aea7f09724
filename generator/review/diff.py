"""The review of a change (`mqcat diff`): two revisions compared, and what reviewers must look at.

revisions.py reads each revision (git plumbing, snapshots); compare.py compares them
entry by entry; this module adds what concerns the change as a whole (sectors and
their reviewers, maintainers, files outside the catalogue, errors the change causes
elsewhere) and the council's recorded decisions (approval.py). report.py turns the
Review into Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue import SECTORS_FILE
from ..problems import Problem, Severity
from .approval import track
from .compare import (
    EntryChange,
    RecordChange,
    compare_entries,
    compare_registries,
    credential_findings,
    cross_sector_stacking,
)
from .revisions import (
    CATALOGUE_DIR,
    Snapshot,
    TouchedFile,
    default_base,
    repository_root,
    resolve_revision,
    revision,
    touched_files,
    uncommitted_files,
)


@dataclass
class SectorReviewers:
    id: str
    name: Any  # the registry's {lv, en} name, or None when the sector is not registered
    reviewers: list[str]
    reason: str = ""  # why a sector whose files the change does not touch must approve too


@dataclass
class Review:
    """Everything the report says, worked out from the two snapshots."""

    base_label: str
    head_label: str
    entries: list[EntryChange] = field(default_factory=list)
    registry_changes: list[RecordChange] = field(default_factory=list)
    outside: list[TouchedFile] = field(default_factory=list)
    touched: list[TouchedFile] = field(default_factory=list)  # every changed path, in the catalogue or not
    sectors: list[SectorReviewers] = field(default_factory=list)
    maintainers: list[str] = field(default_factory=list)
    maintainer_reasons: list[str] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)  # not tied to one entry
    validation: list[Problem] = field(default_factory=list)  # in touched files, at head
    caused: list[Problem] = field(default_factory=list)  # new errors in files the change did not touch
    base_errors: int = 0
    # The council's decision on each added or changed entry (review.approval.EntryApproval), when read from git.
    approvals: list[Any] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)  # working-tree changes the report leaves out

    @property
    def awaiting(self) -> list[Any]:
        """Proposed entries: valid or not, the council has not recorded its decision."""
        return [a for a in self.approvals if a.state == "awaiting"]

    def all_findings(self) -> list[Problem]:
        found = [p for change in self.entries for p in change.findings] + self.findings
        return found + [p for approval in self.approvals for p in approval.findings]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.all_findings() + self.validation + self.caused if p.severity is Severity.ERROR]

    @property
    def attention(self) -> list[Problem]:
        return [p for p in self.all_findings() if p.severity is Severity.WARNING]

    @property
    def empty(self) -> bool:
        return not (self.entries or self.registry_changes or self.touched or self.validation or self.caused)

    def of_kind(self, kind: str) -> list[EntryChange]:
        return [change for change in self.entries if change.kind == kind]


def review(base: Snapshot, head: Snapshot, touched: list[TouchedFile]) -> Review:
    """Compare two snapshots of the catalogue and work out what reviewers must look at."""
    result = Review(base.label, head.label)
    renames = {t.old_path: t.path for t in touched if t.status == "R" and t.old_path}
    result.entries = compare_entries(base, head, renames)
    result.registry_changes = compare_registries(base, head)
    result.outside = [t for t in touched if not t.in_catalogue]
    result.touched = list(touched)

    sector_registry = head.sector_records() or base.sector_records()
    touched_sectors = list(dict.fromkeys(s for change in result.entries for s in change.sectors))
    stacked_sectors, stacking = cross_sector_stacking(result.entries, base, head)
    result.findings.extend(stacking)
    for sector in sorted(set(touched_sectors) | set(stacked_sectors)):
        record = sector_registry.get(sector)
        reviewers = [str(r) for r in record.get("reviewers", ()) or ()] if record else []
        reason = stacked_sectors.get(sector, "") if sector not in touched_sectors else ""
        result.sectors.append(SectorReviewers(sector, record.get("name") if record else None, reviewers, reason))
        if record is None:
            result.findings.append(
                Problem(
                    f"{CATALOGUE_DIR}/{sector}",
                    1,
                    1,
                    "",
                    f"'{sector}' is not a sector in catalogue/{SECTORS_FILE}",
                    hint="move the entry into a registered sector's folder",
                )
            )
    result.maintainers = head.maintainers() or base.maintainers()

    reasons = result.maintainer_reasons
    if result.outside:
        areas = ", ".join(sorted({t.area for t in result.outside}))
        reasons.append(f"files outside catalogue/ changed ({areas})")
        result.findings.append(
            Problem(
                result.outside[0].path,
                1,
                1,
                "",
                f"{len(result.outside)} file(s) outside catalogue/ changed ({areas}): needs a maintainer",
                Severity.WARNING,
            )
        )
    for kind, words in (
        ("provider", "a provider record changed"),
        ("sector", "the sector registry changed"),
        ("authority", "the authorities registry changed"),
        ("maintainers", "the maintainers changed"),
    ):
        kinds = [c for c in result.registry_changes if c.kind == kind]
        if kinds:
            reasons.append(words)
            result.findings.append(Problem(kinds[0].path, 1, 1, "", f"{words}: needs a maintainer", Severity.WARNING))
    for change in result.registry_changes:
        if change.kind == "provider" and change.change == "deleted":
            result.findings.append(
                Problem(
                    change.path,
                    1,
                    1,
                    "",
                    f"provider '{change.id}' is deleted",
                    Severity.WARNING,
                    "providers named by any entry, even a withdrawn one, must stay",
                )
            )

    result.findings.extend(credential_findings(base, head))

    touched_paths = {t.path for t in touched if t.in_catalogue}
    result.validation = [p for p in head.validation.problems if p.file in touched_paths]
    base_keys = {(p.file, p.field, p.message) for p in base.validation.problems}
    result.caused = [
        p
        for p in head.validation.errors
        if p.file not in touched_paths and (p.file, p.field, p.message) not in base_keys
    ]
    result.base_errors = len(base.validation.errors)
    return result


def review_revisions(repo: Path, base: str | None = None, head: str | None = None) -> Review:
    """The review of the change from BASE (default: the merge base with main) to HEAD (default: the last commit).

    Only committed changes count: a pull request holds commits, and files that
    a tool or an editor left in the folder are not part of it.
    """
    root = repository_root(repo)
    base_commit = resolve_revision(root, base) if base else default_base(root)
    head_commit = resolve_revision(root, head or "HEAD")
    touched = touched_files(root, base_commit, head_commit)
    with revision(root, base_commit) as old, revision(root, head_commit) as new:
        old.label = f"{base} ({base_commit[:12]})" if base else base_commit[:12]
        new.label = f"{head or 'HEAD'} ({head_commit[:12]})"
        result = review(old, new, touched)
    result.approvals = track(root, base_commit, head_commit, result.entries)
    if head is None:
        result.uncommitted = [path for path in uncommitted_files(root) if path.startswith(CATALOGUE_DIR + "/")]
    return result
