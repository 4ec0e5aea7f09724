"""The review of a change as Markdown for reviewers, and as GitHub annotations.

Everything a contributor wrote is untrusted here: the Markdown is rendered by
GitHub in a pull-request comment or a job summary, so contributor text is
escaped to stay plain text (no HTML, no links or images, no @mentions, no
table breakouts), and identifiers and paths go into code spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..i18n import FIELD_TERMS, LANGUAGES, label
from ..problems import Problem, Severity, github_annotation
from .approval import AWAITING, RECORDED, REFUSED, UNCHANGED
from .compare import (
    ADDED,
    CHANGED,
    DELETED,
    ID_CHANGED,
    MISSING,
    REACTIVATED,
    SUSPENDED,
    UNREADABLE,
    WITHDRAWN,
    EntryChange,
    FieldChange,
    RecordChange,
)
from .diff import Review

ARROW = "→"
LONG_VALUE = 80  # characters; longer old/new values go on lines of their own
GUIDE = "docs/reviewers-guide.md"

ENTRY_SECTIONS = (
    (ADDED, "Added"),
    (CHANGED, "Changed"),
    (SUSPENDED, "Suspended"),
    (WITHDRAWN, "Withdrawn"),
    (REACTIVATED, "Reactivated"),
    (ID_CHANGED, "Id changed"),
    (DELETED, "Deleted"),
    (UNREADABLE, "Could not be read"),
)

# Characters Markdown (or GitHub's math) would interpret inside a line, escaped with a
# backslash. Block syntax (`#`, `-`, `1.`, `>` at the start of a line) cannot arise:
# contributor text is always put on one line after a label.
_BACKSLASHED = re.compile(r"([\\`*_\[\]#!|~$])")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029\t\v\f]+")
_ZWSP = "&#8203;"  # a zero-width space: breaks @mentions, autolinks and #references, stays invisible


def md_text(value: object) -> str:
    """Contributor text as inert inline Markdown: shown exactly, never interpreted.

    One line (line breaks become spaces, so nothing can start a heading, a list
    or a table row); HTML special characters become entities; Markdown
    punctuation is backslash-escaped (`|` included, so it is safe in a table
    cell); `@name`, `#123`, `www.` and `scheme://` get a zero-width space so
    that GitHub makes no mention, reference or link of them.
    """
    text = _NEWLINES.sub(" ", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BACKSLASHED.sub(r"\\\1", text)
    text = text.replace("@", "@" + _ZWSP).replace("\\#", "\\#" + _ZWSP).replace("://", ":" + _ZWSP + "//")
    return re.sub(r"(?i)(www)\.", r"\1" + _ZWSP + ".", text)


def md_code(value: object, *, in_table: bool = False) -> str:
    """A code span holding `value` verbatim (ids, paths, handles); `in_table` escapes `|` for a table cell."""
    text = _NEWLINES.sub(" ", str(value))
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def md_message(text: str) -> str:
    """A problem message or hint: `quoted` parts become code spans, the rest is escaped text."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans at all
        return md_text(text)
    return "".join(md_code(part) if index % 2 else md_text(part) for index, part in enumerate(parts))


def _quoted(value: str) -> str:
    return f"“{md_text(value)}”"


def value_text(value: Any) -> str:
    """A field value in words, escaped."""
    if value is MISSING or value is None:
        return "_(not set)_"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value) if value else "_(none)_"
    if isinstance(value, dict):
        return "_(empty)_" if not value else md_text(value)
    return _quoted(value)


def _length(value: Any) -> int:
    return len(str(value)) if value is not MISSING else 0


def field_lines(change: FieldChange, indent: str = "") -> list[str]:
    """`- Label: old → new`, or the old and new values on lines of their own when long."""
    label = md_text(change.label)
    if _length(change.old) + _length(change.new) <= LONG_VALUE or isinstance(change.old, (int, float, bool)):
        return [f"{indent}- {label}: {value_text(change.old)} {ARROW} {value_text(change.new)}"]
    return [
        f"{indent}- {label}:",
        f"{indent}  - before: {value_text(change.old)}",
        f"{indent}  - after: {value_text(change.new)}",
    ]


def _text_of(value: Any) -> str:
    """A {lv, en} text as `“lv” / “en”`."""
    if isinstance(value, dict):
        return " / ".join(_quoted(value[language]) for language in LANGUAGES if isinstance(value.get(language), str))
    return value_text(value)


def _title(change: EntryChange) -> str:
    title = change.record.data.get("title")
    if isinstance(title, dict):
        text = title.get("en") or title.get("lv")
        if isinstance(text, str):
            return md_text(text)
    return "_(no title)_"


def _entry_heading(change: EntryChange) -> str:
    if change.kind == ID_CHANGED:
        return f"{md_code(change.old_id)} {ARROW} {md_code(change.id)} — {_title(change)}"
    return f"{md_code(change.id)} — {_title(change)} ({md_code(change.record.folder)})"


def _entry_lines(change: EntryChange) -> list[str]:
    lines = [f"- **{_entry_heading(change)}**"]
    data = change.record.data
    if change.kind == ADDED:
        facts = []
        for key, words in (("version", "version"), ("status", "status")):
            if key in data:
                facts.append(f"{words} {value_text(data[key])}")
        level = data.get("level")
        if isinstance(level, dict) and "lki" in level:
            facts.append(f"LKI/EQF {value_text(level['lki'])}")
        workload = data.get("workload")
        if isinstance(workload, dict) and "hours" in workload:
            facts.append(f"{value_text(workload['hours'])} hours")
        if "participation_form" in data:
            facts.append(value_text(data["participation_form"]))
        outcomes = data.get("learning_outcomes")
        if isinstance(outcomes, list):
            facts.append(f"{len(outcomes)} learning outcome(s)")
        bodies = data.get("awarding_bodies")
        if isinstance(bodies, list):
            facts.append("awarded by " + ", ".join(md_code(b) for b in bodies))
        if facts:
            lines.append("  - " + "; ".join(facts))
    if change.kind in (SUSPENDED, WITHDRAWN) and "status_reason" in data:
        lines.append(f"  - reason: {_text_of(data['status_reason'])}")
    if change.kind == WITHDRAWN and data.get("replaced_by"):
        lines.append(f"  - replaced by {md_code(data['replaced_by'])}")
    if change.note:
        lines.append(f"  - _{md_text(change.note)}_")
    if change.kind == UNREADABLE and change.head is not None and change.head.error is not None:
        lines.append(f"  - {md_message(change.head.error.message)}")
    summarised = ("status_reason", "replaced_by") if change.kind in (SUSPENDED, WITHDRAWN) else ()
    for item in change.fields:
        if not (item.path and item.path[0] in summarised):
            lines.extend(field_lines(item, "  "))
    outcomes = change.outcomes
    if outcomes.added or outcomes.removed:
        lines.append(f"  - Learning outcomes: {len(outcomes.added)} added, {len(outcomes.removed)} removed")
        lines.extend(f"    - added: {_text_of(text)}" for text in outcomes.added)
        lines.extend(f"    - removed: {_text_of(text)}" for text in outcomes.removed)
    for item in outcomes.skills:
        lines.extend(field_lines(item, "  "))
    if outcomes.reordered:
        lines.append("  - Learning outcomes: order changed")
    for problem in change.findings:
        lines.append(f"  - {_badge(problem)} {md_message(problem.message)}")
    return lines


def _badge(problem: Problem) -> str:
    return "❌ **error:**" if problem.severity is Severity.ERROR else "⚠️ **check:**"


def _finding_line(problem: Problem) -> str:
    hint = f" — {md_message(problem.hint)}" if problem.hint else ""
    return f"- {md_code(problem.file)}: {md_message(problem.message)}{hint}"


def _problem_line(problem: Problem) -> str:
    where = md_code(f"{problem.file}:{problem.line}:{problem.column}")
    field = f" {md_code(problem.field)}:" if problem.field else ""
    hint = f" — {md_message(problem.hint)}" if problem.hint else ""
    return f"- {where} **{problem.severity.value}**{field} {md_message(problem.message)}{hint}"


def _record_lines(change: RecordChange) -> list[str]:
    words = {"provider": "Provider", "sector": "Sector", "authority": "Authority", "maintainers": "Maintainers"}
    lines = [f"- {words[change.kind]} {md_code(change.id)} {change.change} ({md_code(change.path)})"]
    for item in change.fields:
        lines.extend(field_lines(item, "  "))
    return lines


def _name(value: Any) -> str:
    if isinstance(value, dict):
        text = value.get("en") or value.get("lv")
        if isinstance(text, str):
            return md_text(text)
    return ""


def _summary(review: Review) -> str:
    errors, attention = len(review.errors), len(review.attention)
    if review.empty:
        return "No changes to the catalogue."
    parts = [
        f"**{errors} error{'s' if errors != 1 else ''}**" if errors else "No errors",
        f"{attention} point{'s' if attention != 1 else ''} to check",
    ]
    return ", ".join(parts) + ". " + verdict(review)


def verdict(review: Review) -> str:
    """Valid or not, and whether the council's decision is recorded: what the pull-request check says."""
    if review.errors:
        return "**Not valid:** fix the errors before the council can decide."
    awaiting = review.awaiting
    if awaiting:
        ids = ", ".join(md_code(a.id) for a in awaiting)
        return (
            f"**Valid, awaiting the council's decision** ({ids}): a council member records it with "
            f"{md_code('mqcat approve')} before merging."
        )
    if any(a.state == RECORDED for a in review.approvals):
        return "**Approved: ready to merge.** The council's decision is recorded."
    return "**Valid.**"


_STATE_WORDS = {
    AWAITING: "⏳ valid, awaiting the council's decision",
    RECORDED: "✅ approved: decision recorded",
    UNCHANGED: "approval unchanged",
    REFUSED: "❌ approval not recorded by the council",
}
_DECISION_FIELDS = (
    ("quality_assurance", "decision"),
    ("quality_assurance", "decision_date"),
    ("quality_assurance", "review_due"),
)


def _approval_lines(review: Review) -> list[str]:
    """The council's decision on each entry: the approval fields, and who changed them in which commit."""
    if not review.approvals:
        return []
    out = [
        "",
        "### The council's decision",
        "",
        "| Entry | State | Status | "
        + " | ".join(md_text(label("en", FIELD_TERMS[path])) for path in _DECISION_FIELDS)
        + " | Changed in |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for approval in review.approvals:
        cells = [md_code(approval.id, in_table=True), _STATE_WORDS.get(approval.state, md_text(approval.state))]
        cells.append(md_code(approval.status, in_table=True) if approval.status is not None else "_(not set)_")
        for path in _DECISION_FIELDS:
            value = approval.values.get(path)
            cells.append(value_text(value) if value is not None else "_(not set)_")
        commits = []
        for commit in approval.commits:
            how = f"{md_code('mqcat ' + commit.council_action, in_table=True)}" if commit.council_action else ""
            if not commit.needs_council:
                kind = "proposal"
            else:
                kind = "decision commit" if commit.council_decision else "**not a decision commit of the council**"
            commits.append(
                f"{md_code(commit.commit[:12], in_table=True)} by {md_text(commit.author)} ({kind}"
                + (f", {how}" if how else "")
                + ")"
            )
        cells.append("; ".join(commits) or "_(no commit)_")
        out.append("| " + " | ".join(cells) + " |")
    return out


def markdown(review: Review) -> str:
    """The review report: the text a reviewer reads first."""
    out: list[str] = [
        "## Micro-qualification review report",
        "",
        f"Comparing {md_code(review.base_label)} (base) with {md_code(review.head_label)}.",
        "",
        _summary(review),
    ]
    if review.base_errors:
        out += [
            "",
            f"_The base revision already has {review.base_errors} validation error(s); they are not listed here._",
        ]

    if review.uncommitted:
        out += [
            "",
            f"_Only committed changes are reviewed: {len(review.uncommitted)} uncommitted file(s) under "
            f"{md_code('catalogue/')} are left out ({', '.join(md_code(p) for p in review.uncommitted[:5])}"
            + (", …" if len(review.uncommitted) > 5 else "")
            + "). Commit them to include them._",
        ]

    errors = [p for p in review.all_findings() if p.severity is Severity.ERROR]
    if errors:
        out += ["", "### Errors", ""] + [_finding_line(p) for p in errors]
    attention = review.attention
    if attention:
        out += ["", "### Needs attention", ""] + [_finding_line(p) for p in attention]

    if review.sectors or review.maintainer_reasons:
        out += ["", "### Who approves", ""]
        if review.sectors:
            out += ["| Sector | Reviewers who must approve |", "| --- | --- |"]
            for sector in review.sectors:
                name = _name(sector.name)
                code = md_code(sector.id, in_table=True)
                cell = f"{name} ({code})" if name else f"{code} (not in the sector registry)"
                if sector.reason:
                    cell += f": {md_text(sector.reason)}"
                reviewers = ", ".join(md_code(r, in_table=True) for r in sector.reviewers) or "_(none registered)_"
                out.append(f"| {cell} | {reviewers} |")
        if review.maintainer_reasons:
            who = ", ".join(md_code(m) for m in review.maintainers) or "the catalogue maintainers"
            out += ([""] if review.sectors else []) + [
                f"Needs a maintainer ({who}): " + "; ".join(md_text(r) for r in review.maintainer_reasons) + "."
            ]

    out += _approval_lines(review)

    if review.entries:
        out += ["", "### Micro-qualifications"]
        for kind, heading in ENTRY_SECTIONS:
            changes = review.of_kind(kind)
            if changes:
                out += ["", f"#### {heading} ({len(changes)})", ""]
                for change in changes:
                    out += _entry_lines(change)

    providers = [c for c in review.registry_changes if c.kind == "provider"]
    registries = [c for c in review.registry_changes if c.kind != "provider"]
    if providers:
        out += ["", "### Providers", ""]
        for record in providers:
            out += _record_lines(record)
    if registries:
        out += ["", "### Sectors, authorities and maintainers", ""]
        for record in registries:
            out += _record_lines(record)

    if review.outside:
        out += [
            "",
            "### Files outside catalogue/ (needs a maintainer)",
            "",
            "| File | Area | Change |",
            "| --- | --- | --- |",
        ]
        for touched in review.outside:
            path = md_code(touched.path, in_table=True)
            if touched.old_path:
                path = f"{md_code(touched.old_path, in_table=True)} {ARROW} {path}"
            out.append(
                f"| {path} | {md_text(touched.area)} | {_STATUSES.get(touched.status, md_text(touched.status))} |"
            )

    if review.validation or review.entries or review.registry_changes:
        out += ["", "### Validation of the changed catalogue files", ""]
        out += [_problem_line(p) for p in review.validation] or ["No problems found."]
    if review.caused:
        out += ["", "### New problems in files this change did not touch", ""] + [
            _problem_line(p) for p in review.caused
        ]

    out += _changed_files(review)

    if review.entries:
        out += ["", f"Reviewers: check each new or changed programme against the checklist in {md_code(GUIDE)}."]
    return "\n".join(out) + "\n"


_STATUSES = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied", "T": "type changed"}


def _changed_files(review: Review) -> list[str]:
    """Every path the change touches, so that nothing it does is left out of the report."""
    if not review.touched:
        return []
    out = ["", f"### Every changed file ({len(review.touched)})", "", "| File | Change |", "| --- | --- |"]
    for touched in review.touched:
        path = md_code(touched.path, in_table=True)
        if touched.old_path:
            path = f"{md_code(touched.old_path, in_table=True)} {ARROW} {path}"
        change = _STATUSES.get(touched.status, md_text(touched.status))
        if touched.outside_layout:
            change += ", **outside the catalogue layout: no tool reads it**"
        out.append(f"| {path} | {change} |")
    return out


def github_annotations(review: Review) -> list[str]:
    """GitHub workflow commands (`::error file=...`) for every error and point to check."""
    problems: Iterable[Problem] = [*review.all_findings(), *review.validation, *review.caused]
    return [github_annotation(problem) for problem in problems]
