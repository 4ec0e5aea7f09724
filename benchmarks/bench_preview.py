"""How long a provider waits in `mqcat serve` for a one-entry change to show.

On a synthetic catalogue (synthetic.py; a `--work` folder of bench_build.py is
reused), `mqcat serve` is started and its first build awaited; then, `--repeat`
times, one entry's Latvian title is changed in its YAML file and the entry's page
is fetched from the server every 100 ms until it shows the new title. The time
from saving the file to the first response with the new title is reported
(median, and every run), and the time until the whole site matches the change
(serve writes the open data and indexes after the pages: until then its
/__mqcat__/generation answer says `"complete": false`). The file is restored at
the end.

    python benchmarks/bench_preview.py --entries 1000 --repeat 3 --work /tmp/mq-bench
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import REPO_ROOT, _dump, make_catalogue

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return ""


def wait_for(url: str, text: str, timeout: float) -> float:
    """Seconds until the page at `url` contains `text` (polled every 100 ms)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if text in fetch(url):
            return time.perf_counter() - started
        time.sleep(0.1)
    raise SystemExit(f"{url} did not show {text!r} within {timeout:.0f} s")


def generation(url: str) -> dict[str, object]:
    answer = fetch(url)
    return dict(json.loads(answer)) if answer else {}


def wait_until_complete(url: str, after: object, timeout: float) -> float:
    """Seconds until the preview says a build later than `after` wrote the whole site (polled every 100 ms)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        answer = generation(url)
        if answer.get("generation") != after and answer.get("complete", True):
            return time.perf_counter() - started
        time.sleep(0.1)
    raise SystemExit(f"the preview was not complete within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="folder of bench_build.py (its catalogue is reused)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="mqcat-bench-preview-"))
    folder = work / f"entries-{args.entries}"
    if not (folder / "catalogue").is_dir():
        make_catalogue(args.entries, folder)
        (folder / "mkdocs.yml").write_text((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    entry_file = sorted((folder / "catalogue" / "energy").glob("*.yaml"))[0]
    original = entry_file.read_text(encoding="utf-8")
    entry = yaml.load(original, Loader=_Loader)
    port = free_port()
    page = f"http://127.0.0.1:{port}/{entry['sector']}/{entry['id']}/"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-m", "generator", "serve", "--port", str(port), "--site-dir", str(work / "preview")]
    # Ctrl+C stops the server cleanly, even when this script runs in the background (SIGINT ignored).
    server = subprocess.Popen(
        command,
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    state_url = f"http://127.0.0.1:{port}/__mqcat__/generation"
    runs, complete = [], []
    try:
        first = wait_for(page, entry["title"]["lv"][:20], 3600)
        print(f"# {args.entries:,} entries: first build served after {first:.0f} s", flush=True)
        for run in range(args.repeat):
            marker = f"Priekšskatījums{run}x{int(time.time())}"
            changed = dict(entry, title=dict(entry["title"], lv=marker))
            time.sleep(1.5)  # a different modification time from the last save
            before = generation(state_url).get("generation")
            _dump(changed, entry_file, "micro-qualification")
            runs.append(wait_for(page, marker, 1800))
            complete.append(runs[-1] + wait_until_complete(state_url, before, 1800))
            print(
                f"  run {run + 1}: the change showed after {runs[-1]:.1f} s, the whole site after {complete[-1]:.1f} s",
                flush=True,
            )
    finally:
        entry_file.write_text(original, encoding="utf-8")
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(
        f"one-entry change visible after {statistics.median(runs):.1f} s (median of {len(runs)}; "
        f"runs {', '.join(f'{r:.1f}' for r in runs)}), whole site after {statistics.median(complete):.1f} s "
        f"(runs {', '.join(f'{r:.1f}' for r in complete)}) at {args.entries:,} entries; load average "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
