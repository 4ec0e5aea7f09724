"""Preview the site locally and rebuild it when a catalogue file changes.

Serves the built site at http://127.0.0.1:8000/ (change with --port). Several
times a second it looks for changed files under catalogue/, schema/, mkdocs.yml
and the generator's templates. The first build is a full one; after a change of
catalogue files only, the build is incremental (generator/site/incremental.py):
only the changed files are read again, only the pages that show something of
them are compiled and rendered, and the page is served as soon as it is; the
open data and the other files beside the pages are written right after, in a
child process (a newer change stops it). Any other change, or a failed build,
makes the next build a full one; so does a restart, unless the last build on the
same port left its state (beside the source tree). It always serves: while a build has failed,
the browser shows the problems (file, line, field, hint) instead of the site,
and the terminal prints them. Open pages reload by themselves after every
rebuild. Proposed entries are previewed with a "proposed, not approved" banner.
"""

from __future__ import annotations

import argparse
import http.server
import os
import sys
import threading
import time
from pathlib import Path

from ..catalogue import CatalogueInvalid, find_repository_root
from ..problems import Problem, render
from ..site.build import BuildFailed
from ..site.incremental import Builder, DataJob, Settings, Update
from ..site.preview import PreviewState, handler
from ..versions import VersionsRefused

# How often the files are looked at (seconds): a change shows within this, plus the build. A large
# catalogue is looked at less often, so that looking takes at most a fifth of a core.
POLL = 0.3
POLL_SHARE = 0.2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--site-dir", type=Path, default=None, help="where to build the preview (default: build/preview)"
    )


def _snapshot(paths: list[Path]) -> dict[str, int]:
    """Modification time (ns) of every file and folder under `paths`; links are listed, never followed.

    Any change counts, inside the catalogue's layout or not (validation reports what does not belong),
    except Python's bytecode caches (an import writes them). Plain os.scandir: at 10,000 entries this
    runs several times a second.
    """
    stamps: dict[str, int] = {}
    folders = []
    for root in paths:
        try:
            stamps[str(root)] = root.lstat().st_mtime_ns
        except OSError:
            continue
        if root.is_dir() and not root.is_symlink():
            folders.append(str(root))
    while folders:
        try:
            listing = os.scandir(folders.pop())
        except OSError:  # removed since it was listed: the next snapshot sees it gone
            continue
        with listing:
            for item in listing:
                if item.name == "__pycache__":
                    continue
                try:
                    stamps[item.path] = item.stat(follow_symlinks=False).st_mtime_ns
                    if item.is_dir(follow_symlinks=False):
                        folders.append(item.path)
                except OSError:
                    stamps[item.path] = -1
    return stamps


def _problems(problems: list[Problem], state: PreviewState) -> None:
    print(render(problems, len({p.file for p in problems}), "text"), file=sys.stderr)
    state.failed_with(problems)
    print("Not rebuilt: the browser shows the problems above until they are fixed.", file=sys.stderr)


def _rebuild(builder: Builder, state: PreviewState) -> Update | None:
    """Build the preview (incrementally when it can); on failure the state holds the problems the browser shows."""
    try:
        update = builder.pages()
    except CatalogueInvalid as failure:
        _problems(failure.result.problems, state)
    except VersionsRefused as failure:
        _problems(failure.problems, state)
    except BuildFailed as failure:
        builder.forget()
        print(f"mqcat serve: {failure}", file=sys.stderr)
        state.failed_with([], str(failure))
        print("Not rebuilt: the browser shows the problems above until they are fixed.", file=sys.stderr)
    else:
        report = update.report
        for warning in report.warnings:
            print(warning.text(), file=sys.stderr)
        state.succeeded(complete=update.pending is None)
        proposals = len(report.catalogue.proposals)
        shown = f" and {proposals} proposed" if proposals else ""
        how = "Rebuilt" if update.full else f"Updated {update.pages} page file(s) of"
        follows = "; the open data follows" if update.pending is not None else ""
        when = time.strftime("%H:%M:%S")
        print(f"{how} {len(report.catalogue.entries)} micro-qualifications{shown} at {when}{follows}.")
        return update
    return None


def _finish_data(job: DataJob, state: PreviewState) -> bool:
    """Whether the background writers are done; when they are, report what came of it."""
    result = job.poll()
    if result is None:
        return False
    outcome, said = result
    if outcome == "done":
        for warning in said:
            print(warning.text(), file=sys.stderr)
        state.completed()
        print(f"Open data and indexes written at {time.strftime('%H:%M:%S')}.")
    elif outcome == "refused":
        _problems(said, state)
    elif outcome == "failed":
        print(f"mqcat serve: writing the open data failed:\n{said}", file=sys.stderr)
        state.failed_with([], str(said))
    return True


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    site_dir = (args.site_dir or root / "build" / "preview").resolve()
    site_url = f"http://127.0.0.1:{args.port}/"
    watched = [
        root / "schema",
        root / "mkdocs.yml",
        Path(__file__).resolve().parent.parent / "site",
    ]
    state = PreviewState()
    # The state is kept on disk: started again on the same port, serve continues where it stopped.
    settings = Settings(root, site_dir, site_dir.with_name(site_dir.name + "-src"), site_url=site_url)
    builder = Builder(settings, persist=True)
    if _rebuild(builder, state) is not None:
        builder.warm()
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler(site_dir, state))
    except OSError as error:
        print(f"mqcat serve: cannot listen on port {args.port}: {error.strerror}", file=sys.stderr)
        print("Fix: stop the other program on that port, or choose another: mqcat serve --port 8001", file=sys.stderr)
        return 2
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving the preview at {site_url} (Ctrl+C to stop).")
    catalogue = root / "catalogue"
    before = _snapshot([catalogue, *watched])
    job: DataJob | None = None
    pause = POLL
    try:
        while True:
            time.sleep(pause)
            if job is not None and _finish_data(job, state):
                job = None
            started = time.perf_counter()
            now = _snapshot([catalogue, *watched])
            pause = max(POLL, (time.perf_counter() - started) / POLL_SHARE)
            if now == before:
                continue
            changed = set(now.keys() ^ before.keys()) | {
                path for path in now.keys() & before.keys() if now[path] != before[path]
            }
            if not all(Path(path).is_relative_to(catalogue) for path in changed):
                builder.forget()  # the schema, mkdocs.yml or the templates: a full build
            before = now
            if job is not None:
                job.cancel()  # its data is for a catalogue that is gone
                job = None
            update = _rebuild(builder, state)
            if update is not None and update.pending is not None:
                job = DataJob(update.pending)
                job.start()
            elif update is not None:
                builder.warm()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        if job is not None:
            job.cancel()
        server.shutdown()
    return 0
