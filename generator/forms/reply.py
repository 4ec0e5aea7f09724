"""What the submitter reads about their form: per-field problems in both languages.

Two renderings of the same findings: plain text for a terminal, and Markdown
for the comment on the issue. In the Markdown every message goes through the
review report's escaping (submitted text is quoted back in messages, and GitHub
renders comments), so nothing a submitter typed becomes a link, a mention,
HTML or formatting.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..i18n import label as i18n_label
from ..review.report import md_text
from . import spec
from .answers import FieldProblem
from .convert import Submission

LANGUAGES = ("en", "lv")
# Lets the workflow and maintainers recognise the comments that mqcat wrote.
MARKER = "<!-- mqcat form reply -->"


def _field_label(submission: Submission, field_id: str | None) -> str:
    if field_id is None:
        return f"{i18n_label('en', 'form.comment.general')} ({i18n_label('lv', 'form.comment.general')})"
    return spec.bilingual_label(submission.form.field(field_id))


def _grouped(submission: Submission, problems: Iterable[FieldProblem]) -> list[tuple[str, list[FieldProblem]]]:
    """Problems by form field, in the order of the form; problems with the form as a whole first."""
    order = {item.id: index for index, item in enumerate(submission.form.fields)}
    groups: dict[str | None, list[FieldProblem]] = {}
    for problem in problems:
        groups.setdefault(problem.field, []).append(problem)
    ordered = sorted(groups, key=lambda field_id: -1 if field_id is None else order.get(field_id, len(order)))
    return [(_field_label(submission, field_id), groups[field_id]) for field_id in ordered]


def text(submission: Submission) -> str:
    """Plain text for a terminal: each field's label, then each problem in English and Latvian."""
    lines = []
    for heading, severity in ((None, False), ("warning", True)):
        chosen = [problem for problem in submission.problems if problem.warning is severity]
        for label, problems in _grouped(submission, chosen):
            lines.append(f"{label}:" if heading is None else f"{label} ({heading}):")
            for problem in problems:
                for language in LANGUAGES:
                    lines.append(f"  {language}: {' '.join(problem.text(language).split())}")
    return "\n".join(lines) + ("\n" if lines else "")


def _bilingual(key: str) -> list[str]:
    return [f"**{language.upper()}:** {md_text(i18n_label(language, key))}" for language in LANGUAGES]


def _section(submission: Submission, problems: list[FieldProblem]) -> list[str]:
    lines = []
    for label, group in _grouped(submission, problems):
        lines += ["", f"#### {md_text(label)}", ""]
        for problem in group:
            lines.append(f"- **EN:** {md_text(problem.text('en'))}")
            lines.append(f"  **LV:** {md_text(problem.text('lv'))}")
    return lines


def markdown(submission: Submission) -> str:
    """The comment for the issue: the problems to fix, or that a pull request is being made."""
    lines = [MARKER]
    if submission.errors:
        lines += [f"### {md_text(i18n_label('en', 'form.comment.heading_problems'))}", ""]
        lines += [f"*{md_text(i18n_label('lv', 'form.comment.heading_problems'))}*", ""]
        lines += _bilingual("form.comment.problems_intro")
        lines += _section(submission, submission.errors)
    else:
        lines += [f"### {md_text(i18n_label('en', 'form.comment.heading_ready'))}", ""]
        lines += [f"*{md_text(i18n_label('lv', 'form.comment.heading_ready'))}*", ""]
        lines += _bilingual("form.comment.ready")
    if submission.warnings:
        lines += ["", f"### {md_text(i18n_label('en', 'form.comment.heading_notes'))}", ""]
        lines += [f"*{md_text(i18n_label('lv', 'form.comment.heading_notes'))}*"]
        lines += _section(submission, submission.warnings)
    return "\n".join(lines) + "\n"


def note(key: str) -> str:
    """A bilingual paragraph the workflow appends to the comment (`blocked`, `failed`), as Markdown."""
    return "\n".join(["", *_bilingual(f"form.comment.{key}")]) + "\n"
