"""Preview the site locally and rebuild it when a catalogue file changes.

Serves the built site at http://127.0.0.1:8000/ (change with --port). Every
second it looks for changed files under catalogue/, schema/, mkdocs.yml and
the generator's templates, and rebuilds. It always serves: while a build has
failed, the browser shows the problems (file, line, field, hint) instead of
the site, and the terminal prints them. Open pages reload by themselves after
every rebuild. Proposed entries are previewed with a "proposed, not approved"
banner.
"""

from __future__ import annotations

import argparse
import http.server
import sys
import threading
import time
from pathlib import Path

from .. import layout
from ..catalogue import CatalogueInvalid, find_repository_root
from ..problems import render
from ..site.build import BuildFailed, build
from ..site.preview import PreviewState, handler
from ..versions import VersionsRefused


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--site-dir", type=Path, default=None, help="where to build the preview (default: build/preview)"
    )


def _snapshot(catalogue_dir: Path, paths: list[Path]) -> dict[Path, float]:
    """Modification times of the catalogue's files (as the layout defines them) and of the other watched files.

    Paths outside the catalogue's layout count too (with no time): adding one rebuilds, and the
    rebuild reports it. Links are never followed.
    """
    listing = layout.scan(catalogue_dir)
    stamps: dict[Path, float] = {}
    for found in listing.files:
        try:
            stamps[found.path] = found.path.lstat().st_mtime
        except OSError:  # removed since the scan: the next snapshot sees it gone
            stamps[found.path] = -1.0
    stamps.update((Path(problem.file), 0.0) for problem in listing.problems)
    for root in paths:
        files = [root] if root.is_file() else root.rglob("*")
        for path in files:
            if path.is_file():
                stamps[path] = path.stat().st_mtime
    return stamps


def _rebuild(root: Path, site_dir: Path, site_url: str, state: PreviewState) -> bool:
    """Build the preview; on failure the state holds the problems that the browser then shows."""
    try:
        report = build(root, site_dir, site_url=site_url)
    except (CatalogueInvalid, VersionsRefused) as failure:
        problems = failure.result.problems if isinstance(failure, CatalogueInvalid) else failure.problems
        print(render(problems, len({p.file for p in problems}), "text"), file=sys.stderr)
        state.failed_with(problems)
    except BuildFailed as failure:
        print(f"mqcat serve: {failure}", file=sys.stderr)
        state.failed_with([], str(failure))
    else:
        for warning in report.warnings:
            print(warning.text(), file=sys.stderr)
        state.succeeded()
        proposals = len(report.catalogue.proposals)
        shown = f" and {proposals} proposed" if proposals else ""
        print(f"Rebuilt {len(report.catalogue.entries)} micro-qualifications{shown} at {time.strftime('%H:%M:%S')}.")
        return True
    print("Not rebuilt: the browser shows the problems above until they are fixed.", file=sys.stderr)
    return False


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
    _rebuild(root, site_dir, site_url, state)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler(site_dir, state))
    except OSError as error:
        print(f"mqcat serve: cannot listen on port {args.port}: {error.strerror}", file=sys.stderr)
        print("Fix: stop the other program on that port, or choose another: mqcat serve --port 8001", file=sys.stderr)
        return 2
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving the preview at {site_url} (Ctrl+C to stop).")
    before = _snapshot(root / "catalogue", watched)
    try:
        while True:
            time.sleep(1)
            now = _snapshot(root / "catalogue", watched)
            if now != before:
                before = now
                _rebuild(root, site_dir, site_url, state)
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        server.shutdown()
    return 0
