"""The finder at scale, beside the theme's built-in search, in headless Chromium.

For each catalogue size the site is built once (`mqcat build`), served on
127.0.0.1 and opened in a fresh browser context per run (cold cache):

* finder: navigate to `/finder/?q=<word>`; stop when the first result card shows;
* built-in search: navigate to the home page, type the same word into
  Material's search box as soon as it exists; stop when its first result shows.

Bytes are the gzip-compressed size of every response body received until then
(what a server with gzip sends); time is from navigation start to the first
result. Medians of --repeat runs.

    python benchmarks/bench_finder.py --entries 1000 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import REPO_ROOT, make_catalogue  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WORD = "noliktav"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _measure(browser: Any, url: str, action: Any, done_selector: str) -> tuple[float, int]:
    context = browser.new_context()
    page = context.new_page()
    sizes: list[int] = []

    def record(response: Any) -> None:
        try:
            sizes.append(len(gzip.compress(response.body(), 6)))
        except Exception:  # redirects and aborted requests have no body
            pass

    page.on("response", record)
    page.goto(url, wait_until="commit")
    action(page)
    page.wait_for_selector(done_selector, timeout=60_000)
    elapsed = page.evaluate("performance.now()")
    page.wait_for_timeout(200)  # responses that completed with the first result
    total = sum(sizes)
    context.close()
    return elapsed / 1000, total


def run(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"mqcat-finder-{size}-") as folder:
            work = Path(folder)
            make_catalogue(size, work)
            shutil.copy2(REPO_ROOT / "mkdocs.yml", work / "mkdocs.yml")
            subprocess.run([sys.executable, "-m", "generator", "build", "--site-dir", str(work / "site"),
                            "--today", "2026-11-29"], cwd=work, check=True, capture_output=True)
            handler = functools.partial(_Quiet, directory=str(work / "site"))
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            index_bytes = sum(p.stat().st_size for p in (work / "site" / "finder").rglob("*.json"))
            builtin_bytes = (work / "site" / "search" / "search_index.json").stat().st_size
            finder_runs, builtin_runs = [], []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for _ in range(repeat):
                    finder_runs.append(_measure(browser, f"{base}finder/?q={WORD}", lambda page: None,
                                                "#mq-results li"))

                    def type_query(page: Any) -> None:
                        page.wait_for_selector("input.md-search__input")
                        page.click("input.md-search__input")
                        page.keyboard.type(WORD)

                    builtin_runs.append(_measure(browser, base, type_query, ".md-search-result__item"))
                browser.close()
            server.shutdown()
            rows.append({
                "entries": size,
                "finder_s": statistics.median(r[0] for r in finder_runs),
                "finder_kb": statistics.median(r[1] for r in finder_runs) / 1024,
                "builtin_s": statistics.median(r[0] for r in builtin_runs),
                "builtin_kb": statistics.median(r[1] for r in builtin_runs) / 1024,
                "finder_data_mb": index_bytes / 2**20,
                "builtin_index_mb": builtin_bytes / 2**20,
            })
            print(f"  {size}: {rows[-1]}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"# machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}")
    rows = run(args.entries, args.repeat)
    print()
    print("| entries | finder: first result | finder: gzip transferred | built-in search: first result | "
          "built-in: gzip transferred | time ratio | bytes ratio | finder data on disk (all shards) | built-in index on disk |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['entries']:,} | {r['finder_s']:.2f} s | {r['finder_kb']:.0f} KB | {r['builtin_s']:.2f} s | "
              f"{r['builtin_kb']:.0f} KB | {r['finder_s'] / r['builtin_s']:.2f}x | {r['finder_kb'] / r['builtin_kb']:.2f}x | "
              f"{r['finder_data_mb']:.1f} MB | {r['builtin_index_mb']:.1f} MB |")


if __name__ == "__main__":
    main()
