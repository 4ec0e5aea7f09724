"""Validate the catalogue and build the public site (MkDocs, strict) with its open data.

On any validation or build error nothing is written: the previous site and the
previous source tree stay as they were.

A very large catalogue can be built in parts on several machines (a CI matrix):
`--shard I/N` builds part I of N into its --site-dir, and `--merge DIR...`
assembles the N parts into the site, the same byte for byte as one build.

`--incremental` (previews that keep build/ and the site between runs) starts
from what the last build left and compiles and renders only the pages whose
inputs changed (generator/site/incremental.py): the same site, byte for byte, as
a full build. Its writers run before any page changes, so a refused version
changes nothing; but MkDocs renders into the site in place, so when it fails the
site is part old, part new, and the next build is a full one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import time
from pathlib import Path

from ..catalogue import CatalogueInvalid, find_repository_root
from ..problems import render
from ..site.build import BuildFailed, BuildReport, build, merge
from ..site.incremental import Builder, Settings
from ..site.shards import Shard, ShardMismatch
from ..versions import PublishedUnreadable, VersionsRefused, read_published


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site-dir", type=Path, default=None, help="where to write the site (default: ./site)")
    parser.add_argument("--site-url", default=None, help="public address of the site (default: site_url in mkdocs.yml)")
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="the date to build for, YYYY-MM-DD (default: today); decides overdue reviews and upcoming intakes",
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help="build the published site: refuse proposed entries (the publish workflow uses it); "
        "without it proposals are previewed with a 'proposed, not approved' banner",
    )
    parser.add_argument(
        "--published-versions",
        metavar="FILE-or-URL",
        help="the versions.json now published (a file or an https:// address): refuse to build when a version "
        "it lists would be missing or change (the publish workflow uses it)",
    )
    parser.add_argument(
        "--timings", action="store_true", help="print how long each stage of the build took (wall and CPU seconds)"
    )
    parser.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="render at most N languages at once (default: all at once). Each MkDocs process holds its "
        "language's pages in memory, about 0.9 GiB per 10,000 entries: a 100,000-entry catalogue on a "
        "24 GiB machine needs --jobs 1",
    )
    parts = parser.add_mutually_exclusive_group()
    parts.add_argument(
        "--incremental",
        action="store_true",
        help="start from the last build's site and source tree and render only the pages whose inputs changed "
        "(the same site as a full build; a full build when the last one was not of the same settings and version)",
    )
    parts.add_argument(
        "--shard",
        metavar="I/N",
        help="build part I of N of the site (pages and open data), for --merge; e.g. 2/4",
    )
    parts.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="assemble the site from the --site-dir of every --shard build (all N of them)",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


class Stopped(BaseException):
    """SIGTERM arrived during a build: unwind (removing the temporary folders) and stop."""


def _stop(signum: int, frame: object) -> None:
    raise Stopped


def build_and_report(
    root: Path, site_dir: Path, merge_from: list[Path] | None = None, incremental: bool = False, **options: object
) -> BuildReport | None:
    """Build (or merge shards); print warnings, or the problems that stopped the build. None when it failed."""
    try:
        if merge_from is not None:
            report = merge(root, site_dir, merge_from, **options)  # type: ignore[arg-type]
        elif incremental:
            published = options.pop("published_versions", None)
            settings = Settings(root, site_dir, root / "build" / "site-src", **options)  # type: ignore[arg-type]
            report = Builder(settings, persist=True).build(published).report  # type: ignore[arg-type]
        else:
            report = build(root, site_dir, **options)  # type: ignore[arg-type]
    except OSError as error:
        # An unwritable or full output folder: one line, not a traceback.
        where = error.filename or site_dir
        print(f"mqcat build: cannot write {where}: {error.strerror or error}; nothing was written.", file=sys.stderr)
        return None
    except CatalogueInvalid as invalid:
        print(render(invalid.result.problems, invalid.result.files_checked, "text"), file=sys.stderr)
        print("mqcat build: the catalogue has errors; nothing was written.", file=sys.stderr)
        return None
    except VersionsRefused as refused:
        print(render(refused.problems, len(refused.problems), "text"), file=sys.stderr)
        print("mqcat build: a published version would change; nothing was written.", file=sys.stderr)
        return None
    except (BuildFailed, ShardMismatch) as failed:
        print(f"mqcat build: {failed}", file=sys.stderr)
        if incremental:
            print("mqcat build: the site may be part old, part new; the next build is a full one.", file=sys.stderr)
        else:
            print("mqcat build: nothing was written.", file=sys.stderr)
        return None
    for warning in report.warnings:
        print(warning.text(), file=sys.stderr)
    return report


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    site_dir = (args.site_dir or root / "site").resolve()
    started = time.perf_counter()
    options: dict[str, object] = {"site_url": args.site_url, "today": args.today, "publish": args.publish}
    if args.shard:
        try:
            options["shard"] = Shard.parse(args.shard)
        except ValueError as error:
            print(f"mqcat build: --shard: {error}", file=sys.stderr)
            return 2
    if args.jobs is not None:
        if args.merge or args.incremental:
            print(
                "mqcat build: --jobs applies to full and --shard builds (a merge or an incremental build "
                "starts no MkDocs process)",
                file=sys.stderr,
            )
            return 2
        options["jobs"] = args.jobs
    if args.merge:
        missing = [str(d) for d in args.merge if not d.is_dir()]
        if missing:
            print(f"mqcat build: --merge: no such folder: {', '.join(missing)}", file=sys.stderr)
            return 2
    if args.published_versions:
        if args.merge:
            print("mqcat build: --published-versions is checked by the --shard builds, not by --merge", file=sys.stderr)
            return 2
        try:
            options["published_versions"] = read_published(args.published_versions)
        except PublishedUnreadable as error:
            print(f"mqcat build: cannot read the published versions: {error}; nothing was written.", file=sys.stderr)
            return 1
    # SIGTERM (a CI job cancelled, `kill`) unwinds like Ctrl+C: the temporary folders are removed
    # and the previous site stays.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        report = build_and_report(
            root,
            site_dir,
            [d.resolve() for d in args.merge] if args.merge else None,
            incremental=args.incremental,
            **options,
        )
    except (KeyboardInterrupt, Stopped) as stop:
        name = "SIGINT" if isinstance(stop, KeyboardInterrupt) else "SIGTERM"
        print(f"mqcat build: stopped by {name}; nothing was written, the previous site stays.", file=sys.stderr)
        return 130 if isinstance(stop, KeyboardInterrupt) else 143
    finally:
        signal.signal(signal.SIGTERM, previous)
    if report is None:
        return 1
    print(
        f"Built {len(report.catalogue.entries)} micro-qualifications, {report.pages} pages, into {site_dir} "
        f"in {time.perf_counter() - started:.1f} s."
    )
    if args.timings:
        print_timings(report)
    return 0


def print_timings(report: BuildReport) -> None:
    """One line per stage: `stage: wall s wall, cpu s CPU, peak MiB` (CPU includes the MkDocs processes).

    The peak is the build process's own (MkDocs runs in processes of its own) so far: the stage after
    which it grew is the one that set it.
    """
    peaks = report.timings.peaks
    for index, (name, wall, cpu) in enumerate(report.timings.stages):
        peak = peaks[index] if index < len(peaks) else None
        memory = f", peak {peak:,.0f} MiB" if peak is not None else ""
        print(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s CPU{memory}")
