"""`mqcat build` beside a plain MkDocs + Material build of as many pages, in one run.

For each catalogue size:

* a synthetic catalogue (`synthetic.py`: every entry with its own text drawn
  from a vocabulary of 40,000 made-up words per language), built with
  `mqcat build --timings` (validate, compile the source tree, render Latvian and
  English with MkDocs + Material in parallel, open data, search data, ELM,
  Open Badges, versions, sitemap);
* the baseline, defined here and nowhere else: a plain MkDocs + Material
  project per language with one page per entry (a heading and about 300 words
  of text of their own), the pages outside the navigation, `font: false`, the
  search plugin on, both languages rendered in parallel as `mqcat build` does.

The two run alternately, `--repeat` times each; the table gives medians of
wall time and CPU time (user + system of every process), the peak resident
memory of the largest single process and of all the build's processes
together (sampled every 50 ms), seconds per 1,000 entries, the ratios, and
mqcat's time by stage (median per stage).

    python benchmarks/bench_build.py --entries 1000 10000 --repeat 3

bench_preview.py measures `mqcat serve` on the same catalogues: how long after
one entry's file is saved the served page shows the change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, mkdocs_versions
from synthetic import REPO_ROOT, Writer, make_catalogue

TODAY = "2026-11-29"
LANGUAGES = ("lv", "en")


def plain_project(entries: int, target: Path) -> list[Path]:
    """A plain MkDocs + Material project per language with `entries` pages; return the mkdocs.yml files."""
    configs = []
    for language in LANGUAGES:
        root = target / language
        docs = root / "docs"
        (docs / "pages").mkdir(parents=True)
        (docs / "index.md").write_text("# Catalogue\n\nA plain MkDocs site of as many pages as entries.\n")
        for number in range(entries):
            writer = Writer(random.Random(f"plain-{language}-{number}"), language)
            paragraphs = "\n\n".join(writer.paragraph(5) for _ in range(4))  # 20 sentences of 8-22 words: ~300
            (docs / "pages" / f"{number}.md").write_text(f"# {writer.phrase(4, 9)}\n\n{paragraphs}\n", encoding="utf-8")
        config = {
            "site_name": "Plain",
            "site_url": "https://plain.example.org/",
            "theme": {"name": "material", "language": language, "font": False},
            "plugins": [{"search": {"lang": "en"}}],
            "nav": [{"Home": "index.md"}],  # the pages exist outside the navigation, like entry pages
        }
        (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        configs.append(root / "mkdocs.yml")
    return configs


def plain_build(configs: list[Path], site: Path) -> list[str]:
    """Both languages in parallel, as `mqcat build` renders them."""
    jobs = " & ".join(
        f"{sys.executable} -m mkdocs build --strict --quiet -f {config} -d {site}/{config.parent.name}"
        for config in configs
    )
    return ["bash", "-c", f"{jobs} & wait"]


def _tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def measure(command: list[str], cwd: Path) -> dict[str, Any]:
    """Run a command; wall and CPU seconds, peak RSS of its largest process and of all together (MiB)."""
    before = os.times()
    started = time.perf_counter()
    # The generator of this checkout, whatever is installed.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_total = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_total
        while not done.wait(0.05):
            peak_total = max(peak_total, _tree_rss_kib(process.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = os.times()
    if process.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(command)}\n{output}")
    import resource

    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest process waited for so far
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "largest_mib": largest / 1024, "total_mib": peak_total / 1024, "output": output}


def stages(output: str) -> dict[str, tuple[float, float]]:
    """The `--timings` lines of `mqcat build`: stage -> (wall, CPU)."""
    result = {}
    for line in output.splitlines():
        if line.startswith("  ") and line.endswith(" s CPU"):
            name, figures = line.strip().rsplit(": ", 1)
            wall, cpu = figures.split(", ")
            result[name] = (float(wall.split()[0]), float(cpu.split()[0]))
    return result


def run_size(size: int, repeat: int, work: Path) -> dict[str, Any]:
    folder = work / f"entries-{size}"
    if not (folder / "catalogue").is_dir():
        print(f"  writing a synthetic catalogue of {size:,} entries and the plain project ...", flush=True)
        make_catalogue(size, folder)
        shutil.copy2(REPO_ROOT / "mkdocs.yml", folder / "mkdocs.yml")
        # A catalogue lives in git: the build reads each entry's history for its published versions.
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
        subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
        subprocess.run([*git, "add", "."], cwd=folder, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "synthetic catalogue"], cwd=folder, check=True)
        shutil.rmtree(work / f"plain-{size}", ignore_errors=True)
    configs = sorted((work / f"plain-{size}").glob("*/mkdocs.yml"))
    if not configs:
        configs = plain_project(size, work / f"plain-{size}")
    ours_command = [sys.executable, "-m", "generator", "build", "--today", TODAY, "--timings"]
    ours, plain = [], []
    for attempt in range(repeat):
        # Each run starts clean, as a CI build does. The largest-process peak is per run: a fresh wrapper.
        shutil.rmtree(folder / "site", ignore_errors=True)
        shutil.rmtree(folder / "build", ignore_errors=True)
        ours.append(_isolated(ours_command, folder))
        shutil.rmtree(work / f"plain-site-{size}", ignore_errors=True)
        plain.append(_isolated(plain_build(configs, work / f"plain-site-{size}"), work))
        print(
            f"  {size:,} entries, run {attempt + 1}: mqcat {ours[-1]['wall']:.1f} s ({ours[-1]['cpu']:.1f} s CPU, "
            f"{ours[-1]['largest_mib']:.0f} MiB), plain {plain[-1]['wall']:.1f} s ({plain[-1]['cpu']:.1f} s CPU, "
            f"{plain[-1]['largest_mib']:.0f} MiB); load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    by_stage: dict[str, list[tuple[float, float]]] = {}
    for run in ours:
        for name, figures in stages(run["output"]).items():
            by_stage.setdefault(name, []).append(figures)
    pages = sum(1 for _ in (folder / "site").rglob("index.html"))
    plain_pages = sum(1 for _ in (work / f"plain-site-{size}").rglob("index.html"))

    def med(runs: list[dict[str, Any]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    return {
        "entries": size,
        "pages": pages,
        "plain_pages": plain_pages,
        "runs": repeat,
        **{f"mqcat_{k}": med(ours, k) for k in ("wall", "cpu")},
        **{f"plain_{k}": med(plain, k) for k in ("wall", "cpu")},
        "mqcat_largest_mib": max(r["largest_mib"] for r in ours),
        "mqcat_total_mib": max(r["total_mib"] for r in ours),
        "plain_largest_mib": max(r["largest_mib"] for r in plain),
        "plain_total_mib": max(r["total_mib"] for r in plain),
        "mqcat_walls": [round(r["wall"], 1) for r in ours],
        "plain_walls": [round(r["wall"], 1) for r in plain],
        "stages": {
            name: (statistics.median(w for w, _ in figures), statistics.median(c for _, c in figures))
            for name, figures in by_stage.items()
        },
    }


_WRAPPER = """
import json, resource, sys
sys.path.insert(0, {bench!r})
from bench_build import measure
from pathlib import Path
result = measure(json.loads(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps(result))
"""


def _isolated(command: list[str], cwd: Path) -> dict[str, Any]:
    """`measure` in a fresh interpreter, so the largest-process peak belongs to this command alone."""
    code = _WRAPPER.format(bench=str(Path(__file__).resolve().parent))
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(command), str(cwd)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| entries | pages mqcat / plain | wall mqcat | wall plain | ratio | CPU mqcat | CPU plain | CPU ratio | "
        "peak largest process mqcat / plain | peak all processes mqcat / plain | mqcat s per 1,000 entries |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['entries']:,} | {r['pages']:,} / {r['plain_pages']:,} | {r['mqcat_wall']:.1f} s | "
            f"{r['plain_wall']:.1f} s | **{r['mqcat_wall'] / r['plain_wall']:.2f}x** | {r['mqcat_cpu']:.1f} s | "
            f"{r['plain_cpu']:.1f} s | {r['mqcat_cpu'] / r['plain_cpu']:.2f}x | "
            f"{r['mqcat_largest_mib']:,.0f} / {r['plain_largest_mib']:,.0f} MiB | "
            f"{r['mqcat_total_mib']:,.0f} / {r['plain_total_mib']:,.0f} MiB | "
            f"{r['mqcat_wall'] / r['entries'] * 1000:.1f} s |"
        )
    names = list(dict.fromkeys(name for r in rows for name in r["stages"]))
    lines += ["", "| stage (median wall / CPU) | " + " | ".join(f"{r['entries']:,} entries" for r in rows) + " |"]
    lines.append("|---|" + "---:|" * len(rows))
    for name in names:
        cells = []
        for r in rows:
            wall, cpu = r["stages"].get(name, (0.0, 0.0))
            cells.append(f"{wall:.1f} / {cpu:.1f} s")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="folder for catalogues, projects and sites (kept and reused)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args()
    print(f"# machine: {describe(*mkdocs_versions())}", flush=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="mqcat-bench-build-"))
    rows = []
    for size in args.entries:
        rows.append(run_size(size, args.repeat, work))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")
    print()
    print(table(rows))
    for r in rows:
        print(f"runs, {r['entries']:,} entries (wall s): mqcat {r['mqcat_walls']}, plain {r['plain_walls']}")


if __name__ == "__main__":
    main()
