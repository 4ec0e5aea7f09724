"""Reading a catalogue folder: find its files, load them, validate, build the model.

The layout:

    catalogue/sectors.yaml              the sector registry
    catalogue/authorities.yaml          the authorising bodies
    catalogue/providers/<id>.yaml       one provider each
    catalogue/<sector-id>/<id>.yaml     one micro-qualification each
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import rules, schemas
from .loader import Document, LoadError, load_file
from .model import Authority, Catalogue, MicroQualification, Provider, Sector, Text
from .problems import Problem, Severity, display_path

SECTORS_FILE = "sectors.yaml"
AUTHORITIES_FILE = "authorities.yaml"
PROVIDERS_DIR = "providers"


@dataclass
class Result:
    """What validation found, and the catalogue when there was no error."""

    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    catalogue: Catalogue | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def find_repository_root(start: Path) -> Path:
    """The nearest folder at or above `start` that has a catalogue/ folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "catalogue").is_dir():
            return folder
    return start


def _kind(path: Path, catalogue_dir: Path) -> str | None:
    """Which record kind a file under catalogue/ holds, from where it lies."""
    relative = path.relative_to(catalogue_dir).parts
    if len(relative) == 1:
        return {SECTORS_FILE: "sectors", AUTHORITIES_FILE: "authorities"}.get(relative[0])
    if len(relative) == 2:
        return "provider" if relative[0] == PROVIDERS_DIR else "entry"
    return None


def validate(catalogue_dir: Path, only: set[Path] | None = None, root: Path | None = None) -> Result:
    """Validate the whole catalogue; report problems only for `only` files when given.

    Cross-file rules need every file, so the whole catalogue is always read; a
    path filter narrows what is reported (as `mqcat validate FILE` does).
    """
    root = root or catalogue_dir.parent
    result = Result()
    docs: dict[str, list[tuple[Path, Document]]] = {"sectors": [], "authorities": [], "provider": [], "entry": []}
    valid: dict[str, list[tuple[Path, Document]]] = {kind: [] for kind in docs}

    if not catalogue_dir.is_dir():
        result.problems.append(
            Problem(display_path(catalogue_dir, root), 1, 1, "", "the catalogue folder does not exist")
        )
        return result

    for path in sorted(catalogue_dir.rglob("*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        shown = display_path(path, root)
        kind = _kind(path, catalogue_dir) if path.suffix == ".yaml" else None
        if kind is None:
            hint = "rename it to .yaml" if path.suffix == ".yml" else "entries live at catalogue/<sector-id>/<id>.yaml"
            result.problems.append(Problem(shown, 1, 1, "", "this file is not part of the catalogue layout", hint=hint))
            continue
        result.files_checked += 1
        try:
            doc = load_file(path, shown)
        except LoadError as error:
            result.problems.append(error.problem)
            continue
        docs[kind].append((path, doc))

    schema_for = {
        "sectors": schemas.SECTORS,
        "authorities": schemas.AUTHORITIES,
        "provider": schemas.PROVIDER,
        "entry": schemas.MICRO_QUALIFICATION,
    }
    for kind, loaded in docs.items():
        for path, doc in loaded:
            found = schemas.check(doc, schema_for[kind])
            result.problems.extend(found)
            if not any(p.severity is Severity.ERROR for p in found):
                valid[kind].append((path, doc))

    for kind, name in (("sectors", SECTORS_FILE), ("authorities", AUTHORITIES_FILE)):
        if not docs[kind] and not any(p.file.endswith(name) for p in result.problems):
            result.problems.append(Problem(display_path(catalogue_dir / name, root), 1, 1, "", f"{name} is missing"))

    sector_ids = {s["id"] for _, d in valid["sectors"] for s in d.data["sectors"]}
    authority_ids = {a["id"] for _, d in valid["authorities"] for a in d.data["authorities"]}
    # A provider or entry with a schema error still exists: references to it are not "unknown".
    provider_ids = _ids(docs["provider"])
    for _, doc in valid["sectors"]:
        result.problems.extend(rules.check_sectors(doc))
    for _, doc in valid["authorities"]:
        result.problems.extend(rules.check_authorities(doc, sector_ids))
    for _, doc in valid["provider"]:
        result.problems.extend(rules.check_provider(doc))

    entries: dict[str, Document] = {}
    for path, doc in valid["entry"]:
        result.problems.extend(rules.check_entry(doc, path.parent.name))
        entry_id = doc.data["id"]
        if entry_id in entries:
            result.problems.append(
                doc.problem(
                    ("id",),
                    f"id '{entry_id}' is already used by {entries[entry_id].display}",
                    hint="ids are unique across all sectors; choose another",
                )
            )
            continue
        entries[entry_id] = doc
    for path in {p for p, _ in docs["entry"]}:
        folder = path.parent.name
        if sector_ids and folder not in sector_ids and folder != PROVIDERS_DIR:
            result.problems.append(
                Problem(
                    display_path(path, root),
                    1,
                    1,
                    "",
                    f"the folder '{folder}' is not a sector in catalogue/sectors.yaml",
                    hint="move the file into its sector's folder",
                )
            )
    # Reference checks need the registries; skip them when a registry failed, to avoid noise.
    if valid["sectors"] and valid["authorities"]:
        result.problems.extend(
            rules.check_references(entries, provider_ids, sector_ids, authority_ids, entry_ids=_ids(docs["entry"]))
        )

    # Documents that failed the schema count towards completeness: no model on any error,
    # including errors in files that the path filter leaves out of the report.
    complete = not result.errors and all(len(docs[kind]) == len(valid[kind]) for kind in docs)
    if only is not None:
        shown_only = {display_path(p, root) for p in only}
        result.problems = [p for p in result.problems if p.file in shown_only]
    result.problems.sort()
    if complete:
        result.catalogue = _build(valid)
    return result


def _ids(loaded: list[tuple[Path, Document]]) -> set[str]:
    """The ids that loaded documents give, whether or not they passed the schema."""
    return {d.data["id"] for _, d in loaded if isinstance(d.data, dict) and isinstance(d.data.get("id"), str)}


def _build(valid: dict[str, list[tuple[Path, Document]]]) -> Catalogue:
    sectors: dict[str, Sector] = {}
    maintainers: tuple[str, ...] = ()
    for _, doc in valid["sectors"]:
        maintainers = tuple(doc.data["maintainers"])
        for s in doc.data["sectors"]:
            sectors[s["id"]] = Sector(
                s["id"],
                Text.from_data(s["name"]),
                Text.from_data(s["council"]),
                tuple(s["nace"]),
                tuple(s["reviewers"]),
            )
    authorities: dict[str, Authority] = {}
    for _, doc in valid["authorities"]:
        for a in doc.data["authorities"]:
            authorities[a["id"]] = Authority(
                a["id"],
                Text.from_data(a["name"]),
                a["type"],
                a["country"],
                a.get("sector"),
                a.get("website"),
            )
    providers = {d.data["id"]: Provider.from_data(d.data, d.display) for _, d in valid["provider"]}
    entries = {d.data["id"]: MicroQualification.from_data(d.data, d.display) for _, d in valid["entry"]}
    return Catalogue(sectors, authorities, providers, entries, maintainers)


def load_catalogue(catalogue_dir: Path) -> Catalogue:
    """The validated catalogue, or CatalogueInvalid carrying every problem."""
    result = validate(catalogue_dir)
    if result.catalogue is None:
        raise CatalogueInvalid(result)
    return result.catalogue


class CatalogueInvalid(Exception):
    def __init__(self, result: Result) -> None:
        shown = "\n".join(p.text() for p in result.errors[:10])
        more = f"\n... and {len(result.errors) - 10} more" if len(result.errors) > 10 else ""
        super().__init__(f"{len(result.errors)} error(s) in the catalogue:\n{shown}{more}")
        self.result = result
