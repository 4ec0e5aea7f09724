"""Reading the Markdown that GitHub writes for a submitted issue form.

GitHub turns each form element into a `### <label>` heading followed by the
answer; an optional element left empty reads `_No response_`; checkboxes read
`- [X] <option>` or `- [ ] <option>`. The body is plain text under the
submitter's control (they can edit it by hand), so only headings that are
exactly one of the form's labels start a field, a label that appears twice is
reported rather than guessed at, and nothing in the text is ever interpreted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .spec import Form, bilingual_label

# GitHub refuses issue bodies longer than this many characters.
MAX_BODY_CHARACTERS = 65_536
NO_RESPONSE = "_No response_"
_HEADING = re.compile(r"^###[ \t]+(?P<label>.*?)[ \t]*$")
_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<label>.*?)\s*$")


@dataclass
class Answers:
    """The answers of one submitted form, by element id, as the submitter wrote them."""

    values: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # element ids whose heading is not in the body
    repeated: dict[str, int] = field(default_factory=dict)  # element id -> how often its heading appears
    length: int = 0

    @property
    def too_long(self) -> bool:
        return self.length > MAX_BODY_CHARACTERS


def normalise(body: str) -> str:
    """Line endings as `\\n` whatever the browser or an API client sent."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def split(body: str, form: Form) -> Answers:
    """The answer under each of the form's headings; empty for `_No response_`."""
    text = normalise(body)
    answers = Answers(length=len(text))
    by_label = {bilingual_label(item): item.id for item in form.fields}
    lines: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.split("\n"):
        match = _HEADING.match(line)
        if match and match["label"] in by_label:
            current = by_label[match["label"]]
            answers.repeated[current] = answers.repeated.get(current, 0) + 1
            lines[current] = []
            continue
        if current is not None:
            lines[current].append(line)
    for item in form.fields:
        if item.id not in lines:
            answers.missing.append(item.id)
            continue
        value = "\n".join(lines[item.id]).strip("\n")
        answers.values[item.id] = "" if value.strip() == NO_RESPONSE else value
    answers.repeated = {key: count for key, count in answers.repeated.items() if count > 1}
    return answers


def matches(body: str, form: Form) -> int:
    """How many of the form's headings the body has: which form a body was written with."""
    labels = {bilingual_label(item) for item in form.fields}
    found = {m["label"] for m in map(_HEADING.match, normalise(body).split("\n")) if m and m["label"] in labels}
    return len(found)


def checked(answer: str) -> tuple[list[str], list[str]]:
    """The ticked and the unticked options of a checkboxes answer, in order."""
    ticked: list[str] = []
    unticked: list[str] = []
    for line in answer.split("\n"):
        match = _CHECKBOX.match(line)
        if match:
            (ticked if match["mark"] in "xX" else unticked).append(match["label"])
    return ticked, unticked
