"""Reading a catalogue folder: find its files, load them, validate, build the model.

Which files make the catalogue, and which paths are errors, is decided by
`layout.py` (catalogue/sectors.yaml, catalogue/authorities.yaml,
catalogue/providers/<id>.yaml, catalogue/<sector-id>/<id>.yaml).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from . import layout, rules, schemas
from .credentials import keys, status_lists
from .layout import AUTHORITIES_FILE, PROVIDERS_DIR, SECTORS_FILE, STATUS_LISTS_DIR
from .loader import Document, LoadError, load_bytes, load_file, read_file
from .model import Authority, Catalogue, MicroQualification, Provider, Sector, Text
from .problems import Problem, Severity, display_path, limit_per_file

__all__ = ["AUTHORITIES_FILE", "PROVIDERS_DIR", "SECTORS_FILE", "FileCache", "Result", "load_catalogue", "validate"]


@dataclass
class Result:
    """What validation found, and the catalogue when there was no error."""

    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    notes: list[str] = field(default_factory=list)  # paths skipped because git ignores them
    catalogue: Catalogue | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


_Made = TypeVar("_Made")


@dataclass
class _Cached:
    digest: str
    document: Document
    results: dict[Hashable, Any] = field(default_factory=dict)


class FileCache:
    """Catalogue files as an earlier validation loaded them, reused while their bytes stay the same.

    `mqcat serve` validates after every change: with a cache only the changed files
    are parsed, schema-checked and turned into model objects again. The rules that
    look across files run on the assembled catalogue every time. `digests` holds the
    SHA-256 of every file the last validation read, by display path (as `Problem.file`
    and the model's `source` name it), for builds that track what each page depends on.
    """

    def __init__(self) -> None:
        self._files: dict[tuple[Path, str], _Cached] = {}
        self.digests: dict[str, str] = {}
        self._seen: set[tuple[Path, str]] = set()
        self._shown: dict[tuple[Path, Path], str] = {}

    def begin(self) -> None:
        self.digests, self._seen = {}, set()

    def end(self) -> None:
        """Forget the files the last validation did not read (removed, renamed)."""
        self._files = {key: cached for key, cached in self._files.items() if key in self._seen}

    def load(self, path: Path, display: str) -> Document:
        """`load_file`, from the cache when the bytes are those loaded before."""
        raw = read_file(path, display)
        digest = hashlib.sha256(raw).hexdigest()
        self.digests[display] = digest
        key = (path, display)
        self._seen.add(key)
        cached = self._files.get(key)
        if cached is None or cached.digest != digest:
            cached = _Cached(digest, load_bytes(raw, path, display))  # a LoadError is not kept
            self._files[key] = cached
        return cached.document

    def _of(self, doc: Document) -> _Cached | None:
        cached = self._files.get((doc.path, doc.display))
        return cached if cached is not None and cached.document is doc else None

    def result(self, doc: Document, key: Hashable, compute: Callable[[], _Made]) -> _Made:
        """`compute()`, once per loaded document and `key`: what depends on the document alone.

        Every caller names in `key` whatever else its result depends on (a schema, a folder name).
        """
        cached = self._of(doc)
        if cached is None:
            return compute()
        if key not in cached.results:
            cached.results[key] = compute()
        made: _Made = cached.results[key]
        return made

    def problems(self, doc: Document, key: Hashable, compute: Callable[[], list[Problem]]) -> list[Problem]:
        """`result` for a list of problems (a copy: the caller may change it)."""
        return list(self.result(doc, key, compute))

    def display(self, path: Path, root: Path) -> str:
        """`display_path(path, root)`, once per path."""
        return self._shown.get((path, root)) or self._shown.setdefault((path, root), display_path(path, root))


def find_repository_root(start: Path) -> Path:
    """The nearest folder at or above `start` that has a catalogue/ folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "catalogue").is_dir():
            return folder
    return start


def validate(
    catalogue_dir: Path,
    only: set[Path] | None = None,
    root: Path | None = None,
    *,
    publish: bool = False,
    cache: FileCache | None = None,
) -> Result:
    """Validate the whole catalogue; report problems only for `only` files when given.

    Cross-file rules need every file, so the whole catalogue is always read; a
    path filter narrows what is reported (as `mqcat validate FILE` does). With
    `publish`, a proposed entry is an error: what is published must be approved.
    A `cache` (kept between validations) spares parsing the files that did not change.
    """
    root = root or catalogue_dir.parent
    result = Result()
    docs: dict[str, list[tuple[Path, Document]]] = {kind.value: [] for kind in layout.Kind}
    valid: dict[str, list[tuple[Path, Document]]] = {kind: [] for kind in docs}

    try:  # Named as given: resolving would follow the link that scan refuses.
        shown_as = catalogue_dir.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        shown_as = display_path(catalogue_dir, root)
    listing = layout.scan(catalogue_dir, shown_as)
    result.problems.extend(listing.problems)
    result.notes = listing.notes()
    if not listing.readable:
        return result
    unreadable_entries: set[str] = set()
    # Results that depend on one file alone, kept with the file while its bytes stay the same.
    known = cache or FileCache()
    if cache is not None:
        cache.begin()
    for found in listing.files:
        shown = cache.display(found.path, root) if cache is not None else display_path(found.path, root)
        result.files_checked += 1
        try:
            doc = cache.load(found.path, shown) if cache is not None else load_file(found.path, shown)
        except LoadError as error:
            result.problems.append(error.problem)
            if found.kind.value == "entry":
                unreadable_entries.add(found.path.stem)  # it exists: references to it are not "unknown"
            continue
        docs[found.kind.value].append((found.path, doc))

    # A private key pasted into a provider file is exposed once pushed: say so whatever else is wrong.
    for _, doc in docs["provider"] + docs["status-list"]:
        result.problems.extend(known.problems(doc, "private keys", partial(keys.private_material_problems, doc)))

    schema_for = {
        "sectors": schemas.SECTORS,
        "authorities": schemas.AUTHORITIES,
        "provider": schemas.PROVIDER,
        "status-list": schemas.STATUS_LIST,
        "entry": schemas.MICRO_QUALIFICATION,
    }
    # Per entry document, the fields with schema errors: the rules skip only those.
    broken: dict[int, frozenset[str]] = {}
    for kind, loaded in docs.items():
        for path, doc in loaded:
            problems = known.problems(doc, ("schema", schema_for[kind]), partial(schemas.check, doc, schema_for[kind]))
            result.problems.extend(problems)
            errors = frozenset(p.field for p in problems if p.severity is Severity.ERROR)
            if errors:
                broken[id(doc)] = errors
            else:
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
        result.problems.extend(keys.check_signing_keys(doc))
    result.problems.extend(keys.check_key_reuse([doc for _, doc in valid["provider"]]))
    for _, doc in valid["status-list"]:
        result.problems.extend(status_lists.check_status_list(doc, provider_ids))

    # The shipped sample data: entries of fictional providers (even one with a schema error) are examples.
    example_providers = {
        d.data.get("id") for _, d in docs["provider"] if isinstance(d.data, dict) and d.data.get("example") is True
    }
    # Every entry that loaded as a mapping is checked, with or without schema errors: a provider
    # sees all problems in one run. Rules skip the fields the schema already reported.
    entries: dict[str, Document] = {}
    entry_broken: dict[str, frozenset[str]] = {}
    for path, doc in docs["entry"]:
        if not isinstance(doc.data, dict):
            continue
        fields = broken.get(id(doc), frozenset())
        folder = path.parent.name
        result.problems.extend(
            known.problems(doc, ("entry", folder, fields), partial(rules.check_entry, doc, folder, fields))
        )
        bodies = doc.data["awarding_bodies"] if rules.usable(fields, "awarding_bodies") else None
        # With an unknown awarding body it cannot be told whether this is sample data: that error comes first.
        if bodies is not None and set(bodies) <= provider_ids and rules.usable(fields, "quality_assurance.decision"):
            sample = bool(set(bodies) & example_providers)
            result.problems.extend(
                known.problems(doc, ("decision", sample), partial(rules.check_decision, doc, sample_data=sample))
            )
        if publish and rules.usable(fields, "status"):
            result.problems.extend(known.problems(doc, "publishable", partial(rules.check_publishable, doc)))
        if not rules.usable(fields, "id"):
            continue
        entry_id = doc.data["id"]
        entry_broken[entry_id] = fields
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
        if sector_ids and folder not in sector_ids and folder not in (PROVIDERS_DIR, STATUS_LISTS_DIR):
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
    entry_ids = _ids(docs["entry"]) | unreadable_entries
    # Reference checks need the registries; skip them when a registry failed, to avoid noise.
    if valid["sectors"] and valid["authorities"]:
        result.problems.extend(
            rules.check_references(
                entries, provider_ids, sector_ids, authority_ids, entry_ids=entry_ids, broken=entry_broken
            )
        )

    # Documents that failed the schema count towards completeness: no model on any error,
    # including errors in files that the path filter leaves out of the report.
    complete = not result.errors and all(len(docs[kind]) == len(valid[kind]) for kind in docs)
    if only is not None:
        shown_only = {display_path(p, root) for p in only}
        result.problems = [p for p in result.problems if p.file in shown_only]
    result.problems = limit_per_file(result.problems)
    if complete:
        result.catalogue = _build(valid, known)
    if cache is not None:
        cache.end()
    return result


def _ids(loaded: list[tuple[Path, Document]]) -> set[str]:
    """The ids that loaded documents give, whether or not they passed the schema."""
    return {d.data["id"] for _, d in loaded if isinstance(d.data, dict) and isinstance(d.data.get("id"), str)}


def _build(valid: dict[str, list[tuple[Path, Document]]], cache: FileCache) -> Catalogue:
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
    providers = {
        d.data["id"]: cache.result(d, "model", partial(Provider.from_data, d.data, d.display))
        for _, d in valid["provider"]
    }
    entries: dict[str, MicroQualification] = {}
    proposals: dict[str, MicroQualification] = {}
    for _, doc in valid["entry"]:
        entry = cache.result(doc, "model", partial(MicroQualification.from_data, doc.data, doc.display))
        (proposals if entry.proposed else entries)[entry.id] = entry
    revoked = {d.data["provider"]: frozenset(i["index"] for i in d.data["revoked"]) for _, d in valid["status-list"]}
    return Catalogue(sectors, authorities, providers, entries, maintainers, proposals, revoked)


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
