"""Each answer of a submitted form read according to its element's kind, and the problems found.

An answer is text the submitter typed: a number, a choice among the form's
options, one item per line, dates, places. Reading never interprets it beyond
that; what cannot be read becomes a problem of that form field, in Latvian and
English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..i18n import LANGUAGES
from ..i18n import label as i18n_label
from . import body as body_module
from . import spec
from .render import Registries, option_value, options
from .spec import Form, FormField

SHOWN_VALUE = 80  # characters of an answer quoted back in a message
ID_LISTS = frozenset({"other-awarding-bodies", "stacks-into"})
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
_LATVIAN_DATE = re.compile(r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\.?$")
_ESCO_LINE = re.compile(r"^\s*(?P<number>\d{1,3})\s*[:.)]\s*(?P<skills>.+)$")


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one answer of the form (or with the form as a whole: `field` None)."""

    field: str | None
    lv: str
    en: str
    warning: bool = False
    item: int | None = None  # 1-based position within a list answer
    where: str = ""  # for a problem with no form field: the schema's label of the field concerned

    def text(self, language: str) -> str:
        message = self.lv if language == "lv" else self.en
        if self.item is not None:
            message = i18n_label(language, "form.problems.item", number=self.item) + message
        if self.where:
            message = f"{self.where}: {message}"
        return message


def message(key: str, **values: Any) -> tuple[str, str]:
    """A message of the interface tables in Latvian and English, answers quoted back shortened."""
    quoted = {name: shown(value) for name, value in values.items()}
    return i18n_label("lv", key, **quoted), i18n_label("en", key, **quoted)


def shown(value: Any) -> Any:
    """An answer as a message quotes it: on one line, at most SHOWN_VALUE characters."""
    if not isinstance(value, str):
        return value
    one_line = " ".join(value.split())
    return one_line if len(one_line) <= SHOWN_VALUE else one_line[: SHOWN_VALUE - 1] + "…"


class AnswerReader:
    """Reads a form's answers into records, collecting problems per field."""

    def __init__(self, form: Form, answers: body_module.Answers, registries: Registries) -> None:
        self.form = form
        self.answers = answers
        self.registries = registries
        self.problems: list[FieldProblem] = []

    def problem(self, item: FormField | str | None, key: str, *, warning: bool = False, **values: Any) -> None:
        field_id = item.id if isinstance(item, FormField) else item
        lv, en = message(f"form.problems.{key}", **values)
        self.problems.append(FieldProblem(field_id, lv, en, warning))

    def failed(self, item: FormField) -> bool:
        return any(problem.field == item.id and not problem.warning for problem in self.problems)

    def raw(self, field_id: str) -> str:
        return self.answers.values.get(field_id, "")

    # ----------------------------------------------------------------- answers by kind

    def value(self, item: FormField) -> Any:
        """The answer of one element as a value for the record, or None when it is empty or unreadable."""
        raw = self.raw(item.id)
        if not raw.strip():
            if spec.is_required(item) and item.id not in self.answers.missing:
                self.problem(item, "required")
            return None
        reader = getattr(self, f"_read_{item.kind.value.replace('-', '_')}")
        return reader(item, raw)

    def _read_text(self, item: FormField, raw: str) -> str:
        lines = [line.rstrip() for line in raw.split("\n")]
        if not item.textarea:
            return " ".join(" ".join(lines).split())
        return "\n".join(lines).strip()

    def _read_line(self, item: FormField, raw: str) -> str:
        return " ".join(raw.split())

    def _read_number(self, item: FormField, raw: str) -> int | float | None:
        text = re.sub(r"\s+", "", raw).replace(",", ".")
        if not _NUMBER.match(text):
            self.problem(item, "not_a_number", value=raw.strip(), example="40")
            return None
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number

    def _read_integer(self, item: FormField, raw: str) -> int | None:
        text = raw.strip()
        if not text.isascii() or not text.isdigit():
            self.problem(item, "not_whole", value=text, example="6")
            return None
        return int(text)

    def _read_choice(self, item: FormField, raw: str) -> Any:
        chosen = option_value(" ".join(raw.split()))
        for value in self._allowed(item):
            if str(value) == chosen:
                return value
        self.problem(item, "not_an_option", value=raw.strip())
        return None

    def _allowed(self, item: FormField) -> list[Any]:
        values = spec.allowed_values(item)
        if values:
            return values
        return [option_value(text) for text in options(item, self.registries)]

    def _read_yes_no(self, item: FormField, raw: str) -> bool | None:
        first = raw.strip().split()[0].lower() if raw.strip() else ""
        yes = {i18n_label(language, "form.answer_yes") for language in LANGUAGES}
        no = {i18n_label(language, "form.answer_no") for language in LANGUAGES}
        if first in yes:
            return True
        if first in no:
            return False
        self.problem(item, "not_yes_no")
        return None

    def _read_choices(self, item: FormField, raw: str) -> list[Any] | None:
        ticked, _ = body_module.checked(raw)
        by_text = {text: option_value(text) for text in options(item, self.registries)}
        chosen = []
        for text in ticked:
            if text not in by_text:
                self.problem(item, "not_an_option", value=text)
                continue
            chosen.append(by_text[text])
        if not chosen and spec.is_required(item) and not self.failed(item):
            self.problem(item, "required")
        return chosen or None

    def _read_confirm(self, item: FormField, raw: str) -> bool:
        ticked, _ = body_module.checked(raw)
        if not ticked:
            self.problem(item, "not_confirmed")
        return bool(ticked)

    def _items(self, raw: str) -> list[str]:
        return [_LIST_MARKER.sub("", line).strip() for line in raw.split("\n") if _LIST_MARKER.sub("", line).strip()]

    def _read_lines(self, item: FormField, raw: str) -> list[str]:
        items = self._items(raw)
        if item.id in ID_LISTS:
            return [part for line in items for part in re.split(r"[\s,;]+", line) if part]
        return items

    def _read_codes(self, item: FormField, raw: str) -> list[str]:
        return [part.lower() for part in re.split(r"[\s,;]+", raw) if part]

    def _read_dates(self, item: FormField, raw: str) -> list[str]:
        dates = []
        for line in self._items(raw):
            match = _LATVIAN_DATE.match(line)
            dates.append(f"{match['year']}-{int(match['month']):02d}-{int(match['day']):02d}" if match else line)
        return dates

    def _read_places(self, item: FormField, raw: str) -> list[dict[str, str]]:
        places = []
        for line in self._items(raw):
            municipality, _, address = (" ".join(part.split()) for part in line.partition(";"))
            places.append({"municipality": municipality, **({"address": address} if address else {})})
        return places

    def _read_outcomes(self, item: FormField, raw: str) -> list[str]:
        return self._items(raw)

    def _read_esco(self, item: FormField, raw: str) -> dict[int, list[str]]:
        skills: dict[int, list[str]] = {}
        for number, line in enumerate((line for line in raw.split("\n") if line.strip()), start=1):
            # "- 2: uri" loses its list marker; "2. uri" keeps its number, which a list marker would look like.
            match = _ESCO_LINE.match(line if line.lstrip()[:1].isdigit() else _LIST_MARKER.sub("", line))
            if not match:
                self.problem(item, "esco_line", line=number, value=line.strip())
                continue
            outcome = int(match["number"])
            skills.setdefault(outcome, []).extend(part for part in re.split(r"[\s,;]+", match["skills"]) if part)
        return skills
