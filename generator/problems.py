"""Problems found in catalogue files, and the reporters that print them.

A problem names the file, the line and column of the offending YAML node, the
field path inside the document, what is wrong and, where one helps, how to fix it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about one place in one catalogue file."""

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str = ""

    def text(self) -> str:
        """The one-line form `FILE:LINE:COL: severity: field: message (hint)`."""
        where = f"{self.file}:{self.line}:{self.column}"
        field = f"{self.field}: " if self.field else ""
        hint = f" Hint: {self.hint}" if self.hint else ""
        line = f"{where}: {self.severity.value}: {field}{self.message}{hint}"
        # One problem per line, whatever the file's text holds (values may span lines).
        return line.replace("\r", "\\r").replace("\n", "\\n")


MAX_PER_FILE = 100


def limit_per_file(problems: list[Problem], limit: int = MAX_PER_FILE) -> list[Problem]:
    """At most `limit` problems of each file (sorted), then one that says how many more there are.

    A file with thousands of mistakes is usually one mistake repeated: the first hundred
    show it, and the report stays readable (and a CI log short).
    """
    kept: list[Problem] = []
    omitted: dict[str, list[Problem]] = {}
    counts: dict[str, int] = {}
    for problem in sorted(problems):
        counts[problem.file] = counts.get(problem.file, 0) + 1
        if counts[problem.file] <= limit:
            kept.append(problem)
        else:
            omitted.setdefault(problem.file, []).append(problem)
    for file, rest in omitted.items():
        first = rest[0]
        severity = Severity.ERROR if any(p.severity is Severity.ERROR for p in rest) else Severity.WARNING
        kept.append(
            Problem(
                file,
                first.line,
                first.column,
                "",
                f"and {len(rest)} more problem{'s' if len(rest) != 1 else ''} in this file, not listed",
                severity,
                f"fix the first {limit} and run the check again",
            )
        )
    return sorted(kept)


def field_path(path: Iterable[str | int]) -> str:
    """Render a document path as `learning_outcomes[2].text.en`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the user should read it: relative to the root when inside it."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def summary(problems: list[Problem], files_checked: int) -> str:
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    return (
        f"{files_checked} file{'s' if files_checked != 1 else ''} checked: "
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    )


def github_escape(value: str, *, property_value: bool = False) -> str:
    """A value made safe for a GitHub Actions workflow command."""
    return _github_escape(value, property_value=property_value)


def _github_escape(value: str, *, property_value: bool = False) -> str:
    # Workflow commands treat %, CR and LF specially; properties also ':' and ','.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that annotates the file at the line."""
    level = "error" if problem.severity is Severity.ERROR else "warning"
    title = problem.field or "catalogue"
    message = problem.message + (f" Hint: {problem.hint}" if problem.hint else "")
    props = ",".join(
        [
            f"file={_github_escape(problem.file, property_value=True)}",
            f"line={problem.line}",
            f"col={problem.column}",
            f"title={_github_escape(title, property_value=True)}",
        ]
    )
    return f"::{level} {props}::{_github_escape(message)}"


def render(problems: list[Problem], files_checked: int, fmt: str) -> str:
    """Render problems in one of the output formats: text, json or github."""
    ordered = sorted(problems)
    if fmt == "json":
        return json.dumps(
            {
                "files_checked": files_checked,
                "errors": sum(1 for p in ordered if p.severity is Severity.ERROR),
                "warnings": sum(1 for p in ordered if p.severity is Severity.WARNING),
                "problems": [{**asdict(p), "severity": p.severity.value} for p in ordered],
            },
            ensure_ascii=False,
            indent=2,
        )
    lines = [github_annotation(p) if fmt == "github" else p.text() for p in ordered]
    lines.append(summary(ordered, files_checked))
    return "\n".join(lines)
