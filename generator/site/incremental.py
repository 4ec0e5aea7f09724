"""Incremental builds: after a change, compile and render only the pages whose inputs changed.

A full build (build.py) compiles every page into a fresh source tree and renders all
of it. An incremental build starts from the source tree and the site that the last
build left, and:

1. validates with a FileCache: only the files whose bytes changed are parsed,
   schema-checked and made into model objects again; the rules that look across
   files run on the whole catalogue;
2. compiles the pages outside the entries again (home, sectors, providers, levels,
   finder, compare, statistics, verify, prose: a few per sector and provider), and
   an entry's page only when its key changed (`entry_keys`: the digest of every
   file the page shows something of, and of the build's settings); a source is
   written only when its bytes differ, so an unchanged page keeps its time;
3. deletes the sources and the rendered pages of pages that went away, and the
   rendered page of every source it wrote;
4. renders with MkDocs' dirty mode, in this process: MkDocs renders only the
   sources newer than their output (or without one). When a language's mkdocs.yml
   changed (its navigation: a sector's name, say) the build is a full one;
5. runs the writers of build.site_writers() again into a folder of their own,
   deletes the files they no longer write, moves the new ones in, then writes the
   sitemap.

The site it leaves is the same, byte for byte, as a full build's
(tests/test_incremental.py). `mqcat serve` shows the pages after step 4 and runs
step 5 in the background; `mqcat build --incremental` runs them in order.

An incremental build changes the site in place: when it fails after it began to
(MkDocs refused a page, a writer failed), the site is part old, part new, and the
next build is a full one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .. import statistics
from ..catalogue import FileCache
from ..context import ASSETS_PATH, BuildContext
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..model import Catalogue, MicroQualification
from ..problems import Problem
from ..versions import VersionsRefused
from .build import (
    BuildFailed,
    BuildReport,
    _collector_thresholds,
    _prepare,
    after_render_writers,
    build,
    files_under,
    merge_into,
    site_writers,
)
from .compile import Card, PageWriter, compile_tree
from .pathways import Pathway, find_pathways

# Part of every key: a change of how keys are made must not reuse pages keyed the old way.
KEY_FORMAT = "mqcat-incremental-1"
STATE_FILE = ".mqcat-incremental.json"


@dataclass(frozen=True)
class Settings:
    """What a build is asked for (the arguments of build.build that an incremental build supports)."""

    repo_root: Path
    site_dir: Path
    source_dir: Path
    site_url: str | None = None
    today: dt.date | None = None
    catalogue_dir: Path | None = None
    publish: bool = False


def entry_keys(catalogue: Catalogue, ctx: BuildContext, digests: dict[str, str]) -> dict[str, str]:
    """Entry id -> the digest of everything its page is made from, for every entry and proposal.

    An entry's page shows its own file, its awarding bodies, its sector and
    authority, the entries it names (stacks_into, replaced_by) and those that stack
    into it, and its learning pathway (every entry on it); and the build's settings
    (site address, today, the date of its last commit). The key digests those
    files' bytes (`digests`, by display path, from the FileCache) rather than
    what the page takes from them: coarser, and exact. The files that are neither
    entries nor providers (sectors, authorities, status lists) count for every page.
    """
    entries = {**catalogue.proposals, **catalogue.entries}
    providers = {p.source for p in catalogue.providers.values()}
    sources = {e.source for e in entries.values()} | providers
    shared = hashlib.sha256(
        json.dumps(
            [KEY_FORMAT, ctx.site_url, ctx.today.isoformat(), sorted(d for d in digests.items() if d[0] not in sources)]
        ).encode("utf-8")
    ).hexdigest()
    built_from = catalogue.built_from()
    pathways = find_pathways(catalogue)

    def record(entry_id: str) -> str:
        entry = entries.get(entry_id)
        return f"{entry.source}:{digests.get(entry.source, '-')}" if entry else f"{entry_id}:missing"

    keys: dict[str, str] = {}
    for entry in entries.values():
        linked = sorted({*entry.stacks_into, *([entry.replaced_by] if entry.replaced_by else [])})
        pathway = pathways.get(entry.id)
        changed = ctx.last_changed.get(entry.id)
        parts = [
            shared,
            changed.isoformat() if changed else "",
            record(entry.id),
            [
                f"{p}:{digests.get(catalogue.providers[p].source, '-')}" if p in catalogue.providers else p
                for p in entry.awarding_bodies
            ],
            [record(i) for i in linked],
            [record(i) for i in built_from.get(entry.id, [])],
            [record(i) for i in pathway.entries] if pathway else [],
        ]
        keys[entry.id] = hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
    return keys


class ChangedPages(PageWriter):
    """Updates a source tree in place: keeps entry pages whose key is the same, writes only changed bytes.

    Paths are kept as strings: at 10,000 entries a Path per kept page was a tenth of a change's time.
    """

    fresh = False

    def __init__(
        self,
        source_dir: Path,
        before: dict[str, str],
        now: dict[str, str],
        cards: dict[tuple[str, str], tuple[str, Card]],
        drawings: dict[tuple[str, str], tuple[tuple[str, ...], dict[str, Any]]],
    ) -> None:
        self.source_dir = source_dir
        self.before, self.now = before, now
        self.cards = cards  # (language, entry id) -> (key, card), kept by the Builder
        self.drawings = drawings  # (language, pathway key) -> (its entries' keys, drawing), kept by the Builder
        # Each language's docs/, as the prefix of its sources' paths.
        self._docs = {language: f"{source_dir}{os.sep}{language}{os.sep}docs" for language in LANGUAGES}
        # The Markdown sources on disk before this build (one walk of each language's docs/).
        self.existing: set[str] = {page for docs in self._docs.values() for page in _pages_under(Path(docs))}
        self.produced: set[str] = set()  # every source the build has (kept or written)
        self.written: list[Path] = []  # the files whose bytes changed
        self.kept: set[str] = set()  # the entry pages kept as they were

    def keep(self, language: str, path: str, entry: MicroQualification) -> bool:
        if self.before.get(entry.id) != self.now[entry.id]:
            return False
        target = f"{self._docs[language]}{os.sep}{path.replace('/', os.sep)}"
        if target not in self.existing:
            return False
        self.produced.add(target)
        self.kept.add(target)
        return True

    def card(self, language: str, entry: MicroQualification, make: Callable[[], dict[str, Any]]) -> Card:
        # A card shows a part of what the entry's page shows: the entry's key covers it.
        kept = self.cards.get((language, entry.id))
        if kept is not None and kept[0] == self.now[entry.id]:
            return kept[1]
        made = Card.of(make())
        self.cards[(language, entry.id)] = (self.now[entry.id], made)
        return made

    def drawing(self, language: str, pathway: Pathway, draw: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        signature = _drawing_signature(pathway, self.now)
        kept = self.drawings.get((language, pathway.key))
        if kept is not None and kept[0] == signature:
            return kept[1]
        made = draw()
        self.drawings[(language, pathway.key)] = (signature, made)
        return made

    def write(self, target: Path, content: str) -> None:
        self.produced.add(str(target))
        data = content.encode("utf-8")
        try:
            if target.read_bytes() == data:
                return
        except OSError:
            pass
        target.write_bytes(data)
        self.written.append(target)


def _drawing_signature(pathway: Pathway, keys: dict[str, str]) -> tuple[str, ...]:
    """What a pathway's drawing is made from: it shows its entries (their titles, levels, links, what they
    stack into), and their keys cover that."""
    return tuple(f"{entry_id}={keys[entry_id]}" for entry_id in pathway.entries)


class _Recorded(PageWriter):
    """A full build's writer that keeps the cards and drawings it made, for the incremental builds after it.

    Without them the first change after a full build made every card again (at 10,000 entries
    3.5 s against 1.2 s for the changes after it).
    """

    def __init__(self) -> None:
        self.cards: dict[tuple[str, str], Card] = {}
        self.drawings: dict[tuple[str, str], tuple[Pathway, dict[str, Any]]] = {}

    def card(self, language: str, entry: MicroQualification, make: Callable[[], dict[str, Any]]) -> Card:
        made = self.cards[(language, entry.id)] = super().card(language, entry, make)
        return made

    def drawing(self, language: str, pathway: Pathway, draw: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        made = draw()
        self.drawings[(language, pathway.key)] = (pathway, made)
        return made


def _sites(site_dir: Path, configs: list[Path]) -> dict[Path, Path]:
    """Each language's mkdocs.yml -> where it renders (as build.Renderer places them).

    The first language at the site's root, the others in a folder named after them.
    """
    return {config: site_dir if n == 0 else site_dir / config.parent.name for n, config in enumerate(configs)}


def _output_of(source: Path, docs: Path, site: Path) -> Path:
    """The rendered file of a Markdown source (MkDocs with use_directory_urls, as mkdocs.yml sets it)."""
    relative = source.relative_to(docs).with_suffix("")
    if relative.name == "index":
        return site / relative.parent / "index.html"
    return site / relative / "index.html"


def _pages_under(docs: Path) -> list[str]:
    """The Markdown sources under docs/ (os.walk: pathlib's rglob takes several times longer)."""
    found: list[str] = []
    for folder, subfolders, names in os.walk(docs):
        if folder == str(docs):
            subfolders[:] = [name for name in subfolders if name != "assets"]
        found.extend(f"{folder}{os.sep}{name}" for name in names if name.endswith(".md"))
    return found


# Beside each language's docs/: the part of the source tree an incremental build gives MkDocs (see _mirror).
MIRROR = "docs-changed"


def _mirror(docs: Path, sources: list[Path]) -> Path:
    """A fresh folder beside `docs` with hard links to `sources` (under `docs`) and to docs/assets.

    MkDocs reads the name of every file in its docs_dir and makes a page object of each,
    even in a dirty build that renders only the changed ones: at 10,000 entries that was most
    of a one-entry change's time. An incremental build gives it this folder instead: every
    page but the entries kept as they were (the navigation's pages, the lists, the providers',
    our prose) and the entries that changed. A page's output does not depend on the folder
    MkDocs read it from (tests/test_incremental.py compares with a full build); a hard link
    keeps the source's time, by which MkDocs tells what changed (a copy keeps it too).
    """
    mirror = docs.with_name(MIRROR)
    shutil.rmtree(mirror, ignore_errors=True)
    assets = [Path(folder, name) for folder, _, names in os.walk(docs / ASSETS_PATH) for name in names]
    made: set[Path] = set()
    for source in [*sources, *assets]:
        target = mirror / source.relative_to(docs)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            os.link(source, target)
        except OSError:  # a file system without hard links
            shutil.copy2(source, target)
    return mirror


def _remove(path: Path, stop: Path) -> None:
    """Delete a file, and the folders above it that it leaves empty, up to `stop`."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


class _DirtyNotice(logging.Filter):
    """Drops MkDocs' warning that a dirty build is being performed (strict mode would count it as a failure)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


@dataclass
class _Loaded:
    """A language's MkDocs configuration and its theme's Jinja environment, kept while its file stays the same."""

    text: bytes
    config: Any
    environment: Any
    docs_dir: str  # the configuration's own: a build may point it at another folder (_mirror)


# (mkdocs.yml, site) -> what MkDocs read: reading the configuration and compiling the theme's
# templates is most of a small dirty build. A full build forgets them (the theme may have changed).
_LOADED: dict[tuple[Path, Path], _Loaded] = {}


def _listed_once(list_templates: Callable[..., list[str]]) -> Callable[..., list[str]]:
    """`Environment.list_templates`, each answer kept: MkDocs asks with a filter of the same code each build."""
    answers: dict[tuple[Any, ...], list[str]] = {}

    def listed(extensions: Any = None, filter_func: Callable[[str], bool] | None = None) -> list[str]:
        key = (tuple(extensions) if extensions else None, getattr(filter_func, "__code__", filter_func))
        if key not in answers:
            answers[key] = list_templates(extensions, filter_func)
        return list(answers[key])

    return listed


def forget_renderers() -> None:
    _LOADED.clear()


def render_dirty(config_file: Path, site: Path, docs: Path | None = None) -> None:
    """`mkdocs build --strict --dirty` in this process: render the sources newer than their output.

    `docs`: the folder to read the sources from instead of the configuration's docs_dir (a _mirror).
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    said = _Collected()
    quiet = _DirtyNotice()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(said)
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    key = (config_file, site)
    try:
        text = config_file.read_bytes()
        loaded = _LOADED.get(key)
        if loaded is None or loaded.text != text:
            config = load_config(str(config_file), site_dir=str(site), strict=True)
            if not config.use_directory_urls:
                raise BuildFailed(f"{config_file}: an incremental build needs use_directory_urls")
            environment = config.theme.get_env()
            # The theme hands every build this environment, with the templates it compiled.
            setattr(config.theme, "get_env", lambda: environment)  # noqa: B010 (an instance attribute over the method)
            # and the list of its files: MkDocs lists the theme's folders in every build (Material's
            # holds some 14,000 icons: 0.3 s), the same while this configuration is loaded.
            setattr(environment, "list_templates", _listed_once(environment.list_templates))  # noqa: B010
            loaded = _LOADED[key] = _Loaded(text, config, environment, config.docs_dir)
        loaded.config.docs_dir = str(docs) if docs is not None else loaded.docs_dir
        mkdocs_build(loaded.config, dirty=True)
    except BuildFailed:
        _LOADED.pop(key, None)
        raise
    except Exception as error:  # MkDocs' Abort, a template error: what a failed subprocess would have said
        _LOADED.pop(key, None)
        shown = "\n".join([*said.lines, f"{type(error).__name__}: {error}"])
        raise BuildFailed(f"mkdocs build failed for {config_file}:\n{shown}") from None
    finally:
        logger.removeHandler(said)
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)


def render_languages(sites: dict[Path, Path], docs: dict[Path, Path] | None = None) -> None:
    """`render_dirty` for every language at once: the first here, each other one in a forked child.

    MkDocs uses one core; the languages are independent. The children start from this
    process's configurations and templates (`_LOADED`). Without fork, one after the other.
    `docs`: each configuration's folder to read the sources from, when not its docs_dir.
    """
    docs = docs or {}
    order = list(sites.items())
    children = []
    if len(order) > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        for config, site in order[1:]:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_render_in_child, args=(config, site, send, docs.get(config)), daemon=True)
            process.start()
            send.close()
            children.append((config, process, receive))
        order = order[:1]
    failures = []
    for config, site in order:
        try:
            render_dirty(config, site, docs.get(config))
        except BuildFailed as failure:
            failures.append(str(failure))
    for config, process, receive in children:
        try:
            said = receive.recv()
        except EOFError:
            said = f"mkdocs build stopped for {config} (exit status {process.exitcode})"
        process.join()
        receive.close()
        if said:
            failures.append(said)
    if failures:
        raise BuildFailed("\n".join(failures))


def _render_in_child(config: Path, site: Path, send: Connection, docs: Path | None) -> None:
    try:
        render_dirty(config, site, docs)
        send.send("")
    except BuildFailed as failure:
        send.send(str(failure))
    except BaseException:
        send.send(traceback.format_exc())
    finally:
        send.close()
        os._exit(0)


@dataclass
class PendingData:
    """The writers' outputs of an incremental build whose pages are rendered: written, then moved in."""

    builder: Builder
    number: int  # the build it belongs to: a later build makes it obsolete
    catalogue: Catalogue
    ctx: BuildContext
    figures: statistics.Figures
    history_root: Path
    published_versions: dict[str, dict[int, str]] | None = None
    pages: list[str] | None = None  # the default language's pages, once compiled (for the sitemap)

    def write(self, folder: Path) -> tuple[list[str], list[Problem]]:
        """Run every writer into `folder`; the files written and the warnings. Raises VersionsRefused."""
        warnings: list[Problem] = []
        named, _ = site_writers(self.figures, self.history_root, self.published_versions, warnings)
        for _, writer in named:
            writer(self.catalogue, folder, self.ctx)
        return files_under(folder), warnings

    def finish(self, folder: Path, files: list[str]) -> bool:
        """Replace the site's data files by those in `folder` and write the sitemap; False when obsolete."""
        state = self.builder.state
        if state is None or self.builder.number != self.number:
            shutil.rmtree(folder, ignore_errors=True)
            return False
        site = self.builder.settings.site_dir
        for gone in sorted(set(state.data_files) - set(files)):
            _remove(site / gone, site)
        merge_into(folder, site)
        for _, writer in after_render_writers(self.pages):
            writer(self.catalogue, site, self.ctx)
        state.data_files = files
        state.complete = True
        self.builder.save()
        return True

    def write_aside(self, report: BuildReport) -> tuple[Path, list[str]]:
        """Write into a new folder beside the site, here and now: the folder and its files, for `finish`."""
        folder = data_folder(self.builder.settings.site_dir)
        try:
            with report.timings.stage("writers (open data, indexes, calendars, versions, registry)"):
                files, warnings = self.write(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        report.warnings.extend(warnings)
        return folder, files


def data_folder(site: Path) -> Path:
    """A new folder beside the site for the writers (renamed into the site: the same file system)."""
    return Path(tempfile.mkdtemp(prefix=f".{site.name}-data-", dir=site.parent))


@dataclass
class Update:
    """What one build did: its report, whether it was a full one, and the writers still to run."""

    report: BuildReport
    full: bool
    pages: int = 0  # sources written or removed (both languages)
    pending: PendingData | None = None


@dataclass
class _State:
    """What the last build left on disk, for the next one to start from."""

    settings: Settings
    keys: dict[str, str]
    data_files: list[str]
    complete: bool = True  # the data files match the pages


@dataclass
class Builder:
    """Builds one site again and again: a full build first, then incremental ones while it can.

    Keep one Builder for as long as the catalogue is edited (`mqcat serve` does).
    `forget()` makes the next build a full one: call it when anything but the
    catalogue changed (the schema, mkdocs.yml, the templates).
    """

    settings: Settings
    persist: bool = False  # keep the state beside the source tree, for the next process
    cache: FileCache = field(default_factory=FileCache)
    state: _State | None = None
    cards: dict[tuple[str, str], tuple[str, Card]] = field(default_factory=dict)
    drawings: dict[tuple[str, str], tuple[tuple[str, ...], dict[str, Any]]] = field(default_factory=dict)
    number: int = 0

    def forget(self) -> None:
        self.state = None
        if self.persist:
            (self.settings.source_dir / STATE_FILE).unlink(missing_ok=True)

    def pages(self, published_versions: dict[str, dict[int, str]] | None = None) -> Update:
        """Build the pages, incrementally when the last build's state allows; the writers are left `pending`.

        A full build (no state, other settings, a changed navigation) writes everything and leaves nothing pending.
        """
        return self._build(published_versions, data_first=False)

    def build(self, published_versions: dict[str, dict[int, str]] | None = None) -> Update:
        """The whole site, incrementally when it can. The writers run first: if one refuses, no page changed."""
        return self._build(published_versions, data_first=True)

    @_collector_thresholds()
    def _build(self, published_versions: dict[str, dict[int, str]] | None, data_first: bool) -> Update:
        self.number += 1
        if self.state is None and self.persist:
            self.state = self._load()
        state, self.state = self.state, None
        if state is None or state.settings != self.settings or not self._on_disk():
            return self._full(published_versions)
        return self._incremental(state, published_versions, data_first)

    def warm(self) -> None:
        """Read MkDocs' configurations and compile the theme's templates now, so that the next build is quick.

        `mqcat serve` calls it after a full build: the first change then renders as fast as the ones after it.
        A dirty render with no changed source writes only MkDocs' 404 page, with the same bytes.
        """
        if self.state is None:
            return
        configs = [self.settings.source_dir / language / "mkdocs.yml" for language in LANGUAGES]
        try:
            for config, site in _sites(self.settings.site_dir, configs).items():
                render_dirty(config, site)
        except BuildFailed:
            self.forget()

    def _on_disk(self) -> bool:
        source, site = self.settings.source_dir, self.settings.site_dir
        return (
            all((source / language / "mkdocs.yml").is_file() for language in LANGUAGES)
            and (site / "index.html").is_file()
        )

    def _full(self, published_versions: dict[str, dict[int, str]] | None) -> Update:
        s = self.settings
        self.forget()
        forget_renderers()
        recorded = _Recorded()
        report = build(
            s.repo_root,
            s.site_dir,
            site_url=s.site_url,
            today=s.today,
            source_dir=s.source_dir,
            catalogue_dir=s.catalogue_dir,
            publish=s.publish,
            published_versions=published_versions,
            cache=self.cache,
            pages=recorded,
        )
        assert report.ctx is not None
        keys = entry_keys(report.catalogue, report.ctx, self.cache.digests)
        self.cards = {at: (keys[at[1]], card) for at, card in recorded.cards.items()}
        self.drawings = {
            at: (_drawing_signature(pathway, keys), drawing) for at, (pathway, drawing) in recorded.drawings.items()
        }
        self.state = _State(s, keys, report.data_files)
        self.save()
        return Update(report, full=True, pages=report.pages)

    def _incremental(
        self, state: _State, published_versions: dict[str, dict[int, str]] | None, data_first: bool
    ) -> Update:
        s = self.settings
        # Until the source tree changes, a failure leaves the state good.
        try:
            report, ctx, history_root = _prepare(
                s.repo_root, s.site_dir, s.source_dir, s.site_url, s.today, s.catalogue_dir, s.publish, self.cache
            )
            catalogue, timings = report.catalogue, report.timings
            with timings.stage("keys"):
                keys = entry_keys(catalogue, ctx, self.cache.digests)
            with timings.stage("statistics"):
                figures = statistics.compute(catalogue, ctx.today)
            pending = PendingData(self, self.number, catalogue, ctx, figures, history_root, published_versions)
            aside = pending.write_aside(report) if data_first else None
        except BaseException:
            self.state = state
            raise
        try:
            update = self._pages(state, report, keys, pending)
            if aside is not None and not update.full:
                with timings.stage("move the data in; sitemap"):
                    pending.finish(*aside)
                update.pending = None
            return update
        finally:
            if aside is not None:
                shutil.rmtree(aside[0], ignore_errors=True)

    def _pages(self, state: _State, report: BuildReport, keys: dict[str, str], pending: PendingData) -> Update:
        s, timings = self.settings, report.timings
        catalogue, ctx, figures = pending.catalogue, pending.ctx, pending.figures
        if self.persist:
            (s.source_dir / STATE_FILE).unlink(missing_ok=True)  # from here on the trees change
        with timings.stage("compile the changed pages"):
            writer = ChangedPages(s.source_dir, state.keys, keys, self.cards, self.drawings)
            compiled = compile_tree(
                catalogue, ctx, s.source_dir, s.repo_root / "mkdocs.yml", figures=figures, writer=writer
            )
        configs = compiled.configs
        pending.pages = compiled.pages[DEFAULT_LANGUAGE]
        if any(config in writer.written for config in configs):
            # The navigation (or another setting) of a language changed: every page renders anew.
            return self._full(pending.published_versions)
        sites = _sites(s.site_dir, configs)
        touched = 0
        with timings.stage("remove the pages that went away"):
            for config, site in sites.items():
                docs = config.parent / "docs"
                under = f"{docs}{os.sep}"
                for gone in sorted(writer.existing - writer.produced):
                    if gone.startswith(under):
                        source = Path(gone)
                        _remove(source, docs)
                        _remove(_output_of(source, docs, site), site)
                        touched += 1
                for source in writer.written:
                    if source.is_relative_to(docs):
                        # MkDocs renders a source that has no output, whatever the clock's resolution.
                        _output_of(source, docs, site).unlink(missing_ok=True)
                        touched += 1
        with timings.stage("render the changed pages (MkDocs, dirty)"):
            mirrors = {}
            for config in sites:
                docs = config.parent / "docs"
                under = f"{docs}{os.sep}"
                shown = [Path(path) for path in writer.produced - writer.kept if path.startswith(under)]
                mirrors[config] = _mirror(docs, shown)
            try:
                render_languages(sites, mirrors)
            finally:
                for mirror in mirrors.values():
                    shutil.rmtree(mirror, ignore_errors=True)
        report.pages = sum(1 for path in writer.produced if path.endswith(".md"))
        self.state = _State(s, keys, state.data_files, complete=False)
        return Update(report, full=False, pages=touched, pending=pending)

    # The state on disk, for `mqcat build --incremental` (a new process each time).

    def save(self) -> None:
        if not self.persist or self.state is None or not self.state.complete:
            return
        state = self.state
        document = {
            "format": KEY_FORMAT,
            "generator": _generator_digest(),
            "settings": _settings_json(state.settings),
            "keys": state.keys,
            "data_files": state.data_files,
        }
        target = self.settings.source_dir / STATE_FILE
        target.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")

    def _load(self) -> _State | None:
        try:
            document = json.loads((self.settings.source_dir / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (
            not isinstance(document, dict)
            or document.get("format") != KEY_FORMAT
            or document.get("generator") != _generator_digest()
            or document.get("settings") != _settings_json(self.settings)
        ):
            return None
        return _State(self.settings, dict(document["keys"]), list(document["data_files"]))


def _settings_json(settings: Settings) -> dict[str, Any]:
    return {
        name: (str(value) if value is not None and not isinstance(value, bool) else value)
        for name, value in vars(settings).items()
    }


@cache
def _generator_digest() -> str:
    """A digest of mqcat's own files and of the MkDocs and Material versions: another version builds anew.

    Once per process: the code that runs is the code that was there when it started.
    """
    from importlib.metadata import version

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    for name in ("mkdocs", "mkdocs-material"):
        digest.update(f"{name}={version(name)}".encode())
    return digest.hexdigest()


# The writers in the background, for `mqcat serve`.


class DataJob:
    """PendingData written by a forked child process, so that the pages of the next change need not wait.

    The child runs the writers into a folder of its own; `poll()` moves their
    files in when it is done. `cancel()` stops it (a newer change makes its work
    obsolete). Where fork is not available the writers run in `start`.
    """

    def __init__(self, pending: PendingData) -> None:
        self.pending = pending
        self.folder = data_folder(pending.builder.settings.site_dir)
        self.process: Any = None
        self.connection: Connection | None = None
        self.result: tuple[str, Any] | None = None

    def start(self) -> None:
        if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
            self.result = _write_here(self.pending, self.folder)
            return
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=_write_in_child, args=(self.pending, self.folder, send), daemon=True)
        self.process.start()
        send.close()
        self.connection = receive

    def poll(self) -> tuple[str, Any] | None:
        """None while the child works; then ("done", warnings), ("refused", problems) or ("failed", message)."""
        if self.result is None and self.connection is not None:
            if not self.connection.poll():
                if self.process.is_alive():
                    return None
                self.result = ("failed", f"the writers stopped (exit status {self.process.exitcode})")
            else:
                try:
                    self.result = self.connection.recv()
                except EOFError:
                    self.result = ("failed", "the writers stopped without an answer")
            self.process.join()
            self.connection.close()
        if self.result is None:
            return None
        if self.result[0] == "written":
            files, warnings = self.result[1]
            self.result = ("done", warnings) if self.pending.finish(self.folder, files) else ("obsolete", [])
        elif self.result[0] != "done" and self.result[0] != "obsolete":
            shutil.rmtree(self.folder, ignore_errors=True)
            self.pending.builder.forget()
        return self.result

    def cancel(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()
        if self.connection is not None:
            self.connection.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@_collector_thresholds()
def _write_here(pending: PendingData, folder: Path) -> tuple[str, Any]:
    try:
        return ("written", pending.write(folder))
    except VersionsRefused as refused:
        return ("refused", refused.problems)
    except Exception:
        return ("failed", traceback.format_exc())


def _write_in_child(pending: PendingData, folder: Path, send: Connection) -> None:
    try:
        send.send(_write_here(pending, folder))
    finally:
        send.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers
