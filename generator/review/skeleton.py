"""A new, blank programme description, derived from the schema (`mqcat new`).

Every field of the micro-qualification schema appears in schema order, under a
comment made from its title and description. Required fields hold empty
placeholders (`""`, an empty value, `[]`) that fail validation until they are
filled in, so a half-written entry can never pass review unnoticed. Optional
fields are commented out: removing the leading `# ` of their lines turns them
into the same kind of placeholder.
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import schemas
from ..catalogue import AUTHORITIES_FILE, PROVIDERS_DIR, SECTORS_FILE
from ..i18n import LANGUAGES
from ..loader import LoadError, load_file
from . import fields

MODELINE = "# yaml-language-server: $schema=../../schema/micro-qualification.schema.json"
COMMENT_WIDTH = 100
ID_DEFINITION = "common.schema.json#/$defs/id"

FieldPath = tuple[str | int, ...]


def prefilled(entry_id: str, sector: str, provider: str, authority: str | None) -> dict[FieldPath, Any]:
    """The values `mqcat new` knows before the provider writes anything."""
    values: dict[FieldPath, Any] = {
        ("id",): entry_id,
        ("version",): fields.root(schemas.MICRO_QUALIFICATION)["properties"]["version"].get("minimum", 1),
        ("status",): "proposed",
        ("sector",): sector,
        ("awarding_bodies",): [provider],
    }
    if authority:
        values[("quality_assurance", "authorised_by")] = authority
    return values


def render(entry_id: str, sector: str, provider: str, authority: str | None) -> str:
    """The text of catalogue/<sector>/<entry_id>.yaml, ready to be filled in."""
    header = [
        MODELINE,
        "# A new micro-qualification for the catalogue, started with `mqcat new`.",
        '# Fill in every "" and every empty value; the comment above each field says what to write.',
        '# Optional fields are commented out: to use one, remove the "# " at the start of its lines;',
        "# delete the optional fields you do not need. Then check the file with:",
        f"#   mqcat validate catalogue/{sector}/{entry_id}.yaml",
        "",
    ]
    top = fields.root(schemas.MICRO_QUALIFICATION)
    values = prefilled(entry_id, sector, provider, authority)
    return "\n".join(header + _object_body(top, (), 0, values)) + "\n"


def _required(node: dict[str, Any]) -> set[str]:
    required = set(node.get("required", ()))
    # "at least one of" (anyOf of required lists): offer the first choice.
    choices = [option.get("required", ()) for option in node.get("anyOf", ()) if isinstance(option, dict)]
    if choices and all(choices):
        required.update(choices[0])
    return required


def _object_body(
    node: dict[str, Any],
    path: FieldPath,
    indent: int,
    values: Mapping[FieldPath, Any],
    *,
    required_first: bool = False,
) -> list[str]:
    required = _required(node)
    names = list(node.get("properties", {}))
    if required_first:
        names.sort(key=lambda name: name not in required)
    lines: list[str] = []
    council_fields = []
    for name in names:
        raw = node["properties"][name]
        if raw.get("readOnly"):
            council_fields.append(name)  # the council's record (`mqcat approve`): never the provider's to write
            continue
        lines.extend(_field(name, raw, path + (name,), indent, name in required, values))
    if council_fields:
        note = (
            f"Not yours to write: {', '.join(council_fields)}. The sector's council records its decision "
            "with `mqcat approve` (or `mqcat suspend`, `mqcat withdraw`) in your pull request."
        )
        lines.extend(" " * indent + "# " + line for line in textwrap.wrap(note, width=COMMENT_WIDTH - indent - 2))
    return lines


def _field(
    name: str, raw: dict[str, Any], path: FieldPath, indent: int, required: bool, values: Mapping[FieldPath, Any]
) -> list[str]:
    pad = " " * indent
    node = fields.resolve(raw)
    comment = textwrap.wrap(
        _comment(name, raw, node, path, required, values),
        width=COMMENT_WIDTH - indent - 2,
        break_on_hyphens=False,
        break_long_words=False,
    )
    lines = [f"{pad}# {line}" for line in comment]
    body = _value(name, node, path, indent, values)
    if not required and path not in values:
        body = [line[:indent] + "# " + line[indent:] for line in body]
    return lines + body


def _comment(
    name: str,
    raw: dict[str, Any],
    node: dict[str, Any],
    path: FieldPath,
    required: bool,
    values: Mapping[FieldPath, Any],
) -> str:
    title = node.get("title") or (fields.language_title(name) if name in LANGUAGES else name)
    parts = [f"{title}{'' if required else ' (optional)'}:"]
    description = str(node.get("description", "")).strip()
    if description:
        parts.append(description)
    elif node.get("type") in ("integer", "number"):
        parts.append(_number_note(node))
    if path in values:
        parts.append("(Filled in by mqcat new.)")
        return " ".join(parts)
    allowed = node.get("enum")
    if node.get("type") == "array":
        allowed = fields.resolve(node.get("items")).get("enum")
    if allowed and not all(str(value) in description for value in allowed):
        parts.append("One of: " + ", ".join(str(value) for value in allowed) + ".")
    if fields.is_text(node):
        parts.append(_languages_note(node))
    example = _example(raw, node)
    if example:
        parts.append(f"Example: {example}")
    if node.get("type") == "array" and fields.resolve(node.get("items")).get("type") == "object":
        parts.append('Write one block starting with "- " per item; copy the block for more.')
    return " ".join(parts)


def _languages_note(node: dict[str, Any]) -> str:
    required = set(node.get("required", ()))
    wanted = [f"{language} ({fields.language_title(language)})" for language in LANGUAGES if language in required]
    optional = [f"{language} ({fields.language_title(language)})" for language in LANGUAGES if language not in required]
    note = "Write " + " and ".join(wanted)
    if optional:
        return note + "; " + " and ".join(optional) + " is recommended: fill it in, or delete its line."
    return note + "."


def _number_note(node: dict[str, Any]) -> str:
    kind = "A whole number" if node.get("type") == "integer" else "A number"
    if "minimum" in node and "maximum" in node:
        return f"{kind} from {node['minimum']} to {node['maximum']}."
    return f"{kind}."


def _example(raw: dict[str, Any], node: dict[str, Any]) -> str:
    if fields.is_text(node):
        # Only the field's own example: the shared text definition's example is about something else.
        examples = raw.get("examples")
        if not examples or not isinstance(examples[0], dict):
            return ""
        example = examples[0]
        return " / ".join(
            json.dumps(example[language], ensure_ascii=False) for language in LANGUAGES if language in example
        )
    examples = node.get("examples")
    if not examples:
        return ""
    example = examples[0]
    if isinstance(example, dict) or (isinstance(example, list) and any(isinstance(item, dict) for item in example)):
        return ""  # a group of fields: the comments of its parts say enough
    return json.dumps(example, ensure_ascii=False)


def _value(name: str, node: dict[str, Any], path: FieldPath, indent: int, values: Mapping[FieldPath, Any]) -> list[str]:
    pad = " " * indent
    if path in values:
        value = values[path]
        if isinstance(value, list):
            return [f"{pad}{name}:"] + [f"{pad}  - {_scalar(item)}" for item in value]
        return [f"{pad}{name}: {_scalar(value)}"]
    kind = node.get("type")
    if fields.is_text(node):
        return [f"{pad}{name}:"] + [f'{pad}  {language}: ""' for language in LANGUAGES]
    if kind == "object":
        return [f"{pad}{name}:"] + _object_body(node, path, indent + 2, values)
    if kind == "array":
        items = fields.resolve(node.get("items"))
        if items.get("type") != "object":
            return [f"{pad}{name}: []"]
        body = _object_body(items, path + (0,), indent + 4, values, required_first=True)
        return [f"{pad}{name}:"] + _as_list_item(body, indent + 2)
    if kind == "string":
        return [f'{pad}{name}: ""']
    return [f"{pad}{name}:"]  # numbers and true/false: an empty value until written


def _as_list_item(lines: list[str], indent: int) -> list[str]:
    """Turn an object's lines at indent+2 into one list item `- ...` at `indent`."""
    out: list[str] = []
    started = False
    for line in lines:
        stripped = line[indent + 2 :]
        if not started and stripped.startswith("#"):
            out.append(" " * indent + stripped)
        elif not started:
            out.append(" " * indent + "- " + stripped)
            started = True
        else:
            out.append(line)
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False) if not _plain(str(value)) else str(value)


def _plain(text: str) -> bool:
    """Identifiers can go without quotes, as in the sample entries, unless YAML would read them as something else."""
    return re.fullmatch(r"[a-z][a-z0-9-]*", text) is not None and text not in ("true", "false", "null")


class Refused(Exception):
    """`mqcat new` cannot start the entry: what is wrong, and how to fix it."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}\nFix: {fix}")
        self.problem = problem
        self.fix = fix


def suggest_id(text: str) -> str:
    """An id in the allowed form made from any text (`Forklift_Basics` -> `forklift-basics`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _did_you_mean(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _registry(path: Path, key: str) -> list[dict[str, Any]]:
    """The records of a registry file, read safely; refuse when it cannot be read."""
    try:
        doc = load_file(path)
    except LoadError as error:
        raise Refused(
            f"cannot read {path.name}: {error.problem.text()}", "fix that file first (`mqcat validate`)"
        ) from None
    records = doc.data.get(key) if isinstance(doc.data, dict) else None
    return [record for record in records or () if isinstance(record, dict) and isinstance(record.get("id"), str)]


def check_new(catalogue_dir: Path, entry_id: str, sector: str, provider: str) -> str | None:
    """Refuse what `mqcat new` must not create; return the sector council's authority id (or None)."""
    id_schema = fields.subschema(schemas.MICRO_QUALIFICATION, ("id",)) or {}
    if not schemas.Validator(id_schema).is_valid(entry_id):
        suggestion = suggest_id(entry_id)
        example = f", e.g. '{suggestion}'" if suggestion and suggestion != entry_id else ""
        form = fields.resolve({"$ref": ID_DEFINITION}).get("description", "")
        raise Refused(
            f"'{entry_id}' is not a valid id. {form}",
            f"use {id_schema.get('minLength', 2)}-{id_schema.get('maxLength', 80)} lowercase letters (a-z), "
            f"digits and single hyphens{example}",
        )
    sector_ids = [record["id"] for record in _registry(catalogue_dir / SECTORS_FILE, "sectors")]
    if sector not in sector_ids:
        hint = _did_you_mean(sector, sector_ids)
        raise Refused(
            f"unknown sector '{sector}'" + (f": {hint}" if hint else ""),
            "use one of the sector ids in catalogue/sectors.yaml: " + ", ".join(sector_ids),
        )
    provider_ids = sorted(path.stem for path in (catalogue_dir / PROVIDERS_DIR).glob("*.yaml"))
    if provider not in provider_ids:
        hint = _did_you_mean(provider, provider_ids)
        raise Refused(
            f"unknown provider '{provider}'" + (f": {hint}" if hint else ""),
            f"use an existing provider id (a file in catalogue/{PROVIDERS_DIR}/), or register the provider first "
            f"by adding catalogue/{PROVIDERS_DIR}/{provider}.yaml (see CONTRIBUTING.md)",
        )
    for existing in sorted(catalogue_dir.glob(f"*/{entry_id}.yaml")):
        if existing.parent.name != PROVIDERS_DIR:
            shown = f"catalogue/{existing.parent.name}/{existing.name}"
            raise Refused(
                f"the id '{entry_id}' is already used by {shown}",
                "ids are unique across all sectors and never reused: choose another id; "
                f"to change that programme, edit {shown} and raise its version",
            )
    councils = [
        record["id"]
        for record in _registry(catalogue_dir / AUTHORITIES_FILE, "authorities")
        if record.get("sector") == sector
    ]
    return councils[0] if councils else None


def create(catalogue_dir: Path, entry_id: str, sector: str, provider: str) -> tuple[Path, str | None]:
    """Write catalogue/<sector>/<entry_id>.yaml; return its path and the authorising body filled in."""
    authority = check_new(catalogue_dir, entry_id, sector, provider)
    target = catalogue_dir / sector / f"{entry_id}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite a file that appeared meanwhile
        handle.write(render(entry_id, sector, provider, authority))
    return target, authority
