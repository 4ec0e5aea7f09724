"""Site build time and memory at scale, beside a plain MkDocs build of as many pages.

For each catalogue size, in one run:

* `mqcat build`: validate, compile the source tree, render both languages with
  MkDocs + Material, write the open data, the search index and the interop files;
* the plain baseline: the same generated mkdocs.yml files (same theme, same
  navigation shape, both languages rendered in parallel like mqcat does), with
  every entry page replaced by a simple Markdown page (a heading and a few
  paragraphs of the entry's own text).

Reports medians of wall time, the ratio, and the peak resident memory of the
largest process (the build's own process or one of the MkDocs processes).

    python benchmarks/bench_build.py --entries 1000 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import REPO_ROOT, make_catalogue


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MiB of its largest process)."""
    started = time.perf_counter()
    # A fresh interpreter per measurement, so ru_maxrss is the peak of this command alone.
    wrapper = (
        "import resource, subprocess, sys, json;"
        "rc = subprocess.run(sys.argv[1:]).returncode;"
        "print(json.dumps([rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", wrapper, *command], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    rc, max_rss_kib = yaml.safe_load(result.stderr.strip().splitlines()[-1])
    if rc != 0:
        raise SystemExit(f"command failed: {command}\n{result.stdout}\n{result.stderr}")
    return seconds, max_rss_kib / 1024


def plain_tree(source: Path, target: Path) -> list[Path]:
    """A copy of the generated source tree with every entry page as simple Markdown."""
    shutil.copytree(source, target)
    configs = []
    for language_root in sorted(p for p in target.iterdir() if (p / "mkdocs.yml").is_file()):
        config = language_root / "mkdocs.yml"
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["INHERIT"] = os.path.relpath(REPO_ROOT / "mkdocs.yml", language_root)
        config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        for page in (language_root / "docs").glob("*/*.md"):
            text = page.read_text(encoding="utf-8")
            if "template: mq-entry.html" not in text:
                continue
            meta = yaml.load(text.split("---\n", 2)[1], Loader=yaml.CSafeLoader)
            view = meta["mq"]
            outcomes = "\n".join(f"- {o['text']['text']}" for o in view["learning_outcomes"])
            body = f"# {meta['mq_title']}\n\n{view['purpose']['text']}\n\n## Outcomes\n\n{outcomes}\n"
            page.write_text(body, encoding="utf-8")
        configs.append(config)
    return configs


def plain_build(configs: list[Path], site: Path) -> list[str]:
    """The shell command that renders the plain tree like mqcat renders its own."""
    lv, en = configs
    script = (
        f"{sys.executable} -m mkdocs build --strict --quiet -f {lv} -d {site} & "
        f"{sys.executable} -m mkdocs build --strict --quiet -f {en} -d {site}-en & wait"
    )
    return ["bash", "-c", script]


def run(sizes: list[int], repeat: int) -> list[dict[str, float]]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"mqcat-bench-{size}-") as folder:
            work = Path(folder)
            make_catalogue(size, work)
            shutil.copy2(REPO_ROOT / "mkdocs.yml", work / "mkdocs.yml")
            ours, base, ours_mem, base_mem = [], [], [], []
            for attempt in range(repeat):
                seconds, rss = timed(
                    [
                        sys.executable,
                        "-m",
                        "generator",
                        "build",
                        "--site-dir",
                        str(work / "site"),
                        "--today",
                        "2026-11-29",
                    ],
                    work,
                )
                ours.append(seconds)
                ours_mem.append(rss)
                if attempt == 0:
                    configs = plain_tree(work / "build" / "site-src", work / "plain-src")
                shutil.rmtree(work / "plain-site", ignore_errors=True)
                shutil.rmtree(work / "plain-site-en", ignore_errors=True)
                seconds, rss = timed(plain_build(configs, work / "plain-site"), work)
                base.append(seconds)
                base_mem.append(rss)
                print(
                    f"  {size} entries, run {attempt + 1}: mqcat build {ours[-1]:.1f} s, plain mkdocs {base[-1]:.1f} s",
                    flush=True,
                )
            pages = sum(1 for _ in (work / "site").rglob("index.html"))
            rows.append(
                {
                    "entries": size,
                    "pages": pages,
                    "mqcat_s": statistics.median(ours),
                    "plain_s": statistics.median(base),
                    "mqcat_mib": max(ours_mem),
                    "plain_mib": max(base_mem),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"# machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}")
    rows = run(args.entries, args.repeat)
    print()
    print(
        "| entries | pages (both languages) | mqcat build (median) | plain mkdocs build (median) | ratio "
        "| peak RSS mqcat | peak RSS plain | mqcat s per 1,000 entries |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['entries']:,} | {row['pages']:,} | {row['mqcat_s']:.1f} s | {row['plain_s']:.1f} s | "
            f"{row['mqcat_s'] / row['plain_s']:.2f}x | {row['mqcat_mib']:.0f} MiB | {row['plain_mib']:.0f} MiB | "
            f"{row['mqcat_s'] / row['entries'] * 1000:.1f} s |"
        )


if __name__ == "__main__":
    main()
