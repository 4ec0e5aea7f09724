"""Rules a JSON Schema cannot express: consistency within a file and across files.

Each rule reads documents that already passed the schema, so it can rely on
field types; it reports problems at the position of the offending node.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from .context import LISTING_PAGE, RESERVED_PATHS
from .loader import Document
from .model import PROPOSED
from .problems import Problem, Severity

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


ECTS_HOURS = (25, 30)


@cache
def isced_f_fields() -> dict[str, str]:
    """ISCED-F 2013 detailed fields: code -> English label."""
    table = json.loads((VOCAB_DIR / "isced-f.json").read_text(encoding="utf-8"))
    return table["fields"]


def usable(broken: frozenset[str], *fields: str) -> bool:
    """None of `fields` (dotted paths) is, holds or lies inside a field with a schema error.

    Rules run on documents with schema errors too, so that a provider sees every
    problem in one run; a rule whose input is broken stays silent (the schema's
    message already covers that field: one message per problem).
    """
    for bad in broken:
        if not bad:
            return False
        for name in fields:
            if name == bad or name.startswith((bad + ".", bad + "[")) or bad.startswith((name + ".", name + "[")):
                return False
    return True


def _warning(doc: Document, path: tuple[str | int, ...], message: str, hint: str = "") -> Problem:
    return doc.problem(path, message, hint=hint, severity=Severity.WARNING)


def check_entry(doc: Document, sector_folder: str, broken: frozenset[str] = frozenset()) -> list[Problem]:
    """Rules about one programme description on its own (those whose fields passed the schema)."""
    data: dict[str, Any] = doc.data
    problems: list[Problem] = []
    stem = doc.path.stem

    def ok(*fields: str) -> bool:
        return usable(broken, *fields)

    if ok("id") and data["id"] != stem:
        problems.append(
            doc.problem(
                ("id",),
                f"id '{data['id']}' differs from the file name '{stem}.yaml'",
                hint=f"rename the file to {data['id']}.yaml or set `id: {stem}`",
            )
        )
    if ok("id") and data["id"] == LISTING_PAGE:
        problems.append(
            doc.problem(
                ("id",),
                f"the id '{LISTING_PAGE}' is reserved: a sector's list of entries goes on at {LISTING_PAGE}/2/, ...",
                hint="choose another id (and rename the file to match)",
            )
        )
    if ok("sector") and data["sector"] != sector_folder:
        problems.append(
            doc.problem(
                ("sector",),
                f"sector '{data['sector']}' differs from the folder '{sector_folder}'",
                hint=f"move the file to catalogue/{data['sector']}/ or set `sector: {sector_folder}`",
            )
        )
    if ok("level"):
        level = data["level"]
        if level["eqf"] != level["lki"]:
            problems.append(
                doc.problem(
                    ("level", "eqf"),
                    f"EQF level {level['eqf']} differs from LKI level {level['lki']}",
                    hint=f"LKI levels map one to one onto EQF levels: set `eqf: {level['lki']}`",
                )
            )
    if ok("isced_f") and data["isced_f"] not in isced_f_fields():
        problems.append(
            doc.problem(
                ("isced_f",),
                f"'{data['isced_f']}' is not an ISCED-F 2013 detailed field",
                hint='use a four-digit code such as "1041" (transport services); see the about page for the list',
            )
        )
    status = data["status"] if ok("status") else None
    if ok("quality_assurance"):
        qa = data["quality_assurance"]
        if status is not None and status != PROPOSED:
            problems.extend(_missing_decision(doc, qa))
        if "review_due" in qa and "decision_date" in qa and qa["review_due"] <= qa["decision_date"]:
            problems.append(
                doc.problem(
                    ("quality_assurance", "review_due"),
                    f"review due {qa['review_due']} is not after the approval date {qa['decision_date']}",
                    hint="set the date of the next review, usually two to three years after approval",
                )
            )
    if ok("workload") and "ects" in data["workload"]:
        workload = data["workload"]
        low, high = ECTS_HOURS
        per_credit = workload["hours"] / workload["ects"]
        if not low <= per_credit <= high:
            problems.append(
                _warning(
                    doc,
                    ("workload", "ects"),
                    f"{workload['hours']} hours for {workload['ects']} ECTS is {per_credit:.1f} hours per credit; "
                    f"1 ECTS is {low}-{high} hours",
                    hint=f"for {workload['hours']} hours, ECTS is between {workload['hours'] / high:.1f} and "
                    f"{workload['hours'] / low:.1f}",
                )
            )
    if status in ("suspended", "withdrawn") and "status_reason" not in data:
        problems.append(
            doc.problem(
                ("status",),
                f"a {status} entry needs a status_reason",
                hint="add `status_reason:` with lv and en texts saying why",
            )
        )
    if "replaced_by" in data and status is not None and ok("replaced_by", "id"):
        if status != "withdrawn":
            problems.append(
                doc.problem(
                    ("replaced_by",),
                    "replaced_by is only for withdrawn entries",
                    hint="remove it, or set `status: withdrawn`",
                )
            )
        elif data["replaced_by"] == data["id"]:
            problems.append(doc.problem(("replaced_by",), "an entry cannot replace itself"))
    if ok("participation_form", "locations"):
        form = data["participation_form"]
        if form != "online" and not data.get("locations"):
            article = "an" if form[0] in "aeiou" else "a"
            problems.append(
                doc.problem(
                    ("locations",),
                    f"{article} {form} programme needs at least one place",
                    hint="add `locations:` with the municipality where learners attend",
                    key=True,
                )
            )
    if ok("cost"):
        cost = data["cost"]
        if cost["type"] == "paid":
            for part in ("amount", "currency"):
                if part not in cost:
                    problems.append(
                        doc.problem(
                            ("cost", part),
                            f"a paid programme needs cost.{part}",
                            hint="e.g. `amount: 350` and `currency: EUR`",
                            key=True,
                        )
                    )
        elif cost["type"] == "funded" and "funding" not in cost:
            problems.append(
                doc.problem(
                    ("cost", "funding"),
                    "a funded programme needs cost.funding: who funds it and who is eligible",
                    key=True,
                )
            )
    if ok("intakes"):
        intakes = data["intakes"]
        if not intakes["on_demand"] and not intakes.get("starts") and status == "active":
            problems.append(
                _warning(
                    doc,
                    ("intakes",),
                    "no start date and not on demand: learners cannot tell when to start",
                    hint="add `starts:` dates or set `on_demand: true`",
                )
            )
    if ok("stackability", "id"):
        stack = data.get("stackability") or {}
        if data["id"] in stack.get("stacks_into", ()):
            problems.append(doc.problem(("stackability", "stacks_into"), "an entry cannot stack into itself"))
    problems.extend(p for p in check_english(doc) if usable(broken, p.field))
    return problems


def _missing_decision(doc: Document, qa: dict[str, Any]) -> list[Problem]:
    """An entry that is not proposed carries the council's decision."""
    titles = {"decision": "Decision reference", "decision_date": "Approval date", "review_due": "Review due"}
    return [
        doc.problem(
            ("quality_assurance", name),
            f"required field '{name}' ({title}) is missing",
            hint="the council records its decision with `mqcat approve`; until then the entry is `status: proposed`",
            key=True,
        )
        for name, title in titles.items()
        if name not in qa
    ]


# Words that mark a value as not (yet) the council's record: drafts, to-dos, examples.
PLACEHOLDER_WORDS = re.compile(
    r"(?<![\w])(draft|todo|tbd|tba|fixme|xxx+|placeholder|provisional|example|sample|dummy|test|lorem|"
    r"melnraksts|melnrakst\w*|piem[eē]rs|piem[eē]ram|pagaidu|paraugs|aizpild\w*|nav zin\w*)(?![\w])",
    re.IGNORECASE,
)


def placeholder_reason(decision: str) -> str | None:
    """Why a decision reference looks like a placeholder rather than the council's record, or None."""
    found = PLACEHOLDER_WORDS.search(decision)
    if found:
        return f"'{found.group(0)}' marks a draft or an example"
    if not any(character.isdigit() for character in decision):
        return "it has no number: a decision names the council's minutes (Nr.) and item"
    return None


def check_decision(doc: Document, sample_data: bool) -> list[Problem]:
    """The decision reference is the council's record, never a placeholder a provider typed.

    The shipped sample data (entries of fictional example providers) is marked as
    examples on purpose and is exempt.
    """
    qa = doc.data.get("quality_assurance")
    decision = qa.get("decision") if isinstance(qa, dict) else None
    if not isinstance(decision, str) or sample_data:
        return []
    reason = placeholder_reason(decision)
    if reason is None:
        return []
    return [
        doc.problem(
            ("quality_assurance", "decision"),
            f"'{decision}' does not look like the council's decision: {reason}",
            hint="only the council records its decision, with "
            '`mqcat approve ID --decision "Protokols Nr. 3/2026, 4. p." --date YYYY-MM-DD`; '
            "a provider leaves the decision out and keeps `status: proposed`",
        )
    ]


def check_publishable(doc: Document) -> list[Problem]:
    """A published catalogue holds no proposal: it must not be merged before the council decided."""
    if doc.data.get("status") != PROPOSED:
        return []
    return [
        doc.problem(
            ("status",),
            "a proposed entry cannot be published: the council has not recorded its decision",
            hint="the council records it with `mqcat approve` in the pull request before merging; "
            "until then the pull request stays open",
        )
    ]


_REQUIRED_BILINGUAL = {("title",)}


def check_english(doc: Document) -> list[Problem]:
    """Warn where a text has no English version (English serves recognition abroad)."""
    problems: list[Problem] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            if "lv" in value and set(value) <= {"lv", "en"} and isinstance(value["lv"], str):
                if "en" not in value and path not in _REQUIRED_BILINGUAL:
                    problems.append(
                        _warning(
                            doc,
                            path,
                            "the English text is missing",
                            hint="add `en:` beside `lv:`; the English site otherwise shows the Latvian text",
                        )
                    )
                return
            for key, item in value.items():
                if key != "keywords":
                    walk(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, path + (index,))

    walk(doc.data, ())
    return problems


def check_provider(doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    stem = doc.path.stem
    if doc.data["id"] != stem:
        problems.append(
            doc.problem(
                ("id",),
                f"id '{doc.data['id']}' differs from the file name '{stem}.yaml'",
                hint=f"rename the file to {doc.data['id']}.yaml or set `id: {stem}`",
            )
        )
    problems.extend(check_english(doc))
    return problems


def check_sectors(doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, sector in enumerate(doc.data["sectors"]):
        sid = sector["id"]
        if sid in seen:
            problems.append(
                doc.problem(("sectors", index, "id"), f"sector id '{sid}' is used twice (also sectors[{seen[sid]}])")
            )
        seen.setdefault(sid, index)
        if sid in RESERVED_PATHS:
            problems.append(
                doc.problem(
                    ("sectors", index, "id"),
                    f"'{sid}' is reserved for the site's own pages",
                    hint="choose another sector id",
                )
            )
    return problems


def check_authorities(doc: Document, sector_ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, authority in enumerate(doc.data["authorities"]):
        if authority["id"] in seen:
            problems.append(
                doc.problem(("authorities", index, "id"), f"authority id '{authority['id']}' is used twice")
            )
        seen.add(authority["id"])
        sector = authority.get("sector")
        if sector is not None and sector not in sector_ids:
            problems.append(
                _unknown(doc, ("authorities", index, "sector"), "sector", sector, sector_ids, "catalogue/sectors.yaml")
            )
    return problems


def _unknown(doc: Document, path: tuple[str | int, ...], kind: str, value: str, known: set[str], where: str) -> Problem:
    import difflib

    # Only a near miss is a typing mistake; a loose match would point at an unrelated id.
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.8)
    hint = f"did you mean '{close[0]}'?" if close else f"add it to {where} first, or use an existing id"
    return doc.problem(path, f"unknown {kind} '{value}'", hint=hint)


def check_references(
    entries: dict[str, Document],
    provider_ids: set[str],
    sector_ids: set[str],
    authority_ids: set[str],
    entry_ids: set[str] | None = None,
    broken: dict[str, frozenset[str]] | None = None,
) -> list[Problem]:
    """Every reference resolves, and stackability has no cycles.

    `entries` are the entries to check; `entry_ids` (default: their ids) are all
    the ids that exist, including those of files that could not be read.
    `broken` holds, per entry id, the fields with schema errors: references in
    them are not checked (the schema already reported them).
    """
    problems: list[Problem] = []
    entry_ids = set(entries) if entry_ids is None else entry_ids
    broken = broken or {}
    for entry_id, doc in entries.items():
        data = doc.data

        def ok(*fields: str, entry_id: str = entry_id) -> bool:
            return usable(broken.get(entry_id, frozenset()), *fields)

        if ok("sector") and data["sector"] not in sector_ids:
            problems.append(_unknown(doc, ("sector",), "sector", data["sector"], sector_ids, "catalogue/sectors.yaml"))
        for index, provider in enumerate(data["awarding_bodies"] if ok("awarding_bodies") else ()):
            if provider not in provider_ids:
                problems.append(
                    _unknown(
                        doc, ("awarding_bodies", index), "provider", provider, provider_ids, "catalogue/providers/"
                    )
                )
        authority = data["quality_assurance"]["authorised_by"] if ok("quality_assurance.authorised_by") else None
        if authority is not None and authority not in authority_ids:
            problems.append(
                _unknown(
                    doc,
                    ("quality_assurance", "authorised_by"),
                    "authorising body",
                    authority,
                    authority_ids,
                    "catalogue/authorities.yaml",
                )
            )
        stack = (data.get("stackability") or {}) if ok("stackability") else {}
        for index, target in enumerate(stack.get("stacks_into", ())):
            if target not in entry_ids:
                problems.append(
                    _unknown(
                        doc,
                        ("stackability", "stacks_into", index),
                        "micro-qualification",
                        target,
                        entry_ids,
                        "the catalogue",
                    )
                )
        replacement = data.get("replaced_by") if ok("replaced_by") else None
        if replacement is not None and replacement != entry_id:
            if replacement not in entry_ids:
                problems.append(
                    _unknown(doc, ("replaced_by",), "micro-qualification", replacement, entry_ids, "the catalogue")
                )
            elif replacement in entries and entries[replacement].data.get("status") == "withdrawn":
                problems.append(
                    doc.problem(
                        ("replaced_by",),
                        f"the replacement '{replacement}' is withdrawn too",
                        hint="point to an entry that learners can still take",
                        severity=Severity.WARNING,
                    )
                )
    problems.extend(
        _stack_cycles({i: d for i, d in entries.items() if usable(broken.get(i, frozenset()), "stackability")})
    )
    return problems


def _stack_cycles(entries: dict[str, Document]) -> list[Problem]:
    graph = {
        entry_id: [
            t for t in (doc.data.get("stackability") or {}).get("stacks_into", ()) if t in entries and t != entry_id
        ]
        for entry_id, doc in entries.items()
    }
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    problems: list[Problem] = []
    for start in sorted(graph):
        if colour[start] != WHITE:
            continue
        # Iterative depth-first search: catalogues can be large and chains long.
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = [start]
        colour[start] = GREY
        while stack:
            node, index = stack[-1]
            if index < len(graph[node]):
                stack[-1] = (node, index + 1)
                target = graph[node][index]
                if colour[target] == GREY:
                    cycle = trail[trail.index(target) :] + [target]
                    doc = entries[node]
                    position = doc.data["stackability"]["stacks_into"].index(target)
                    problems.append(
                        doc.problem(
                            ("stackability", "stacks_into", position),
                            "stackability cycle: " + " -> ".join(cycle),
                            hint="a micro-qualification cannot be part of itself; remove one link",
                        )
                    )
                elif colour[target] == WHITE:
                    colour[target] = GREY
                    stack.append((target, 0))
                    trail.append(target)
            else:
                colour[node] = BLACK
                stack.pop()
                trail.pop()
    return problems
