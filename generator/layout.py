"""The catalogue's layout: the one definition of which paths under catalogue/ are catalogue files.

    catalogue/sectors.yaml              the sector registry
    catalogue/authorities.yaml          the authorising bodies
    catalogue/providers/<id>.yaml       one provider each
    catalogue/status-lists/<id>.yaml    a provider's revoked credentials (optional)
    catalogue/<sector-id>/<id>.yaml     one micro-qualification each

Names (`<id>`, `<sector-id>`) follow the schema's identifier pattern. Anything
else under catalogue/ is an error that names the path: hidden files and
folders, other extensions, deeper folders, symbolic links (the file or a
folder above it) and anything that is not a regular file. A path that is not
in the layout is never read, so no tool can see a file that another tool
skips. In a working tree, files that git ignores (an editor's swap file) are
skipped with a note instead.

Validation, the build, the version history, the review report and the preview
server all ask this module: `scan` reads a working tree without following
links, `tree_problem` judges one entry of a git tree (mode and path).
Whether `<sector-id>` is a registered sector is checked by the validator,
which has read the registry.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from .git import Repository
from .problems import Problem

CATALOGUE_DIR = "catalogue"
SECTORS_FILE = "sectors.yaml"
AUTHORITIES_FILE = "authorities.yaml"
PROVIDERS_DIR = "providers"
STATUS_LISTS_DIR = "status-lists"
SUFFIX = ".yaml"

# The schema's identifier (common.schema.json#/$defs/id): lowercase words joined by single hyphens.
# A test checks that the two agree.
NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_NAME = 80

# Git tree modes: regular files (plain and executable), symbolic links, submodules, folders.
REGULAR_MODES = frozenset({"100644", "100755"})
SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
TREE_MODE = "040000"

_ENTRY_HINT = "entries live at catalogue/<sector-id>/<id>.yaml"
_LINK = ("it is a symbolic link; links are never followed", "commit the file itself, not a link to it")


class Kind(StrEnum):
    """What a catalogue file holds, decided by where it lies."""

    SECTORS = "sectors"
    AUTHORITIES = "authorities"
    PROVIDER = "provider"
    STATUS_LIST = "status-list"
    ENTRY = "entry"


_REGISTRIES = {SECTORS_FILE: Kind.SECTORS, AUTHORITIES_FILE: Kind.AUTHORITIES}
# Folders of catalogue/ that are not sectors.
_FOLDERS = {PROVIDERS_DIR: Kind.PROVIDER, STATUS_LISTS_DIR: Kind.STATUS_LIST}


def is_name(name: str) -> bool:
    """A folder or file name (without `.yaml`) the layout allows: an identifier."""
    return len(name) <= MAX_NAME and NAME.fullmatch(name) is not None


def kind_of(relative: str | PurePosixPath | tuple[str, ...]) -> Kind | None:
    """The kind of the file at `relative` (a path inside catalogue/), or None when it is not in the layout."""
    parts = relative if isinstance(relative, tuple) else PurePosixPath(relative).parts
    if len(parts) == 1:
        return _REGISTRIES.get(parts[0])
    if len(parts) == 2 and is_name(parts[0]) and parts[1].endswith(SUFFIX) and is_name(parts[1][: -len(SUFFIX)]):
        return _FOLDERS.get(parts[0], Kind.ENTRY)
    return None


def repository_path(relative: str | PurePosixPath | tuple[str, ...]) -> str:
    """`catalogue/<relative>` as a repository path."""
    parts = relative if isinstance(relative, tuple) else PurePosixPath(relative).parts
    return "/".join((CATALOGUE_DIR, *parts))


def _why_not(parts: tuple[str, ...]) -> tuple[str, str]:
    """Why a file inside catalogue/ is not in the layout, and the fix, in words."""
    hidden = next((i for i, part in enumerate(parts) if part.startswith(".")), None)
    if hidden is not None:
        what = "file" if hidden == len(parts) - 1 else f"folder {'/'.join(parts[: hidden + 1])}/"
        return f"hidden {what}: no tool reads hidden files", "delete it, or move it out of catalogue/"
    name = parts[-1]
    if len(parts) > 2:
        return "files lie at most one folder deep in catalogue/", _ENTRY_HINT
    if len(parts) == 2 and not is_name(parts[0]):
        return "a folder's name is a sector id: lowercase letters, digits and single hyphens", _ENTRY_HINT
    if not name.endswith(SUFFIX):
        return f"catalogue files end in {SUFFIX}", "rename it to .yaml" if name.endswith(".yml") else _ENTRY_HINT
    if len(parts) == 1:
        return f"the only files directly in catalogue/ are {SECTORS_FILE} and {AUTHORITIES_FILE}", _ENTRY_HINT
    return (
        "a file's name is its id: lowercase letters, digits and single hyphens, then .yaml",
        "rename the file to its id, e.g. forklift-safe-operation.yaml",
    )


def outside_problem(shown: str, reason: str, hint: str) -> Problem:
    """The error for a path under catalogue/ that is not a catalogue file."""
    return Problem(shown, 1, 1, "", f"not part of the catalogue layout: {reason}", hint=hint)


@dataclass(frozen=True)
class CatalogueFile:
    """One file at a layout path of a working tree."""

    path: Path  # on disk
    parts: tuple[str, ...]  # inside catalogue/, e.g. ("energy", "solar-pv-installation.yaml")
    kind: Kind

    @property
    def folder(self) -> str:
        return self.parts[0] if len(self.parts) == 2 else ""


@dataclass
class Listing:
    """What a catalogue folder holds: its catalogue files, the paths outside the layout, what git ignores."""

    files: list[CatalogueFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # displayed paths that git ignores
    readable: bool = True  # False: the catalogue folder itself is missing, a link or unreadable

    def notes(self) -> list[str]:
        """One line per skipped path, for the user."""
        return [f"note: {shown}: skipped, git ignores it (it is not part of the catalogue)" for shown in self.skipped]


def _shown(prefix: str, parts: tuple[str, ...], is_folder: bool = False) -> str:
    return "/".join((prefix, *parts)) + ("/" if is_folder else "")


def scan(catalogue_dir: Path, shown_as: str = CATALOGUE_DIR) -> Listing:
    """Every file and folder under `catalogue_dir`, links never followed; sorted, linear in their number.

    `shown_as` is how the folder is named in problems (`catalogue` for a repository's).
    """
    listing = Listing()
    outside: list[tuple[str, str, str, bool]] = []  # (shown, reason, hint, may be skipped when git ignores it)
    try:
        top = os.lstat(catalogue_dir)
    except OSError as error:
        listing.readable = False
        message = "does not exist" if isinstance(error, FileNotFoundError) else f"cannot be read: {error.strerror}"
        listing.problems.append(Problem(shown_as, 1, 1, "", f"the catalogue folder {message}"))
        return listing
    if stat.S_ISLNK(top.st_mode):
        listing.readable = False
        listing.problems.append(
            Problem(shown_as, 1, 1, "", "the catalogue folder is a symbolic link", hint="make it a real folder")
        )
        return listing
    if not stat.S_ISDIR(top.st_mode):
        listing.readable = False
        listing.problems.append(Problem(shown_as, 1, 1, "", "the catalogue folder does not exist"))
        return listing

    # A stack, not recursion: folders nested thousands deep are reported, not a crash.
    pending: list[tuple[Path, tuple[str, ...]]] = [(catalogue_dir, ())]
    while pending:
        folder, parts = pending.pop()
        try:
            with os.scandir(folder) as found:
                children = list(found)
        except OSError as error:
            listing.problems.append(
                Problem(_shown(shown_as, parts, True), 1, 1, "", f"cannot read the folder: {error.strerror or error}")
            )
            continue
        for child in children:
            here = (*parts, child.name)
            shown = _shown(shown_as, here)
            if child.is_symlink():
                outside.append((shown, *_LINK, False))
            elif child.is_dir(follow_symlinks=False):
                # Every file inside a folder outside the layout is named, as git would list them.
                pending.append((Path(child.path), here))
            elif not child.is_file(follow_symlinks=False):
                outside.append((shown, "it is not a regular file", "remove it", False))
            else:
                kind = kind_of(here)
                if kind is None:
                    outside.append((shown, *_why_not(here), True))
                else:
                    listing.files.append(CatalogueFile(Path(child.path), here, kind))
    listing.files.sort(key=lambda f: f.parts)
    outside.sort()
    ignored = _git_ignored(catalogue_dir, shown_as, [shown for shown, _, _, skippable in outside if skippable])
    for shown, reason, hint, _ in outside:
        if shown in ignored:
            listing.skipped.append(shown)
        else:
            listing.problems.append(outside_problem(shown, reason, hint))
    return listing


def _git_ignored(catalogue_dir: Path, shown_as: str, shown: list[str]) -> set[str]:
    """Which of the shown paths git ignores (none outside a git working tree)."""
    if not shown:
        return set()
    relative = {path[len(shown_as) + 1 :]: path for path in shown}
    try:
        done = Repository(catalogue_dir).run(
            "check-ignore", "-z", "--stdin", stdin="\0".join(relative).encode("utf-8", "surrogateescape") + b"\0"
        )
    except OSError:
        return set()
    if done.returncode not in (0, 1):  # 1: nothing ignored; 128: not a git repository
        return set()
    said = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {relative[path] for path in said if path in relative}


def tree_problem(mode: str, path: str, prefix: str = CATALOGUE_DIR + "/") -> Problem | None:
    """The error for one entry of a git tree under catalogue/ (`git ls-tree -r` or `git log --raw`), or None.

    Only regular-file blobs at layout paths are catalogue files; everything else under
    catalogue/ is an error naming the path, a symbolic link or submodule anywhere included.
    """
    if not path.startswith(prefix):
        return None
    parts = PurePosixPath(path[len(prefix) :]).parts
    shown = repository_path(parts)
    if mode == SYMLINK_MODE:
        return outside_problem(shown, *_LINK)
    if mode == GITLINK_MODE:
        return outside_problem(shown, "it is a git submodule", "remove the submodule")
    if mode not in REGULAR_MODES:
        return outside_problem(shown, "it is not a regular file", "remove it")
    if kind_of(parts) is None:
        return outside_problem(shown, *_why_not(parts))
    return None


def tree_problems(items: Iterable[tuple[str, str]], prefix: str = CATALOGUE_DIR + "/") -> list[Problem]:
    """Problems for (mode, path) entries of a git tree; one per path, sorted."""
    found = {problem.file: problem for mode, path in items if (problem := tree_problem(mode, path, prefix))}
    return sorted(found.values())
