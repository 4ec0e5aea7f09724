"""Learning pathways: where entries stack, drawn at build time as inline SVG with a text equivalent.

A pathway is a connected group of published entries linked by `stacks_into`,
with the larger qualifications they count towards (one node per qualification
title and level). Groups are found once per build with a union-find over the
edges, so the work is linear in the catalogue.

The layout is a plain layered drawing, simple enough to need no layout library:
a node's column is the length of the longest chain of parts below it (entries
that nothing stacks into on the left, qualifications on the right); inside a
column nodes are ordered by the mean row of their parts (then by title), and
each column is centred vertically. Arrows run from a part to what it counts
towards. Titles are wrapped into lines at build time, as SVG text does not wrap.

The template (partials/mq-pathway.html) draws the SVG from this geometry and
marks the current entry by its id; colours come from the stylesheet, so the
drawing follows the palette and prints in black. The drawing is hidden from
assistive technology and its links leave the Tab order: the text equivalent
below it, with the same links, is what screen readers and keyboards use.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..context import BuildContext
from ..formatting import Labels, text
from ..model import Catalogue, MicroQualification

NODE_WIDTH = 200
COLUMN_GAP = 56
ROW_GAP = 14
LINE = 16
PADDING = 8
CHARS = 24  # characters per line of a node at its font size (bold, for the current entry)
MAX_LINES = 4


@dataclass
class Pathway:
    """One group of stacking entries and the qualifications they lead to."""

    key: str  # the id of its first entry: names the drawing's SVG ids
    entries: list[str] = field(default_factory=list)
    qualifications: dict[str, Any] = field(default_factory=dict)  # node id -> LargerQualification
    edges: list[tuple[str, str]] = field(default_factory=list)  # (part, whole) node ids


def _qualification_node(entry: MicroQualification) -> str | None:
    larger = entry.larger_qualification
    return f"q:{larger.lki}:{larger.title.lv}" if larger else None


def find_pathways(catalogue: Catalogue) -> dict[str, Pathway]:
    """Entry id -> its pathway, for every published entry that stacks with something. Linear."""
    published = {e.id: e for e in catalogue.published_entries()}
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    edges: list[tuple[str, str]] = []
    for entry in published.values():
        targets = [t for t in entry.stacks_into if t in published]
        qualification = _qualification_node(entry)
        if qualification:
            targets.append(qualification)
        for target in targets:
            edges.append((entry.id, target))
            parent[root(entry.id)] = root(target)
    groups: dict[str, Pathway] = {}
    for entry_id in published:  # published order: sector, then title
        if entry_id in parent:
            group = groups.setdefault(root(entry_id), Pathway(key=entry_id))
            group.entries.append(entry_id)
            node = _qualification_node(published[entry_id])
            if node and node not in group.qualifications:
                group.qualifications[node] = published[entry_id].larger_qualification
    for part, whole in edges:
        groups[root(part)].edges.append((part, whole))
    return {entry_id: group for group in groups.values() for entry_id in group.entries}


def _columns(pathway: Pathway) -> dict[str, int]:
    """Node -> column: the longest chain of parts below it (Kahn's order; stacking has no cycle)."""
    nodes = pathway.entries + list(pathway.qualifications)
    parts: dict[str, list[str]] = {node: [] for node in nodes}
    wholes: dict[str, list[str]] = {node: [] for node in nodes}
    for part, whole in pathway.edges:
        parts[whole].append(part)
        wholes[part].append(whole)
    waiting = {node: len(parts[node]) for node in nodes}
    column = dict.fromkeys(nodes, 0)
    ready = [node for node in nodes if not waiting[node]]
    while ready:
        node = ready.pop()
        for whole in wholes[node]:
            column[whole] = max(column[whole], column[node] + 1)
            waiting[whole] -= 1
            if not waiting[whole]:
                ready.append(whole)
    return column


def drawing(pathway: Pathway, catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """The pathway's SVG geometry and its text equivalent, in one language."""
    L = Labels(language)
    entries = catalogue.entries
    titles: dict[str, dict[str, Any]] = {}
    paths: dict[str, str | None] = {}
    for entry_id in pathway.entries:
        titles[entry_id] = text(entries[entry_id].title, language)
        paths[entry_id] = ctx.entry_path(entries[entry_id])
    for node, larger in pathway.qualifications.items():
        title = text(larger.title, language)
        shown = L("pathway.qualification", title=title["text"], level=L("units.level_short", n=larger.lki))
        titles[node] = {"text": shown, "lang": title["lang"]}
        paths[node] = None
    column = _columns(pathway)
    by_column: dict[int, list[str]] = {}
    for node in pathway.entries + list(pathway.qualifications):
        by_column.setdefault(column[node], []).append(node)
    parts: dict[str, list[str]] = {}
    for part, whole in pathway.edges:
        parts.setdefault(whole, []).append(part)

    row: dict[str, float] = {}
    lines: dict[str, list[str]] = {}
    heights: dict[str, int] = {}
    for index in sorted(by_column):
        members = by_column[index]
        members.sort(
            key=lambda n: (
                sum(row[p] for p in parts.get(n, [])) / len(parts[n]) if parts.get(n) else 0,
                titles[n]["text"].casefold(),
            )
        )
        for position, node in enumerate(members):
            row[node] = position
            wrapped = textwrap.wrap(titles[node]["text"], CHARS) or [""]
            if len(wrapped) > MAX_LINES:
                wrapped = wrapped[: MAX_LINES - 1] + [textwrap.shorten(" ".join(wrapped[MAX_LINES - 1 :]), CHARS)]
            lines[node] = wrapped
            heights[node] = len(wrapped) * LINE + 2 * PADDING
    column_heights = {
        index: sum(heights[n] for n in members) + ROW_GAP * (len(members) - 1) for index, members in by_column.items()
    }
    height = max(column_heights.values())
    nodes = []
    box: dict[str, tuple[float, float, float, float]] = {}
    for index, members in sorted(by_column.items()):
        x = index * (NODE_WIDTH + COLUMN_GAP) + 1
        y = (height - column_heights[index]) / 2 + 1
        for node in members:
            box[node] = (x, y, NODE_WIDTH, heights[node])
            nodes.append(
                {
                    "id": node,
                    "path": paths[node],
                    "lang": titles[node]["lang"],
                    "x": x,
                    "y": y,
                    "width": NODE_WIDTH,
                    "height": heights[node],
                    "lines": [
                        {"x": x + PADDING, "y": y + PADDING + LINE * (i + 1) - 4, "text": t}
                        for i, t in enumerate(lines[node])
                    ],
                }
            )
            y += heights[node] + ROW_GAP
    arrows = []
    for part, whole in pathway.edges:
        x1, y1 = box[part][0] + box[part][2], box[part][1] + box[part][3] / 2
        x2, y2 = box[whole][0] - 2, box[whole][1] + box[whole][3] / 2
        bend = (x2 - x1) / 2
        arrows.append(f"M{x1:g} {y1:g} C{x1 + bend:g} {y1:g} {x2 - bend:g} {y2:g} {x2:g} {y2:g}")

    def said(part: str, whole: str) -> list[dict[str, Any]]:
        """The label "{part} counts towards {whole}" cut into text and the two nodes."""
        template = L("pathway.counts_towards", part="\0part\0", whole="\0whole\0")
        pieces: list[dict[str, Any]] = []
        for piece in template.split("\0"):
            node = {"part": part, "whole": whole}.get(piece)
            if node is None:
                if piece:
                    pieces.append({"text": piece})
            else:
                pieces.append(
                    {"id": node, "path": paths[node], "text": titles[node]["text"], "lang": titles[node]["lang"]}
                )
        return pieces

    return {
        "id": f"mq-pathway-{pathway.key}",
        "width": (max(column.values()) + 1) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP + 2,
        "height": height + 2,
        "nodes": nodes,
        "arrows": arrows,
        "sentences": [said(part, whole) for part, whole in pathway.edges],
    }


class Drawings:
    """Each pathway drawn once per language, however many pages show it."""

    def __init__(
        self,
        catalogue: Catalogue,
        ctx: BuildContext,
        language: str,
        of_entry: dict[str, Pathway],
        kept: Callable[[str, Pathway, Callable[[], dict[str, Any]]], dict[str, Any]] | None = None,
    ) -> None:
        self.catalogue, self.ctx, self.language = catalogue, ctx, language
        self.of_entry = of_entry  # find_pathways(catalogue), found once for every language
        # (language, pathway, draw) -> draw(), or the same drawing kept from an earlier build.
        self.kept = kept or (lambda language, pathway, draw: draw())
        self._drawn: dict[str, dict[str, Any]] = {}

    def for_entry(self, entry_id: str) -> dict[str, Any] | None:
        pathway = self.of_entry.get(entry_id)
        if pathway is None:
            return None
        if pathway.key not in self._drawn:
            draw = partial(drawing, pathway, self.catalogue, self.ctx, self.language)
            self._drawn[pathway.key] = self.kept(self.language, pathway, draw)
        return self._drawn[pathway.key]

    def for_sector(self, entries: list[MicroQualification]) -> list[dict[str, Any]]:
        """The pathways that the sector's entries are on, each once, in the order of the entries."""
        seen: dict[str, dict[str, Any]] = {}
        for entry in entries:
            drawn = self.for_entry(entry.id)
            if drawn is not None:
                seen.setdefault(drawn["id"], drawn)
        return list(seen.values())
