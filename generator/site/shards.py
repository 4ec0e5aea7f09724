"""Sharded builds: a large catalogue rendered in parts on several machines, then merged.

`mqcat build --shard I/N` renders the pages in the navigation (every shard needs
them: MkDocs checks the navigation) and the I-th of N parts of the other pages
(entries and providers, chosen by a hash of their path, so the parts are the same
on every machine), and writes some of the open-data outputs (each output is
written by exactly one shard). `mqcat build --merge DIR...` puts the shards
together and writes what needs the whole site (the sitemap). The merged site is
the same, byte for byte, as a build in one go.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

_SPEC = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)$")
# Written into each shard's site: which part it is, so that a merge can tell a part is missing.
MARKER = ".mqcat-shard"


class ShardMismatch(Exception):
    """Two shards wrote different contents for the same file."""


@dataclass(frozen=True)
class Shard:
    """Part `number` (1-based) of `count`."""

    number: int
    count: int

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """`I/N` with 1 <= I <= N; ValueError with a message otherwise."""
        match = _SPEC.match(spec.strip())
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise ValueError(f"'{spec}' is not a shard: write I/N with 1 <= I <= N, for example 2/4")
        return cls(int(match[1]), int(match[2]))

    def owns(self, path: str) -> bool:
        """Whether this shard renders the page at `path` (relative to docs/; the same in every language)."""
        return zlib.crc32(path.encode("utf-8")) % self.count == self.number - 1

    def mark(self, site: Path) -> None:
        (site / MARKER).write_text(f"{self.number}/{self.count}\n", encoding="utf-8")

    def writes(self, position: int) -> bool:
        """Whether this shard writes the `position`-th output of the build's list of writers."""
        return position % self.count == self.number - 1


def merge_shards(shards: list[Path], target: Path) -> None:
    """Copy every shard's files into `target`; a file in several shards must be identical in all.

    Raises ShardMismatch when a folder is not a shard's site, or the parts are not 1 to N of one N.
    """
    parts = []
    for shard in shards:
        marker = shard / MARKER
        if not marker.is_file():
            raise ShardMismatch(f"{shard}: not the site of a `mqcat build --shard I/N` (no {MARKER})")
        parts.append(Shard.parse(marker.read_text(encoding="utf-8")))
    count = parts[0].count
    if sorted(p.number for p in parts) != list(range(1, count + 1)) or any(p.count != count for p in parts):
        found = ", ".join(f"{p.number}/{p.count}" for p in parts)
        raise ShardMismatch(f"the shards must be 1/N to N/N of one build, found {found}")
    for shard in shards:
        for folder, _, files in os.walk(shard):
            relative = Path(folder).relative_to(shard)
            (target / relative).mkdir(parents=True, exist_ok=True)
            for name in files:
                if relative == Path() and name == MARKER:
                    continue
                source, destination = Path(folder) / name, target / relative / name
                if destination.exists():
                    if not filecmp.cmp(source, destination, shallow=False):
                        raise ShardMismatch(f"{relative / name}: the shards wrote different contents")
                    continue
                shutil.copy2(source, destination)
