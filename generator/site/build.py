"""Build the public site: validate, compile the source tree, render with MkDocs, add open data.

Everything is written into temporary folders next to the targets and swapped
into place only when every step succeeded, so a failed build leaves the
previous site (and the previous source tree) untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import statistics
from ..catalogue import CatalogueInvalid, Result, validate
from ..context import BuildContext
from ..model import Catalogue
from ..problems import Problem
from .compile import compile_tree

# Writers that add files to the rendered site: (catalogue, site_dir, ctx) -> None.
SiteWriter = Callable[[Catalogue, Path, BuildContext], None]


class BuildFailed(Exception):
    """MkDocs or a writer failed; carries what it said."""


@dataclass
class Timings:
    """How long each stage of a build took, for `mqcat build --timings` and the benchmarks."""

    # (stage, wall seconds, CPU seconds of this process and its finished children), in build order.
    stages: list[tuple[str, float, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), _cpu_seconds()
        try:
            yield
        finally:
            self.stages.append((name, time.perf_counter() - started, _cpu_seconds() - cpu))


@dataclass
class BuildReport:
    catalogue: Catalogue
    site_dir: Path
    source_dir: Path
    warnings: list[Problem] = field(default_factory=list)
    pages: int = 0
    timings: Timings = field(default_factory=Timings)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def base_site_url(repo_root: Path) -> str:
    """The site_url of the repository's mkdocs.yml."""
    config = yaml.load((repo_root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return str(config.get("site_url") or "http://127.0.0.1:8000/")


def _swap(new: Path, target: Path) -> None:
    """Replace `target` by `new` with two renames; the old tree is removed afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _mkdocs(config: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
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


def render(configs: list[Path], out: Path) -> None:
    """Run MkDocs for every language in parallel: the first at `out`, the others in `out/<language>/`."""
    first, *others = configs
    # MkDocs empties its site_dir first, so the other languages render beside `out` and move in after.
    jobs = [(first, out)] + [(config, out.with_name(f"{out.name}.{config.parent.name}")) for config in others]
    processes = [(config, target, _mkdocs(config, target)) for config, target in jobs]
    failures = []
    for config, _, process in processes:
        output, _ = process.communicate()
        if process.returncode != 0:
            failures.append(f"mkdocs build failed for {config}:\n{output.strip()}")
    if failures:
        for _, target, _ in processes[1:]:
            shutil.rmtree(target, ignore_errors=True)
        raise BuildFailed("\n".join(failures))
    for config, target, _ in processes[1:]:
        target.rename(out / config.parent.name)


def site_writers() -> list[SiteWriter]:
    """The open-data and interoperability outputs that are built with the site."""
    from .. import opendata, search_index
    from ..interop import elm, ob3
    from .. import intakes
    from . import sitemap

    return [
        sitemap.write_sitemap,
        search_index.write_search_index,
        opendata.write_open_data,
        elm.write_elm,
        ob3.write_ob3,
        intakes.write_intake_calendars,
    ]


def build(
    repo_root: Path,
    site_dir: Path,
    *,
    site_url: str | None = None,
    today: dt.date | None = None,
    source_dir: Path | None = None,
    catalogue_dir: Path | None = None,
    publish: bool = False,
) -> BuildReport:
    """Validate, compile and render the site into `site_dir`; raise on any error, writing nothing.

    `publish` builds the published site: a proposed entry is then an error. Without
    it (previews) proposals get pages with a "proposed, not approved" banner.
    """
    catalogue_dir = catalogue_dir or repo_root / "catalogue"
    timings = Timings()
    with timings.stage("validate"):
        result: Result = validate(catalogue_dir, root=repo_root, publish=publish)
    if result.catalogue is None:
        raise CatalogueInvalid(result)
    catalogue = result.catalogue
    source_dir = source_dir or repo_root / "build" / "site-src"
    from .. import versions
    from ..credentials import registry

    # Published versions come from the history of the repository that holds the catalogue.
    history_root = catalogue_dir.parent
    with timings.stage("versions: history"):
        last_changed = versions.last_changed(history_root, catalogue)
    ctx = BuildContext(
        site_url=site_url or base_site_url(repo_root), today=today or dt.date.today(), last_changed=last_changed
    )
    report = BuildReport(catalogue, site_dir, source_dir, warnings=list(result.warnings), timings=timings)

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    source_dir.parent.mkdir(parents=True, exist_ok=True)
    new_source = Path(tempfile.mkdtemp(prefix=f".{source_dir.name}-", dir=source_dir.parent))
    new_site = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    try:
        shutil.rmtree(new_source)
        with timings.stage("statistics"):
            # Catalogue-wide figures: computed once, shown on the statistics page and written as open data.
            figures = statistics.compute(catalogue, ctx.today)
        with timings.stage("compile source tree"):
            configs = compile_tree(catalogue, ctx, new_source, repo_root / "mkdocs.yml", figures=figures)
        with timings.stage("render (MkDocs, languages in parallel)"):
            render(configs, new_site)
        for writer in site_writers():
            with timings.stage(writer.__module__.removeprefix("generator.")):
                writer(catalogue, new_site, ctx)
        with timings.stage("statistics.json"):
            statistics.write_statistics(figures, new_site, ctx)
        with timings.stage("versions"):
            report.warnings.extend(versions.write_versions(catalogue, new_site, ctx, history_root))
        with timings.stage("registry of issuers"):
            # Keys, revocations, and the entries' states in time (from history).
            registry.write_registry(catalogue, new_site, ctx, versions.read_history(history_root).states)
        _swap(new_source, source_dir)
        # The source tree's configs point at their docs by relative path, so it moved intact.
        _swap(new_site, site_dir)
    except BaseException:
        shutil.rmtree(new_source, ignore_errors=True)
        shutil.rmtree(new_site, ignore_errors=True)
        raise
    report.pages = sum(1 for _ in site_dir.rglob("index.html"))
    return report
