"""One revision of the catalogue, read for review: from git (with plumbing only) or the working tree.

A commit's catalogue files are written into a temporary folder with `git ls-tree`
and `git cat-file` (never a checkout, so nothing outside the layout is read), then
loaded with the project's safe loader and validated like any catalogue. A file that
does not load becomes a Record with its problem, never a crash.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import layout
from ..catalogue import Result, validate
from ..git import GitError, git
from ..loader import Document, LoadError, load_file
from ..problems import Problem

CATALOGUE_DIR = layout.CATALOGUE_DIR

# Areas of the repository outside catalogue/, by leading path.
AREAS = (
    ("schema/", "schema"),
    ("generator/", "generator"),
    (".github/workflows/", "workflows"),
    (".github/", "repository settings"),
    ("docs/", "documentation"),
    ("tests/", "tests"),
)

# --- git -------------------------------------------------------------------------------


def repository_root(start: Path) -> Path:
    """The top folder of the git repository that holds `start`."""
    return Path(git(start, "rev-parse", "--show-toplevel").decode("utf-8").strip())


def resolve_revision(repo: Path, revision: str) -> str:
    """The commit id a revision name stands for."""
    if revision.startswith("-"):
        raise GitError(f"'{revision}' is not a revision")
    try:
        return (
            git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}").decode().strip()
        )
    except GitError:
        raise GitError(f"unknown revision '{revision}'") from None


def default_base(repo: Path) -> str:
    """Where the pull request branched off: `git merge-base main HEAD`, else origin/main."""
    for candidate in ("main", "origin/main"):
        try:
            return git(repo, "merge-base", candidate, "HEAD").decode().strip()
        except GitError:
            continue
    try:
        return resolve_revision(repo, "origin/main")
    except GitError:
        raise GitError(
            "no base revision: neither 'main' nor 'origin/main' exists; name one, e.g. `mqcat diff main`"
        ) from None


def _materialise(repo: Path, commit: str, target: Path) -> list[Problem]:
    """Write the catalogue files of `commit` under `target`, with git plumbing only; return the layout errors.

    Only regular-file blobs at layout paths are written: anything else under catalogue/
    (hidden files, other names, links, submodules) is never read, and is an error naming its path.
    """
    listing = git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, "--", CATALOGUE_DIR)
    items: list[tuple[str, str]] = []
    blobs: list[tuple[str, str]] = []
    for item in filter(None, listing.split(b"\0")):
        meta, _, raw_path = item.partition(b"\t")
        mode, _, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        items.append((mode, path))
        if layout.tree_problem(mode, path) is None and layout.kind_of(path[len(CATALOGUE_DIR) + 1 :]) is not None:
            blobs.append((sha, path))
    if blobs:
        out = git(repo, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha, _ in blobs).encode())
        position = 0
        for _, path in blobs:
            header_end = out.index(b"\n", position)
            size = int(out[position:header_end].split()[2])
            content = out[header_end + 1 : header_end + 1 + size]
            position = header_end + 1 + size + 1
            # Layout paths are two plain names at most: they stay inside `target`.
            destination = target / PurePosixPath(path)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
    return layout.tree_problems(items)


@dataclass(frozen=True)
class TouchedFile:
    """One file the change adds (A), modifies (M), deletes (D) or renames (R)."""

    status: str
    path: str
    old_path: str | None = None

    @property
    def area(self) -> str:
        for prefix, name in AREAS:
            if self.path.startswith(prefix):
                return name
        return "other"

    @property
    def in_catalogue(self) -> bool:
        return self.path.startswith(CATALOGUE_DIR + "/") or bool(
            self.old_path and self.old_path.startswith(CATALOGUE_DIR + "/")
        )

    @property
    def outside_layout(self) -> bool:
        """Under catalogue/ but not at a path of the catalogue's layout (never read by any tool)."""
        prefix = CATALOGUE_DIR + "/"
        return self.path.startswith(prefix) and layout.kind_of(self.path[len(prefix) :]) is None


def touched_files(repo: Path, base: str, head: str | None) -> list[TouchedFile]:
    """Files that differ between base and head (None: the working tree, untracked files included)."""
    args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff", base]
    if head is not None:
        args.append(head)
    parts = git(repo, *args, "--").decode("utf-8", "surrogateescape").split("\0")
    touched: list[TouchedFile] = []
    index = 0
    while index < len(parts) and parts[index]:
        status = parts[index]
        if status[0] in "RC":
            touched.append(TouchedFile(status[0], parts[index + 2], parts[index + 1]))
            index += 3
        else:
            touched.append(TouchedFile(status[0], parts[index + 1]))
            index += 2
    if head is None:
        untracked = git(repo, "ls-files", "-z", "--others", "--exclude-standard").decode("utf-8", "surrogateescape")
        touched.extend(TouchedFile("A", path) for path in untracked.split("\0") if path)
    return sorted(touched, key=lambda t: t.path)


# --- reading a revision ----------------------------------------------------------------


@dataclass
class Record:
    """One catalogue file of one revision: its data, or why it could not be read."""

    path: str  # repository-relative, e.g. catalogue/transport-logistics/forklift-safe-operation.yaml
    kind: str  # entry, provider, sectors, authorities
    doc: Document | None = None
    error: Problem | None = None
    digest: str = ""  # of the file's bytes: equal digests, same file

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if self.doc is not None and isinstance(self.doc.data, dict) else {}

    @property
    def key(self) -> str:
        """The id the file stands for: its name (the validator checks that `id` agrees)."""
        return PurePosixPath(self.path).stem

    @property
    def folder(self) -> str:
        return PurePosixPath(self.path).parent.name

    def position(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        return self.doc.position(path, key=True) if self.doc is not None else (1, 1)


@dataclass
class Snapshot:
    """One revision of the catalogue, as read and validated."""

    label: str
    records: dict[str, Record]
    validation: Result

    def of_kind(self, kind: str) -> dict[str, Record]:
        """Records of one kind by id (file name); the first wins if a name repeats across sectors."""
        out: dict[str, Record] = {}
        for record in self.records.values():
            if record.kind == kind:
                out.setdefault(record.key, record)
        return out

    def registry(self, kind: str) -> Record | None:
        return next((r for r in self.records.values() if r.kind == kind), None)

    def sector_records(self) -> dict[str, dict[str, Any]]:
        record = self.registry("sectors")
        items = record.data.get("sectors") if record else None
        return {s["id"]: s for s in items or () if isinstance(s, dict) and isinstance(s.get("id"), str)}

    def maintainers(self) -> list[str]:
        record = self.registry("sectors")
        value = record.data.get("maintainers") if record else None
        return [str(v) for v in value] if isinstance(value, list) else []


def read_snapshot(root: Path, label: str) -> Snapshot:
    """Load every catalogue file under root/catalogue/ (as the layout defines them) and validate the catalogue."""
    catalogue_dir = root / CATALOGUE_DIR
    records: dict[str, Record] = {}
    for found in layout.scan(catalogue_dir).files:
        shown = layout.repository_path(found.parts)
        try:
            digest = hashlib.sha256(found.path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        try:
            records[shown] = Record(shown, found.kind.value, doc=load_file(found.path, shown), digest=digest)
        except LoadError as error:
            records[shown] = Record(shown, found.kind.value, error=error.problem, digest=digest)
    return Snapshot(label, records, validate(catalogue_dir, root=root))


@contextmanager
def revision(repo: Path, commit: str | None) -> Iterator[Snapshot]:
    """The catalogue at `commit` (None: the working tree) as a Snapshot."""
    if commit is None:
        yield read_snapshot(repo, "working tree")
        return
    with tempfile.TemporaryDirectory(prefix="mqcat-diff-") as folder:
        outside = _materialise(repo, commit, Path(folder))
        snapshot = read_snapshot(Path(folder), commit)
        # What the commit holds outside the layout was not written out: report it as the validator would.
        snapshot.validation.problems = sorted(snapshot.validation.problems + outside)
        yield snapshot


def uncommitted_files(repo: Path) -> list[str]:
    """Paths with changes that are not committed (untracked ones included, ignored ones not)."""
    status = git(repo, "status", "--porcelain", "-z", "--untracked-files=all")
    return sorted({entry[3:] for entry in status.decode("utf-8", "surrogateescape").split("\0") if len(entry) > 3})
