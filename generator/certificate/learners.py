"""Learner lists for certificates: read a YAML or CSV file, check every row, report with positions.

A learner list is what an issuer prepares after an assessment: one row per
learner with `name`, `identifier`, `issue_date` and, optionally, `issue_place`
and `grade`. Its text is data: a cell that looks like a spreadsheet formula is
kept as written and escaped wherever it is printed.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..loader import LoadError, load_file
from ..problems import Problem, display_path

FIELDS = ("name", "identifier", "issue_date", "issue_place", "grade")
REQUIRED = ("name", "identifier", "issue_date")
MAX_LENGTH = {"name": 200, "identifier": 100, "issue_date": 10, "issue_place": 100, "grade": 50}
MAX_CSV_BYTES = 2 * 1024 * 1024
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Learner:
    """One holder of a certificate."""

    name: str
    identifier: str
    issue_date: dt.date
    issue_place: str | None = None
    grade: str | None = None
    # Where the row is, for messages about it.
    source: str = ""
    line: int = 0


class LearnerFileError(Exception):
    """The learner file has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the learner file")
        self.problems = problems


def load_learners(path: Path, root: Path | None = None) -> list[Learner]:
    """The learners in a `.yaml`/`.yml` or `.csv` file; LearnerFileError lists every problem found."""
    shown = display_path(path, root)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        rows = _yaml_rows(path, shown)
    elif suffix == ".csv":
        rows = _csv_rows(path, shown)
    else:
        raise LearnerFileError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    f"unknown learner file type '{path.suffix}'",
                    hint="use a .csv file (header: name, identifier, issue_date, issue_place, "
                    "grade) or a .yaml file with a list of learners",
                )
            ]
        )
    problems: list[Problem] = []
    learners: list[Learner] = []
    first_row: dict[str, int] = {}
    for row in rows:
        learner = _learner(row, problems)
        if learner is None:
            continue
        if learner.identifier in first_row:
            problems.append(
                row.problem(
                    "identifier",
                    f"the identifier '{learner.identifier}' is already used on line {first_row[learner.identifier]}",
                    "give each learner one row",
                )
            )
            continue
        first_row[learner.identifier] = row.line
        learners.append(learner)
    if not rows and not problems:
        problems.append(Problem(shown, 1, 1, "", "the file lists no learners", hint="add one row per learner"))
    if problems:
        raise LearnerFileError(sorted(problems))
    return learners


@dataclass
class _Row:
    """One learner's raw values, and where each of them is in the file."""

    file: str
    line: int
    values: dict[str, Any]
    positions: dict[str, tuple[int, int]]
    label: str  # how messages name the row: "[3]." (YAML list item) or "" (CSV: the line says it)
    column: int = 1  # where the row starts: a missing field is reported there

    def problem(self, field: str, message: str, hint: str = "") -> Problem:
        line, column = self.positions.get(field, (self.line, self.column))
        return Problem(self.file, line, column, f"{self.label}{field}" if self.label else field, message, hint=hint)


def _learner(row: _Row, problems: list[Problem]) -> Learner | None:
    found_before = len(problems)
    for field in row.values:
        if field not in FIELDS:
            close = difflib.get_close_matches(field, FIELDS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"the fields are: {', '.join(FIELDS)}"
            problems.append(row.problem(field, f"unknown field '{field}'", hint))
    clean: dict[str, str] = {}
    for field in FIELDS:
        value = row.values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field in REQUIRED:
                problems.append(row.problem(field, f"{field} is missing", _HINTS[field]))
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append(row.problem(field, f"{field} must be text", "write the value on one line, in quotes"))
            continue
        if field in ("name", "identifier", "issue_date") and not isinstance(value, str):
            # A YAML number may not be what was typed (1.50 becomes 1.5): these must be quoted text.
            problems.append(
                row.problem(field, f"{field} must be text, not a number", f'write it in quotes: {field}: "{value}"')
            )
            continue
        text = str(value).strip()
        bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf")), None)
        if bad is not None:
            problems.append(
                row.problem(
                    field, f"{field} contains the invisible character U+{ord(bad):04X}", "retype the value without it"
                )
            )
            continue
        if len(text) > MAX_LENGTH[field]:
            problems.append(
                row.problem(
                    field, f"{field} is {len(text)} characters long; the limit is {MAX_LENGTH[field]}", "shorten it"
                )
            )
            continue
        clean[field] = text
    issue_date = None
    if "issue_date" in clean:
        issue_date = _date(clean["issue_date"])
        if issue_date is None:
            problems.append(
                row.problem(
                    "issue_date",
                    f"'{clean['issue_date']}' is not a date",
                    "write the date as YYYY-MM-DD, e.g. 2026-11-20",
                )
            )
    if len(problems) > found_before or issue_date is None:
        return None
    return Learner(
        clean["name"],
        clean["identifier"],
        issue_date,
        clean.get("issue_place"),
        clean.get("grade"),
        source=row.file,
        line=row.line,
    )


_HINTS = {
    "name": "give the learner's full name as it should appear on the certificate",
    "identifier": "give a personal code, a date of birth or the issuer's learner number",
    "issue_date": "give the date of issue as YYYY-MM-DD",
}


def _date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _yaml_rows(path: Path, shown: str) -> list[_Row]:
    try:
        document = load_file(path, shown)
    except LoadError as error:
        raise LearnerFileError([error.problem]) from None
    data = document.data
    if not isinstance(data, list):
        raise LearnerFileError(
            [
                Problem(
                    shown, 1, 1, "", "the file must be a list of learners", hint="start each learner with '- name: ...'"
                )
            ]
        )
    rows = []
    problems = []
    for index, item in enumerate(data):
        line, column = document.position((index,))
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    shown,
                    line,
                    column,
                    f"[{index}]",
                    "each learner must be a group of fields",
                    hint="write name:, identifier:, issue_date: under the '-'",
                )
            )
            continue
        positions = {str(key): document.position((index, key)) for key in item}
        rows.append(_Row(shown, line, {str(k): v for k, v in item.items()}, positions, f"[{index}].", column))
    if problems:
        raise LearnerFileError(problems)
    return rows


def _csv_rows(path: Path, shown: str) -> list[_Row]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LearnerFileError([Problem(shown, 1, 1, "", f"cannot read the file: {error.strerror}")]) from None
    if len(raw) > MAX_CSV_BYTES:
        raise LearnerFileError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    f"the file is {len(raw)} bytes; the limit is {MAX_CSV_BYTES}",
                    hint="split the list into several files",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LearnerFileError(
            [
                Problem(
                    shown,
                    line,
                    1,
                    "",
                    "the file is not valid UTF-8",
                    hint="save it as 'CSV UTF-8' in the spreadsheet program",
                )
            ]
        ) from None
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise LearnerFileError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    "the file has no header line",
                    hint="the first line names the columns: " + ",".join(FIELDS),
                )
            ]
        )
    reader = csv.reader(lines, delimiter=_delimiter(lines[0]))
    header = [cell.strip().lower() for cell in next(reader)]
    problems = []
    for column, name in enumerate(header, start=1):
        if name not in FIELDS:
            close = difflib.get_close_matches(name, FIELDS, n=1)
            problems.append(
                Problem(
                    shown,
                    1,
                    column,
                    name or f"column {column}",
                    f"unknown column '{name}'",
                    hint=f"did you mean '{close[0]}'?" if close else "the columns are: " + ", ".join(FIELDS),
                )
            )
    for name in REQUIRED:
        if name not in header:
            problems.append(Problem(shown, 1, 1, name, f"the header has no '{name}' column", hint=_HINTS[name]))
    if problems:
        raise LearnerFileError(problems)
    rows = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                Problem(
                    shown,
                    line,
                    len(header) + 1,
                    "",
                    f"the line has {len(cells)} cells but the header names {len(header)} columns",
                    hint="quote cells that contain the separator",
                )
            )
            continue
        values = dict(zip(header, cells, strict=False))  # a short row leaves the last columns empty
        positions = {name: (line, column) for column, name in enumerate(header, start=1)}
        rows.append(_Row(shown, line, values, positions, ""))
    if problems:
        raise LearnerFileError(problems)
    return rows


def _delimiter(header: str) -> str:
    """Comma, or the semicolon or tab that spreadsheets in Latvian locales write instead."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
