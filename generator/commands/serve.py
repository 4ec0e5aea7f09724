"""Preview the site locally and rebuild it when a catalogue file changes.

Serves the built site at http://127.0.0.1:8000/ (change with --port). Every
second it looks for changed files under catalogue/, schema/, mkdocs.yml and
the generator's templates, and rebuilds; a failed rebuild prints the problems
and keeps serving the last good site.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from .. import layout
from ..catalogue import find_repository_root
from .build import build_and_report


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


def _rebuild(root: Path, site_dir: Path, site_url: str) -> bool:
    report = build_and_report(root, site_dir, site_url=site_url)
    if report is None:
        print("Not rebuilt: fix the problems above; still serving the last good site.", file=sys.stderr)
        return False
    print(f"Rebuilt {len(report.catalogue.entries)} micro-qualifications at {time.strftime('%H:%M:%S')}.")
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
    if not _rebuild(root, site_dir, site_url) and not site_dir.exists():
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    # Rebuilds swap the folder; serve through its path so each request sees the current tree.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving the preview at {site_url} (Ctrl+C to stop).")
    before = _snapshot(root / "catalogue", watched)
    try:
        while True:
            time.sleep(1)
            now = _snapshot(root / "catalogue", watched)
            if now != before:
                before = now
                _rebuild(root, site_dir, site_url)
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        server.shutdown()
    return 0
