"""Build the public site: validate, compile the source tree, render with MkDocs, add open data.

Everything is written into temporary folders next to the targets and swapped
into place only when every step succeeded, so a failed build leaves the
previous site (and the previous source tree) untouched.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import intakes, opendata, statistics, versions
from ..catalogue import CatalogueInvalid, FileCache, Result, validate
from ..context import BuildContext
from ..credentials import registry
from ..i18n import DEFAULT_LANGUAGE
from ..interop import elm, ob3
from ..model import Catalogue
from ..problems import Problem
from . import search_index, sitemap
from .compile import PageWriter, compile_tree
from .shards import Shard, merge_shards

# Writers that add files to the rendered site: (catalogue, site_dir, ctx) -> None.
SiteWriter = Callable[[Catalogue, Path, BuildContext], None]


class BuildFailed(Exception):
    """MkDocs or a writer failed; carries what it said."""


@dataclass
class Timings:
    """How long each stage of a build took, for `mqcat build --timings` and the benchmarks."""

    # (stage, wall seconds, CPU seconds of this process and its finished children), in build order.
    stages: list[tuple[str, float, float]] = field(default_factory=list)
    # The peak resident memory of the build's own process (not MkDocs') at the end of each stage, in MiB,
    # aligned with `stages`: the stage after which it grew set the new peak. None where unknown.
    peaks: list[float | None] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), _cpu_seconds()
        try:
            yield
        finally:
            self.stages.append((name, time.perf_counter() - started, _cpu_seconds() - cpu))
            self.peaks.append(_peak_memory_mib())


@dataclass
class BuildReport:
    catalogue: Catalogue
    site_dir: Path
    source_dir: Path
    warnings: list[Problem] = field(default_factory=list)
    pages: int = 0
    timings: Timings = field(default_factory=Timings)
    ctx: BuildContext | None = None
    # The files the writers wrote (relative to the site), for an incremental build to tell which went away.
    data_files: list[str] = field(default_factory=list)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _peak_memory_mib() -> float | None:
    """This process's peak resident memory so far (MiB), or None where the platform does not say."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def base_site_url(repo_root: Path) -> str:
    """The site_url of the repository's mkdocs.yml."""
    config = yaml.load((repo_root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return str(config.get("site_url") or "http://127.0.0.1:8000/")


def _ordinary_permissions(folder: Path) -> None:
    """Give a folder made by tempfile.mkdtemp (mode 700) the mode the umask gives any new folder (755 usually).

    Copied as it is to a web server's root, a site of mode 700 could not be read.
    """
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the trees are swapped: an interrupted swap could leave no site."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover - signals go to main
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swap(new: Path, target: Path) -> None:
    """Replace `target` by `new` with two renames; the old tree is removed afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# The cyclic garbage collector's thresholds for a build and its MkDocs processes. Both keep many
# small objects until they end (the catalogue and the views; every page's front matter): with the
# default first threshold, 700 allocations, the collector went through them again and again, about
# a tenth of a build's CPU at 1,000 entries (measured with gc.callbacks); peak memory is the same.
GC_THRESHOLDS = (10_000, 10, 10)
# `python -m mkdocs`, with GC_THRESHOLDS.
_MKDOCS = (
    f"import gc, runpy; gc.set_threshold(*{GC_THRESHOLDS}); "
    "runpy.run_module('mkdocs', run_name='__main__', alter_sys=True)"
)


@contextmanager
def _collector_thresholds() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _mkdocs(config: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _MKDOCS,
            "build",
            "--strict",
            "--quiet",
            "--config-file",
            str(config),
            "--site-dir",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@dataclass
class _Language:
    """One language's MkDocs run: its config, where it renders, and (once it ran) its process and output."""

    config: Path
    target: Path
    process: subprocess.Popen[str] | None = None
    output: str = ""
    thread: threading.Thread | None = None


class Renderer:
    """MkDocs for every language, each started as soon as its source tree is ready.

    The first language renders at `out`, the others beside it (MkDocs empties its
    site_dir first) and move into `out/<language>/` when all have finished. At most
    `jobs` languages render at once (all of them when None): each MkDocs process holds
    its language's pages in memory until it finishes, so a very large catalogue on a
    small machine renders one language after the other. Each run is watched by a
    thread that reads MkDocs' output as it comes (a full pipe would stop MkDocs).
    """

    def __init__(self, out: Path, jobs: int | None = None) -> None:
        self.out = out
        self.languages: list[_Language] = []
        self._limit = jobs or sys.maxsize
        self._running = 0
        self._waiting: deque[_Language] = deque()  # started, not yet running: they run in this order
        self._turn = threading.Condition()
        self._cancelled = False

    def start(self, config: Path) -> None:
        target = self.out if not self.languages else self.out.with_name(f"{self.out.name}.{config.parent.name}")
        job = _Language(config, target)
        job.thread = threading.Thread(target=self._run, args=(job,), name=f"mkdocs {config.parent.name}", daemon=True)
        self.languages.append(job)
        with self._turn:
            self._waiting.append(job)
        job.thread.start()

    def _run(self, job: _Language) -> None:
        with self._turn:
            self._turn.wait_for(lambda: self._cancelled or (self._waiting[0] is job and self._running < self._limit))
            self._waiting.remove(job)
            self._turn.notify_all()
            if self._cancelled:
                return
            self._running += 1
            job.process = _mkdocs(job.config, job.target)
        try:
            job.output, _ = job.process.communicate()
        finally:
            with self._turn:
                self._running -= 1
                self._turn.notify_all()

    def finish(self) -> None:
        """Wait for every language; raise BuildFailed with what MkDocs said if any failed."""
        failures = []
        for job in self.languages:
            assert job.thread is not None
            job.thread.join()
            if job.process is None or job.process.returncode != 0:
                failures.append(f"mkdocs build failed for {job.config}:\n{job.output.strip()}")
        if failures:
            self.cancel()
            raise BuildFailed("\n".join(failures))
        for job in self.languages[1:]:
            job.target.rename(self.out / job.config.parent.name)

    def cancel(self) -> None:
        """Stop every MkDocs still running or waiting, and remove what the other languages wrote."""
        with self._turn:
            self._cancelled = True
            self._turn.notify_all()
            for job in self.languages:
                if job.process is not None and job.process.poll() is None:
                    job.process.kill()
        for job in self.languages:
            if job.thread is not None:
                job.thread.join()
            if job.target != self.out:
                shutil.rmtree(job.target, ignore_errors=True)


def merge_into(source: Path, target: Path) -> None:
    """Move the files under `source` into `target`, folder by folder; files from `source` win."""
    for child in source.iterdir():
        destination = target / child.name
        if child.is_dir() and destination.is_dir():
            merge_into(child, destination)
        else:
            if destination.is_dir():
                shutil.rmtree(destination)
            child.replace(destination)
    source.rmdir()


def files_under(folder: Path) -> list[str]:
    """The files under `folder`, as sorted relative POSIX paths."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if not path.is_dir())


def site_writers(
    figures: statistics.Figures,
    history_root: Path,
    published_versions: dict[str, dict[int, str]] | None,
    warnings: list[Problem],
    pages: list[str] | None = None,
) -> tuple[list[tuple[str, SiteWriter]], list[tuple[str, SiteWriter]]]:
    """Every output written beside the rendered pages, registered here and only here: (name, writer).

    The first list needs only the catalogue (written while MkDocs renders), in a fixed
    order (a shard build writes the ones whose position is its own); the second reads
    the rendered pages (the sitemap lists them). `figures` are the catalogue-wide
    statistics, `history_root` the repository whose history holds the published
    versions, `published_versions` what is online now; the versions' warnings go to
    `warnings`; `pages` are the default language's pages (see after_render_writers).
    """

    def write_statistics(catalogue: Catalogue, site: Path, ctx: BuildContext) -> None:
        statistics.write_statistics(figures, site, ctx)

    def write_versions(catalogue: Catalogue, site: Path, ctx: BuildContext) -> None:
        warnings.extend(versions.write_versions(catalogue, site, ctx, history_root, published_versions))

    def write_registry(catalogue: Catalogue, site: Path, ctx: BuildContext) -> None:
        # Keys, revocations, and the entries' states in time (from history).
        registry.write_registry(catalogue, site, ctx, versions.read_history(history_root).states)

    plain: list[SiteWriter] = [
        search_index.write_search_index,
        opendata.write_open_data,
        elm.write_elm,
        ob3.write_ob3,
        intakes.write_intake_calendars,
    ]
    while_rendering = [(_name(w), w) for w in plain] + [
        ("statistics.json", write_statistics),
        ("versions", write_versions),
        ("registry of issuers", write_registry),
    ]
    return while_rendering, after_render_writers(pages)


def after_render_writers(pages: list[str] | None) -> list[tuple[str, SiteWriter]]:
    """The outputs that list the rendered pages (a merge of shards writes them too).

    `pages`: the default language's pages, as the compiled source tree has them; None to
    find them in the rendered site (a merge of shards, whose parts each compiled some).
    """

    def write_sitemap(catalogue: Catalogue, site: Path, ctx: BuildContext) -> None:
        sitemap.write_sitemap(catalogue, site, ctx, pages)

    return [(_name(sitemap.write_sitemap), write_sitemap)]


def _name(writer: SiteWriter) -> str:
    """A writer's name in `--timings`: its module, e.g. "interop.elm"."""

    return writer.__module__.removeprefix("generator.")


def _prepare(
    repo_root: Path,
    site_dir: Path,
    source_dir: Path,
    site_url: str | None,
    today: dt.date | None,
    catalogue_dir: Path | None,
    publish: bool,
    cache: FileCache | None = None,
) -> tuple[BuildReport, BuildContext, Path]:
    """Validate and read the history: the report (with the catalogue), the context, the history's root."""

    catalogue_dir = catalogue_dir or repo_root / "catalogue"
    timings = Timings()
    with timings.stage("validate"):
        result: Result = validate(catalogue_dir, root=repo_root, publish=publish, cache=cache)
    if result.catalogue is None:
        raise CatalogueInvalid(result)
    # Published versions come from the history of the repository that holds the catalogue.
    history_root = catalogue_dir.parent
    with timings.stage("versions: history"):
        last_changed = versions.last_changed(history_root, result.catalogue)
    ctx = BuildContext(
        site_url=site_url or base_site_url(repo_root), today=today or dt.date.today(), last_changed=last_changed
    )
    report = BuildReport(
        result.catalogue, site_dir, source_dir, warnings=list(result.warnings), timings=timings, ctx=ctx
    )
    return report, ctx, history_root


@_collector_thresholds()
def build(
    repo_root: Path,
    site_dir: Path,
    *,
    site_url: str | None = None,
    today: dt.date | None = None,
    source_dir: Path | None = None,
    catalogue_dir: Path | None = None,
    publish: bool = False,
    shard: Shard | None = None,
    published_versions: dict[str, dict[int, str]] | None = None,
    cache: FileCache | None = None,
    jobs: int | None = None,
    pages: PageWriter | None = None,
) -> BuildReport:
    """Validate, compile and render the site into `site_dir`; raise on any error, writing nothing.

    `publish` builds the published site: a proposed entry is then an error. Without
    it (previews) proposals get pages with a "proposed, not approved" banner.
    A `shard` build writes one part of the site, for `merge` (see shards.py).
    `published_versions` (the versions.json now online, read by `versions.read_published`):
    refuse to build when a version it lists would be dropped or change. A `cache` kept
    between builds spares parsing the catalogue files that did not change. `jobs`: at
    most that many languages rendered at once (all when None; see Renderer). `pages`: how
    the pages reach the new source tree (incremental.py's keeps what it made, for the next build).
    """

    source_dir = source_dir or repo_root / "build" / "site-src"
    report, ctx, history_root = _prepare(
        repo_root, site_dir, source_dir, site_url, today, catalogue_dir, publish, cache
    )
    catalogue, timings = report.catalogue, report.timings

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    source_dir.parent.mkdir(parents=True, exist_ok=True)
    new_source = Path(tempfile.mkdtemp(prefix=f".{source_dir.name}-", dir=source_dir.parent))
    try:
        new_site = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    except BaseException:
        shutil.rmtree(new_source, ignore_errors=True)
        raise
    # Open data and the finder's index are written while MkDocs renders, into a folder of
    # their own (MkDocs empties its site_dir when it starts), and moved in afterwards.
    new_data = new_site.with_name(new_site.name + ".data")
    renderer = Renderer(new_site, jobs)
    try:
        _ordinary_permissions(new_site)
        shutil.rmtree(new_source)
        new_data.mkdir()
        with timings.stage("statistics"):
            # Catalogue-wide figures: computed once, shown on the statistics page and written as open data.
            figures = statistics.compute(catalogue, ctx.today)
        with timings.stage("compile source tree (MkDocs starts on each language when it is ready)"):
            compiled = compile_tree(
                catalogue,
                ctx,
                new_source,
                repo_root / "mkdocs.yml",
                ready=renderer.start,
                figures=figures,
                shard=shard,
                writer=pages,
            )
        named, after_render = site_writers(
            figures, history_root, published_versions, report.warnings, compiled.pages[DEFAULT_LANGUAGE]
        )
        if shard is not None:
            named = [pair for position, pair in enumerate(named) if shard.writes(position)]
            after_render = []  # the sitemap lists every page: written by the merge
        for name, writer in named:
            with timings.stage(f"{name} (while MkDocs renders)"):
                writer(catalogue, new_data, ctx)
        with timings.stage("render: waiting for MkDocs"):
            renderer.finish()
        report.data_files = files_under(new_data)
        merge_into(new_data, new_site)
        if shard is not None:
            shard.mark(new_site)
        for name, writer in after_render:
            with timings.stage(name):
                writer(catalogue, new_site, ctx)
        with _signals_held():
            _swap(new_source, source_dir)
            # The source tree's configs point at their docs by relative path, so it moved intact.
            _swap(new_site, site_dir)
    except BaseException:
        renderer.cancel()
        shutil.rmtree(new_source, ignore_errors=True)
        shutil.rmtree(new_site, ignore_errors=True)
        shutil.rmtree(new_data, ignore_errors=True)
        raise
    report.pages = sum(len(paths) for paths in compiled.pages.values())
    return report


def merge(
    repo_root: Path,
    site_dir: Path,
    shards: list[Path],
    *,
    site_url: str | None = None,
    today: dt.date | None = None,
    catalogue_dir: Path | None = None,
    publish: bool = False,
) -> BuildReport:
    """Assemble the sites of `mqcat build --shard I/N` (all N of them) into `site_dir`, with the sitemap."""

    report, ctx, _ = _prepare(repo_root, site_dir, site_dir, site_url, today, catalogue_dir, publish)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    new_site = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    try:
        _ordinary_permissions(new_site)
        with report.timings.stage("merge shards"):
            merge_shards(shards, new_site)
        for name, writer in after_render_writers(None):
            with report.timings.stage(name):
                writer(report.catalogue, new_site, ctx)
        with _signals_held():
            _swap(new_site, site_dir)
    except BaseException:
        shutil.rmtree(new_site, ignore_errors=True)
        raise
    report.pages = sum(1 for _ in site_dir.rglob("index.html"))
    return report
