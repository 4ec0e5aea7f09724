"""Immutable published versions of every entry, read from the catalogue's git history.

Every version of an entry that was ever published stays at

    api/v1/entries/<id>/v<version>.json

with bytes that never change, and `api/v1/versions.json` lists each version
with its address and its SHA-256 digest in Subresource Integrity form, so that a
credential (W3C VC 2.0 `relatedResource` with `digestSRI`) can pin exactly the
description it certifies.

Why the bytes cannot change:

* A versioned file holds the canonical JSON of the SOURCE document (the entry's
  YAML as the loader reads it) in a fixed envelope `{"entry", "id", "version"}`:
  keys sorted, compact separators, UTF-8. Nothing the generator derives is in
  it, so changes to the generator never touch old versions.
* A version is published at the first commit on the main line (`--first-parent`)
  in which that (id, version) appears, and its content is that commit's. Later
  commits that keep the version (new intake dates, a contact, a withdrawal) do
  not alter it; the living description is `api/v1/entries/<id>.json`.
* The build refuses when the working tree's entry keeps a published version but
  changed in substance (the fields for which the schema says "raise the
  version"), and when the clone is shallow (its history would rewrite versions).

History is read in one pass, linear in the number of changes: `git log
--first-parent --reverse --raw` over catalogue/, then one `git cat-file
--batch` for the blobs of entry files. The same pass gives each entry file's
last change date (`last_changed`) for the site.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from pathlib import Path, PurePosixPath
from typing import Any

from . import layout
from .context import VERSIONS_MANIFEST, BuildContext, entry_json_path, version_path
from .git import Repository
from .loader import MAX_FILE_BYTES, LoadError, load_file, parse_text
from .model import SUBSTANTIVE_FIELDS, Catalogue, MicroQualification
from .problems import Problem, Severity

CATALOGUE_DIR = layout.CATALOGUE_DIR
MANIFEST_FORMAT = {"name": "mqcat-versions", "version": "1.0"}
MEDIA_TYPE = "application/json"

# Ids and versions from history end up in file paths: accept only what the schema allows.
_MAX_VERSION = 999
_HEADER = "\x01"


class VersionsRefused(Exception):
    """The build must not publish: a published version would change. Carries the problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class PublishedVersion:
    """One (id, version) as first published: its versioned file's bytes and where it came from.

    The bytes, not the parsed document, are kept: a catalogue's whole history as Python
    objects took 30 MB per 1,000 entries in the build's process, the bytes a third of that.
    """

    id: str
    version: int
    content: bytes  # the exact bytes of the versioned file (canonical_bytes)
    path: str  # repository path of the file it was read from
    commit: str | None = None  # None: not committed yet (working tree only)
    date: dt.date | None = None

    @classmethod
    def of(
        cls,
        entry_id: str,
        version: int,
        data: dict[str, Any],
        path: str,
        commit: str | None = None,
        date: dt.date | None = None,
    ) -> PublishedVersion:
        """The version of a source document."""
        return cls(entry_id, version, canonical_bytes(entry_id, version, data), path, commit, date)

    @property
    def data(self) -> dict[str, Any]:
        """The source document, decoded from the bytes on every call (not kept)."""
        entry: dict[str, Any] = json.loads(self.content)["entry"]
        return entry


@dataclass
class History:
    """What the catalogue's main line of history says about entries."""

    # (id, version) -> the first commit in which it appears.
    versions: dict[tuple[str, int], PublishedVersion] = field(default_factory=dict)
    # Entry file path relative to catalogue/ (`<sector>/<id>.yaml`) -> date of its last commit.
    changed: dict[str, dt.date] = field(default_factory=dict)
    # Entry id -> [(date of the commit, status)], one item each time the status changed.
    states: dict[str, list[tuple[dt.date, str]]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    shallow: bool = False


def canonical_bytes(entry_id: str, version: int, data: dict[str, Any]) -> bytes:
    """The exact bytes of a versioned file: the source document in a fixed envelope, canonical JSON."""
    document = {"entry": data, "id": entry_id, "version": version}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest_sri(content: bytes) -> str:
    """The Subresource Integrity digest of `content`: `sha256-<base64>`."""
    return "sha256-" + base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


def substance(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an entry that may change only with a new version."""
    return {name: data.get(name) for name in SUBSTANTIVE_FIELDS}


# Reading git history.


def _git_failure(args: str, process: subprocess.CompletedProcess[bytes]) -> VersionsRefused:
    said = process.stderr.decode("utf-8", "replace").strip() or f"exit status {process.returncode}"
    return VersionsRefused(
        [
            Problem(
                CATALOGUE_DIR,
                1,
                1,
                "",
                f"`git {args}` failed: {said}",
                hint="the published versions come from git history; check the clone",
            )
        ]
    )


def _no_history(reason: str) -> History:
    return History(
        warnings=[
            Problem(
                CATALOGUE_DIR,
                1,
                1,
                "",
                f"{reason}: only the current version of each entry is published",
                Severity.WARNING,
                "build from a git clone with full history to publish every earlier version",
            )
        ]
    )


def read_history(repo_root: Path) -> History:
    """The catalogue's history at HEAD; without git or commits, an empty History with a warning.

    Raises VersionsRefused when git fails inside a repository.
    """
    git = Repository(repo_root)
    try:
        probe = git.run("rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository")
    except FileNotFoundError:
        return _no_history("git is not installed")
    if probe.returncode != 0:
        said = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        return _no_history(f"{repo_root} is not in a git repository ({said[0] if said else 'git failed'})")
    toplevel, prefix, shallow = (probe.stdout.decode("utf-8").splitlines() + ["", "", ""])[:3]
    head = git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if head.returncode != 0:
        return _no_history("the repository has no commits yet")
    return _read_history(toplevel, head.stdout.decode("ascii").strip(), prefix + CATALOGUE_DIR + "/", shallow == "true")


@lru_cache(maxsize=2)
def _read_history(toplevel: str, head: str, catalogue_prefix: str, shallow: bool) -> History:
    """One pass over the main line of history at `head` (cached: history at a commit never changes)."""
    git = Repository(Path(toplevel))
    args = (
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--reverse",
        "--raw",
        "--no-renames",
        "--no-abbrev",
        "-z",
        f"--format={_HEADER}%H %cs",
        head,
        "--",
        f":(top){catalogue_prefix}",
    )
    log = git.run(*args)
    if log.returncode != 0:
        raise _git_failure("log", log)
    commits = _parse_log(log.stdout.decode("utf-8", "surrogateescape"), catalogue_prefix)
    if not commits:
        return _no_history(f"no commit touches {catalogue_prefix} yet")

    history = History(shallow=shallow)
    # Only regular files at layout paths are read; a link or submodule at a layout path is refused.
    refused: dict[str, Problem] = {}
    for commit, _, changes in commits:
        for status, mode, _, path in changes:
            if status == "D" or path in refused or layout.kind_of(path[len(catalogue_prefix) :]) is None:
                continue
            problem = layout.tree_problem(mode, path, catalogue_prefix)
            if problem is not None:
                refused[path] = dataclasses.replace(
                    problem,
                    message=f"in commit {commit[:12]} of the history: {problem.message}",
                    hint="published versions are read only from regular files; "
                    "a maintainer must repair the main line (links are refused since mqcat checks the layout)",
                )
    if refused:
        raise VersionsRefused(sorted(refused.values()))
    blobs = {
        blob
        for _, _, changes in commits
        for status, mode, blob, path in changes
        if status != "D" and mode in layout.REGULAR_MODES and _is_layout_entry(path, catalogue_prefix)
    }
    documents = _load_blobs(git, sorted(blobs), history.warnings, commits)
    for commit, date, changes in commits:
        for status, _, blob, path in changes:
            if not _is_layout_entry(path, catalogue_prefix):
                continue
            relative = path[len(catalogue_prefix) :]
            history.changed[relative] = date
            loaded = documents.get(blob) if status != "D" else None
            if loaded is None:
                continue
            if loaded.status == "proposed":
                continue  # a proposal is not a published version, even if a rebase put it on the main line
            key = (loaded.id, loaded.version)
            timeline = history.states.setdefault(key[0], [])
            state = loaded.status
            if isinstance(state, str) and (not timeline or timeline[-1][1] != state):
                timeline.append((date, state))
            if key not in history.versions:
                history.versions[key] = PublishedVersion(
                    key[0], key[1], loaded.content, CATALOGUE_DIR + "/" + relative, commit, date
                )
    return history


@dataclass(frozen=True)
class _Blob:
    """What history needs of one entry file's blob: its id, version and status, and the versioned bytes."""

    id: str
    version: int
    status: object  # as written (a string, unless the file was wrong)
    content: bytes


Change = tuple[str, str, str, str]  # (status letter, new mode, new blob, repository path)


def _parse_log(output: str, catalogue_prefix: str) -> list[tuple[str, dt.date, list[Change]]]:
    """`git log -z --raw` output -> [(commit, date, [(status, new mode, new blob, path)])]."""
    commits: list[tuple[str, dt.date, list[Change]]] = []
    tokens = iter(output.split("\0"))
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith(_HEADER):
            sha, _, day = token[1:].partition(" ")
            commits.append((sha, dt.date.fromisoformat(day.strip()), []))
        elif token.startswith(":") and commits:
            path = next(tokens, "")
            _, new_mode, _, new_blob, status = token[1:].split(" ")[:5]
            if path.startswith(catalogue_prefix):
                commits[-1][2].append((status[0], new_mode, new_blob, path))
    return commits


def _is_layout_entry(path: str, catalogue_prefix: str) -> bool:
    """`catalogue/<sector>/<id>.yaml` as the layout defines it (the same definition as the validator's)."""
    return path.startswith(catalogue_prefix) and layout.kind_of(path[len(catalogue_prefix) :]) is layout.Kind.ENTRY


def _load_blobs(
    git: Repository, blobs: list[str], warnings: list[Problem], commits: list[tuple[str, dt.date, list[Change]]]
) -> dict[str, _Blob]:
    """Entry documents by blob id, each parsed and encoded at once (one document in memory at a time);
    blobs that do not load as an entry are skipped with a warning."""
    if not blobs:
        return {}
    batch = git.run("cat-file", "--batch", stdin=("\n".join(blobs) + "\n").encode("ascii"))
    if batch.returncode != 0:
        raise _git_failure("cat-file --batch", batch)
    where = {blob: (path, commit) for commit, _, changes in reversed(commits) for _, _, blob, path in changes if blob}
    documents: dict[str, _Blob] = {}
    out, position = batch.stdout, 0
    while position < len(out):
        end = out.index(b"\n", position)
        header = out[position:end].decode("ascii").split(" ")
        position = end + 1
        if len(header) < 3:  # "<sha> missing"
            continue
        blob, size = header[0], int(header[2])
        raw = out[position : position + size]
        position += size + 1
        path, commit = where.get(blob, (CATALOGUE_DIR, ""))
        data = _entry_data(raw, path, commit, warnings)
        if data is None:
            continue
        entry_id, version = data["id"], data["version"]
        try:
            content = canonical_bytes(entry_id, version, data)
        except (ValueError, TypeError) as error:  # e.g. `.inf`, which JSON cannot hold
            warnings.append(
                Problem(path, 1, 1, "", f"in commit {commit[:12]}: {error}; that version is skipped", Severity.WARNING)
            )
            continue
        documents[blob] = _Blob(entry_id, version, data.get("status"), content)
    return documents


def _entry_data(raw: bytes, path: str, commit: str, warnings: list[Problem]) -> dict[str, Any] | None:
    def skip(message: str, line: int = 1, column: int = 1) -> None:
        warnings.append(
            Problem(
                path, line, column, "", f"in commit {commit[:12]}: {message}; that version is skipped", Severity.WARNING
            )
        )

    if len(raw) > MAX_FILE_BYTES:
        skip(f"the file is {len(raw)} bytes, over the limit")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        skip("the file is not valid UTF-8")
        return None
    try:
        doc = parse_text(text.removeprefix("\ufeff"), Path(path), path)
    except LoadError as error:
        skip(error.problem.message, error.problem.line, error.problem.column)
        return None
    data = doc.data
    entry_id = data.get("id") if isinstance(data, dict) else None
    version = data.get("version") if isinstance(data, dict) else None
    if not (isinstance(entry_id, str) and layout.is_name(entry_id)):
        skip("no valid `id`")
        return None
    if entry_id != PurePosixPath(path).stem:
        # The file name is the id (as the validator requires): a file never speaks for another entry.
        skip(f"`id: {entry_id}` differs from the file name")
        return None
    sector = data.get("sector")
    if sector != PurePosixPath(path).parent.name:
        # Nor does a file in one sector's folder speak for an entry of another sector.
        skip(f"`sector: {sector}` differs from the folder")
        return None
    if not (isinstance(version, int) and not isinstance(version, bool) and 1 <= version <= _MAX_VERSION):
        skip("no valid `version`")
        return None
    return data


# What the site and the build call.


def last_changed(repo_root: Path, catalogue: Catalogue) -> dict[str, dt.date]:
    """Entry id -> date of the last commit that touched its file (entries never committed are left out)."""
    history = read_history(repo_root)
    result: dict[str, dt.date] = {}
    for entry in catalogue.entries.values():
        date = history.changed.get(f"{entry.sector}/{entry.id}.yaml")
        if date is not None:
            result[entry.id] = date
    return result


def all_versions(catalogue: Catalogue, repo_root: Path) -> dict[tuple[str, int], PublishedVersion]:
    """Every version the build publishes: those in history, and the working tree's current ones."""
    versions = dict(read_history(repo_root).versions)
    for entry in catalogue.entries.values():
        versions.setdefault(
            (entry.id, entry.version), PublishedVersion.of(entry.id, entry.version, entry.data, entry.source)
        )
    return versions


def write_versions(
    catalogue: Catalogue,
    site_dir: Path,
    ctx: BuildContext,
    repo_root: Path,
    published_versions: Published | None = None,
) -> list[Problem]:
    """Write every published version and versions.json; return warnings.

    Raises VersionsRefused when a published version would change: the working
    tree keeps a published version number but changed its substance, the clone
    is shallow, or (given the versions.json now published, `published_versions`) a
    version published before is missing or has another digest.
    """
    history = read_history(repo_root)
    if history.shallow:
        raise VersionsRefused(
            [
                Problem(
                    CATALOGUE_DIR,
                    1,
                    1,
                    "",
                    "the repository is a shallow clone: the published versions cannot all be read",
                    hint="fetch the full history (`git fetch --unshallow`, or actions/checkout with `fetch-depth: 0`)",
                )
            ]
        )
    warnings = list(history.warnings)
    versions = dict(history.versions)
    refusals: list[Problem] = []
    latest: dict[str, int] = {}
    for entry_id, version in versions:
        latest[entry_id] = max(version, latest.get(entry_id, 0))

    for entry in sorted(catalogue.entries.values(), key=lambda e: e.id):
        published = versions.get((entry.id, entry.version))
        if published is None:
            versions[(entry.id, entry.version)] = PublishedVersion.of(entry.id, entry.version, entry.data, entry.source)
        elif substance(published.data) != substance(entry.data):
            refusals.append(_changed_problem(entry, published, latest[entry.id], repo_root))
        if entry.version < latest.get(entry.id, 0):
            warnings.append(
                _version_problem(
                    entry,
                    repo_root,
                    f"version {entry.version} is lower than the published version {latest[entry.id]}",
                    f"versions only go up: set `version: {latest[entry.id] + 1}`",
                    Severity.WARNING,
                )
            )
    if refusals:
        raise VersionsRefused(refusals)

    # One version's bytes in memory at a time (encoded again to be written: only when comparing).
    if published_versions is not None:
        refused = compare_published(
            published_versions, {key: digest_sri(version.content) for key, version in versions.items()}, catalogue
        )
        if refused:
            raise VersionsRefused(refused)

    api_dir = site_dir / ctx.api_path("")
    api_dir.mkdir(parents=True, exist_ok=True)
    envelope = {"format": MANIFEST_FORMAT, "generated": ctx.today.isoformat(), "site": ctx.site_url}
    # versions.json is written an entry at a time, with the bytes of the whole document encoded with
    # sorted keys: {"entries":{<id>:<record>,...},"format":...,"generated":...,"site":...}.
    with (api_dir / VERSIONS_MANIFEST).open("w", encoding="utf-8") as manifest:
        manifest.write('{"entries":{')
        by_entry = groupby(sorted(versions.items()), key=lambda item: item[0][0])
        for index, (entry_id, group) in enumerate(by_entry):
            current = catalogue.entries.get(entry_id)
            record: dict[str, Any] = {
                "current_version": current.version if current else None,
                "entry": ctx.api_url(entry_json_path(entry_id)) if current else None,
                "versions": [],
            }
            for (_, version), published_version in group:
                content = published_version.content
                target = api_dir / version_path(entry_id, version)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                record["versions"].append(
                    {
                        "version": version,
                        "url": ctx.api_url(version_path(entry_id, version)),
                        "mediaType": MEDIA_TYPE,
                        "digestSRI": digest_sri(content),
                        "published": published_version.date.isoformat() if published_version.date else None,
                        "commit": published_version.commit,
                    }
                )
            manifest.write(f"{',' if index else ''}{_canonical(entry_id)}:{_canonical(record)}")
        manifest.write(f"}},{_canonical(envelope)[1:]}\n")
    return warnings


# The versions already published: entry id -> version -> SRI digest.
Published = dict[str, dict[int, str]]

_REWRITE_HINT = (
    "a published version never changes: restore main's history (merge commits or squash merges only, "
    "never a force push; see docs/reviewers-guide.md), or build from the commit that published it"
)


class PublishedUnreadable(Exception):
    """The versions.json to compare with cannot be read; the message says why."""


def read_published(source: str, *, timeout: float = 30.0, limit: int = 64 * 1024 * 1024) -> Published:
    """The versions a published versions.json (a file, or an https:// address) lists, with their digests."""
    try:
        if source.startswith("https://"):  # only https: no file:, ftp: or custom scheme reaches urlopen
            headers = {"User-Agent": "mqcat", "Cache-Control": "no-cache"}
            request = urllib.request.Request(source, headers=headers)  # noqa: S310
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                raw = response.read(limit + 1)
        elif "://" in source:
            raise PublishedUnreadable(f"{source}: only a file or an https:// address can be read")
        else:
            with Path(source).open("rb") as handle:
                raw = handle.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise PublishedUnreadable(f"{source}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise PublishedUnreadable(f"{source}: {error.reason}") from None
    except OSError as error:
        raise PublishedUnreadable(f"{source}: {error.strerror or error}") from None
    if len(raw) > limit:
        raise PublishedUnreadable(f"{source}: larger than {limit} bytes")
    try:
        document = json.loads(raw.decode("utf-8"))
        if document["format"]["name"] != MANIFEST_FORMAT["name"]:
            raise ValueError("not an mqcat-versions document")
        published: Published = {}
        for entry_id, record in document["entries"].items():
            for item in record["versions"]:
                version, digest = item["version"], item["digestSRI"]
                if not (isinstance(version, int) and isinstance(digest, str)):
                    raise ValueError(f"entry '{entry_id}': a version without a number or a digest")
                published.setdefault(str(entry_id), {})[version] = digest
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise PublishedUnreadable(f"{source}: not a versions.json written by mqcat ({error})") from None
    return published


def compare_published(published: Published, built: dict[tuple[str, int], str], catalogue: Catalogue) -> list[Problem]:
    """A refusal for every published version that this build would drop or change."""
    problems = []
    for entry_id, versions in sorted(published.items()):
        entry = catalogue.entries.get(entry_id)
        where = entry.source if entry is not None else CATALOGUE_DIR
        for version, digest in sorted(versions.items()):
            now = built.get((entry_id, version))
            if now is None:
                message = f"version {version} of '{entry_id}' is published ({digest}) but missing from this build"
            elif now != digest:
                message = f"version {version} of '{entry_id}' is published as {digest}; this build would make it {now}"
            else:
                continue
            problems.append(Problem(where, 1, 1, "version", message, Severity.ERROR, _REWRITE_HINT))
    return problems


def _changed_problem(entry: MicroQualification, published: PublishedVersion, latest: int, repo_root: Path) -> Problem:
    data = published.data
    changed = [name for name in SUBSTANTIVE_FIELDS if data.get(name) != entry.data.get(name)]
    when = f"on {published.date.isoformat()} (commit {(published.commit or '')[:12]})" if published.date else ""
    return _version_problem(
        entry,
        repo_root,
        f"version {entry.version} of '{entry.id}' was published {when} and certificates may point at it, "
        f"but {', '.join(changed)} changed since",
        f"raise version to {latest + 1} (`version: {latest + 1}`); a published version never changes",
        Severity.ERROR,
    )


def _version_problem(
    entry: MicroQualification, repo_root: Path, message: str, hint: str, severity: Severity
) -> Problem:
    """A problem at the `version:` line of the entry's file."""
    line, column = 1, 1
    path = Path(entry.source)
    try:
        doc = load_file(path if path.is_absolute() else repo_root / path, entry.source)
        line, column = doc.position(("version",), key=True)
    except LoadError:
        pass
    return Problem(entry.source, line, column, "version", message, severity, hint)
