"""The finder at scale, beside Material's built-in search, in headless Chromium.

For each catalogue size (a synthetic catalogue with unique text per entry, see
synthetic.py) the site is built once with `mqcat build`, and beside it the plain
MkDocs + Material project of bench_build.py with as many pages (same vocabulary,
Material's search plugin on; the catalogue's own site has it off: its header
search box opens the finder). Both are served on 127.0.0.1 by a
small static server that gzips text responses (level 6, compressed once and
kept, as a static host with precompressed files does) and counts every byte it
writes (status line, headers, body). Each run opens a fresh browser context
(cold cache, nothing stored):

* finder: navigate to `/finder/?s=<query>` (what the home page's search form and
  a shared link do); stop when the first result card is in the page;
* built-in search: on the plain site, navigate to the home page, click
  Material's search box as soon as it shows and type the same query; stop when
  its first result is in the page.

Time is from navigation start to the moment a MutationObserver in the page
sees the first result. Bytes are those of every response the server had
finished sending by then. Medians of --repeat runs, after one warm-up run per
size that is not counted (it fills the server's gzip cache).

    python benchmarks/bench_finder.py                         # 1,000 and 10,000 entries, 5 runs
    python benchmarks/bench_finder.py --entries 10000 --repeat 7 --work /tmp/mq-bench   # keep the builds
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import mimetypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import plain_build, plain_project
from machine import chromium_version, describe
from synthetic import REPO_ROOT, make_catalogue, vocabulary

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Prefixes of two words of the synthetic Latvian vocabulary: a frequent one (rank 20,
# in many entries) and a rarer one (rank 2,000), each typed without its last letters.
QUERIES = tuple(vocabulary("lv")[0][rank][:-2] for rank in (20, 2000))
FINDER_RESULT = "#mq-results li"
BUILTIN_RESULT = ".md-search-result__item"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")

# Records performance.now() when the first element matching the selector appears.
FIRST_RESULT_JS = """selector => {
  const seen = () => {
    if (window.__mqFirst === undefined && document.querySelector(selector)) {
      window.__mqFirst = performance.now();
      window.__mqFirstEpoch = performance.timeOrigin + window.__mqFirst;
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
}"""


class _CountingGzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text gzipped when the browser accepts it; logs (finish time, bytes sent, path,
    uncompressed size) per response."""

    protocol_version = "HTTP/1.1"
    cache: dict[Path, bytes]
    log: list[tuple[float, int, str, int]]

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        self.raw_size = path.stat().st_size if path.is_file() else 0
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if not (path.is_file() and "gzip" in self.headers.get("Accept-Encoding", "") and kind.startswith(COMPRESSIBLE)):
            return super().send_head()
        if path not in self.cache:
            self.cache[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
        body = self.cache[path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def setup(self) -> None:
        super().setup()
        self.wfile = _Counting(self.wfile)

    def handle_one_request(self) -> None:
        self.wfile.count = 0
        self.raw_size = 0
        super().handle_one_request()
        self.wfile.flush()
        if self.wfile.count:
            self.log.append((time.time(), self.wfile.count, self.path, self.raw_size))

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Counting:
    def __init__(self, stream: Any) -> None:
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
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return data

    def close(self) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[tuple[str, list[tuple[float, int, str, int]]]]:
    """Serve `directory` with gzip on 127.0.0.1; yield the base URL and the response log."""
    log: list[tuple[float, int, str, int]] = []
    handler = type("Handler", (_CountingGzipHandler,), {"cache": {}, "log": log})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()


def build_site(entries: int, work: Path) -> Path:
    """Build (or reuse) the site of a synthetic catalogue of `entries` entries; return the site folder.

    A `--work` folder of bench_build.py is reused as it is (`entries-N/site`)."""
    folder = work / f"entries-{entries}"
    site = folder / "site"
    if (site / "finder" / "entries.json").is_file():
        return site
    folder.mkdir(parents=True, exist_ok=True)
    make_catalogue(entries, folder)
    shutil.copy2(REPO_ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site-dir", str(site), "--today", "2026-11-29"],
        cwd=folder,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        check=True,
        capture_output=True,
    )
    return site


def build_plain_site(entries: int, work: Path) -> Path:
    """Build (or reuse) bench_build.py's plain MkDocs + Material site; return its Latvian root."""
    site = work / f"plain-site-{entries}"
    if not (site / "lv" / "search" / "search_index.json").is_file():
        configs = sorted((work / f"plain-{entries}").glob("*/mkdocs.yml")) or plain_project(
            entries, work / f"plain-{entries}"
        )
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run(plain_build(configs, site), check=True, capture_output=True)
    return site / "lv"


def measure(
    browser: Any, log: list[tuple[float, int, str, int]], url: str, selector: str, act: Callable[[Any], None]
) -> tuple[float, int, dict[str, int], int]:
    """One cold run: seconds from navigation to the first result, bytes sent until then, bytes sent
    per path, and the uncompressed size of those responses."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(f"({FIRST_RESULT_JS})({selector!r})")
    outside: list[str] = []
    page.on("request", lambda r: r.url.startswith("http://127.0.0.1:") or outside.append(r.url))
    del log[:]
    page.goto(url, wait_until="commit")
    act(page)
    page.wait_for_function("window.__mqFirst !== undefined", timeout=120_000, polling=50)
    first_ms, first_epoch_ms = page.evaluate("[window.__mqFirst, window.__mqFirstEpoch]")
    page.wait_for_timeout(300)  # responses that finished with the first result are logged
    done = [(path, size, raw) for finished, size, path, raw in log if finished * 1000 <= first_epoch_ms + 5]
    sent = {path: size for path, size, _ in done}
    context.close()
    assert not outside, outside
    return first_ms / 1000, sum(sent.values()), sent, sum(raw for _, _, raw in done)


def type_into_header_search(query: str) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.wait_for_selector("input.md-search__input")
        page.click("input.md-search__input")
        page.keyboard.type(query)

    return act


def run(sizes: list[int], repeat: int, work: Path) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in sizes:
            started = time.perf_counter()
            site = build_site(size, work)
            plain = build_plain_site(size, work)
            print(f"# {size:,} entries: sites ready in {time.perf_counter() - started:.0f} s", flush=True)
            finder_files = sorted((site / "finder").rglob("*.json"))
            with serve(site) as (base, log), serve(plain) as (plain_base, plain_log):
                for query in QUERIES:
                    finder = functools.partial(
                        measure, browser, log, f"{base}finder/?s={query}", FINDER_RESULT, lambda page: None
                    )
                    builtin = functools.partial(
                        measure, browser, plain_log, plain_base, BUILTIN_RESULT, type_into_header_search(query)
                    )
                    finder(), builtin()  # warm-up: fills the gzip cache
                    finder_runs = [finder() for _ in range(repeat)]
                    builtin_runs = [builtin() for _ in range(repeat)]
                    row = {
                        "entries": size,
                        "query": query,
                        "finder_s": statistics.median(r[0] for r in finder_runs),
                        "finder_bytes": statistics.median(r[1] for r in finder_runs),
                        "builtin_s": statistics.median(r[0] for r in builtin_runs),
                        "builtin_bytes": statistics.median(r[1] for r in builtin_runs),
                        "finder_runs": [r[:2] for r in finder_runs],
                        "builtin_runs": [r[:2] for r in builtin_runs],
                        "finder_responses": finder_runs[-1][2],
                        "builtin_responses": builtin_runs[-1][2],
                        "finder_raw": statistics.median(r[3] for r in finder_runs),
                        "builtin_raw": statistics.median(r[3] for r in builtin_runs),
                        "finder_data": sum(p.stat().st_size for p in finder_files),
                        "largest_shard": max(p.stat().st_size for p in finder_files if p.parent.name == "index"),
                        "records": (site / "finder" / "entries.json").stat().st_size,
                        "builtin_index": (plain / "search" / "search_index.json").stat().st_size,
                    }
                    rows.append(row)
                    print(
                        f"  {query}: finder {row['finder_s']:.3f} s {row['finder_bytes'] / 1000:.0f} KB, "
                        f"built-in {row['builtin_s']:.3f} s {row['builtin_bytes'] / 1000:.0f} KB",
                        flush=True,
                    )
        browser.close()
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| entries | query | finder: first result | built-in: first result | time ratio | "
        "finder: transferred | built-in: transferred | bytes ratio | finder: uncompressed | built-in: uncompressed |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['entries']:,} | `{r['query']}` | {r['finder_s'] * 1000:.0f} ms | {r['builtin_s'] * 1000:.0f} ms | "
            f"{r['finder_s'] / r['builtin_s']:.2f} | {r['finder_bytes'] / 1000:,.0f} KB | "
            f"{r['builtin_bytes'] / 1000:,.0f} KB | {r['finder_bytes'] / r['builtin_bytes']:.2f} | "
            f"{r['finder_raw'] / 1e6:.2f} MB | {r['builtin_raw'] / 1e6:.2f} MB |"
        )
    lines += [
        "",
        "| entries | finder data on disk (records + all shards) | records (entries.json) | largest shard | "
        "built-in index (search_index.json) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in {r["entries"]: r for r in rows}.values():
        lines.append(
            f"| {r['entries']:,} | {r['finder_data'] / 1e6:.1f} MB | {r['records'] / 1e6:.2f} MB | "
            f"{r['largest_shard'] / 1e6:.2f} MB | {r['builtin_index'] / 1e6:.1f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, help="folder for the catalogues and sites (kept; reused when built)")
    args = parser.parse_args()
    print(f"# machine: {describe(chromium_version(CHROMIUM))}", flush=True)
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mqcat-finder-")))
        rows = run(args.entries, args.repeat, work)
    print()
    print(table(rows))
    print()
    print("runs (s, bytes):")
    for r in rows:
        print(f"  {r['entries']} {r['query']}: finder {r['finder_runs']}; built-in {r['builtin_runs']}")
    print("responses sent before the first result (last run; path: bytes):")
    for r in rows:
        for kind in ("finder", "builtin"):
            print(
                f"  {r['entries']} {r['query']} {kind}: "
                + ", ".join(f"{path} {size:,}" for path, size in sorted(r[f"{kind}_responses"].items()))
            )


if __name__ == "__main__":
    main()
