"""Page weight: the bytes a first visit to an entry page transfers, as a web server sends them.

Builds the sample catalogue (or takes a built site), serves it on 127.0.0.1 with
gzip for text responses (level 6, what nginx, Apache and most static hosts use),
opens the page in a fresh headless Chromium context (nothing cached, nothing stored),
waits until the network is idle, and adds up what went over the wire per response:
the status line, the headers and the (compressed) body, counted by the server as it
writes them. Chromium names the resource type of each response.

The search indexes are left out: Material's `search/search_index.json` and the
finder's index files grow with the catalogue and are fetched for searching, not to
show the page. They are listed separately.

    python benchmarks/bench_page_weight.py                   # the first active entry, target 150 KB
    python benchmarks/bench_page_weight.py --site-dir site --page en/energy/solar-pv-installation/

Exits with status 1 if a page is over the target, or if it loads a web font or
anything from another host.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gzip
import http.server
import mimetypes
import re
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import chromium_version, describe, mkdocs_versions  # noqa: E402

TARGET_BYTES = 150 * 1000
GZIP_LEVEL = 6
COMPRESSIBLE = re.compile(
    r"^(text/|application/(javascript|json|ld\+json|xml|atom\+xml|manifest\+json)|image/svg\+xml)"
)
# Fetched to search, not to show the page; they grow with the catalogue.
SEARCH_INDEXES = re.compile(r"/search/search_index\.json$|/finder/[^?#]*\.json$|/api/v\d+/[^?#]*index[^?#]*\.json$")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that compresses text responses when the browser accepts gzip."""

    protocol_version = "HTTP/1.1"

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and accepts_gzip and COMPRESSIBLE.match(content_type)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", content_type + ("; charset=utf-8" if content_type.startswith("text/") else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return _Body(body)

    def log_message(self, format: str, *args: object) -> None:
        pass

    # Count what goes over the wire, request by request (a connection may carry several).
    sent: dict[str, list[int]]

    def setup(self) -> None:
        super().setup()
        self.wfile = _Counting(self.wfile)

    def handle_one_request(self) -> None:
        self.wfile.count = 0
        super().handle_one_request()
        if self.wfile.count:
            self.sent.setdefault(self.path, []).append(self.wfile.count)


class _Counting:
    """A write-only stream that counts the bytes written through it."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.stream, self.count = stream, 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.stream.close()

    @property
    def closed(self) -> bool:
        return self.stream.closed


class _Body:
    """What send_head returns: something copyfile() can read."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return data

    def close(self) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[tuple[str, dict[str, list[int]]]]:
    """Serve `directory` with gzip; yield the base URL and the bytes sent per request path."""
    sent: dict[str, list[int]] = {}
    handler = type("Handler", (GzipHandler,), {"sent": sent})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", sent
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Response:
    url: str
    kind: str  # Chromium's resource type: document, stylesheet, script, image, font, fetch, ...
    transferred: int  # status line, headers and the compressed body, as the server sent them
    decoded: int  # the body as the page sees it


def first_visit(url: str, sent: dict[str, list[int]]) -> list[Response]:
    """Every response of a first visit to `url` in a fresh Chromium context."""
    from playwright.sync_api import sync_playwright

    responses = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        finished = []
        # On the context, not the page: Material's search runs in a worker.
        context.on("requestfinished", lambda request: finished.append(request))
        page.goto(url, wait_until="networkidle")
        for request in finished:
            response = request.response()
            decoded = len(response.body()) if response is not None else 0
            path = "/" + request.url.split("/", 3)[3]
            transferred = sent[path].pop(0) if sent.get(path) else 0
            responses.append(Response(request.url, request.resource_type, transferred, decoded))
        context.close()
        browser.close()
    return responses


def default_page() -> str:
    """The first active entry of the sample catalogue, by id: the page the tests look at too."""
    from generator.catalogue import load_catalogue

    catalogue = load_catalogue(REPO_ROOT / "catalogue")
    entry = sorted((e for e in catalogue.entries.values() if e.status == "active"), key=lambda e: e.id)[0]
    return f"{entry.sector}/{entry.id}/"


def report(page: str, responses: list[Response], origin: str) -> bool:
    """Print the table of one page; return whether it is within the target and the rules."""
    counted = [r for r in responses if not SEARCH_INDEXES.search(r.url)]
    left_out = [r for r in responses if SEARCH_INDEXES.search(r.url)]
    by_kind: dict[str, list[Response]] = defaultdict(list)
    for response in counted:
        by_kind[response.kind].append(response)
    total = sum(r.transferred for r in counted)
    print(f"\n## /{page}\n")
    print("| resource type | requests | transferred (gzip, with headers) | uncompressed |")
    print("|---|---:|---:|---:|")
    for kind, items in sorted(by_kind.items(), key=lambda item: -sum(r.transferred for r in item[1])):
        print(
            f"| {kind} | {len(items)} | {sum(r.transferred for r in items) / 1000:.1f} KB | "
            f"{sum(r.decoded for r in items) / 1000:.1f} KB |"
        )
    print(
        f"| **total** | {len(counted)} | **{total / 1000:.1f} KB** | {sum(r.decoded for r in counted) / 1000:.1f} KB |"
    )
    print("\nLargest responses:\n")
    for response in sorted(counted, key=lambda r: -r.transferred)[:8]:
        print(f"- {response.transferred / 1000:.1f} KB {response.kind}: {response.url.removeprefix(origin)}")
    if left_out:
        print(
            "\nLeft out (search indexes): "
            + ", ".join(f"{r.url.removeprefix(origin)} {r.transferred / 1000:.1f} KB" for r in left_out)
        )
    fonts = [r.url for r in responses if r.kind == "font"]
    foreign = [r.url for r in responses if not r.url.startswith(origin)]
    ok = total <= TARGET_BYTES and not fonts and not foreign
    print(
        f"\nTarget {TARGET_BYTES / 1000:.0f} KB: {'met' if total <= TARGET_BYTES else 'MISSED'}"
        f" ({total / TARGET_BYTES:.0%}). Web fonts: {fonts or 'none'}. Other hosts: {foreign or 'none'}."
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site-dir", type=Path, help="a site built by `mqcat build` (default: build the sample)")
    parser.add_argument("--page", action="append", help="site-relative path of a page (repeatable)")
    args = parser.parse_args()
    from generator.site.build import build

    pages = args.page or [default_page()]
    print(f"# machine: {describe(chromium_version(CHROMIUM), *mkdocs_versions())}; gzip level {GZIP_LEVEL}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mqcat-weight-") as folder:
        site = args.site_dir
        if site is None:
            site = Path(folder) / "site"
            build(REPO_ROOT, site, today=dt.date(2026, 11, 29), source_dir=Path(folder) / "site-src")
        ok = True
        with serve(site) as (origin, sent):
            for page in pages:
                ok &= report(page, first_visit(origin + page, sent), origin)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
