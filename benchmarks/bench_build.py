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
import re
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


def plain_build(configs: list[Path], site: Path, jobs: int | None = None) -> list[str]:
    """Both languages in parallel, as `mqcat build` renders them; one after the other with `jobs` 1."""
    commands = [
        f"{sys.executable} -m mkdocs build --strict --quiet -f {config} -d {site}/{config.parent.name}"
        for config in configs
    ]
    if jobs == 1:
        return ["bash", "-c", " && ".join(commands)]
    return ["bash", "-c", " & ".join(commands) + " & wait"]


def _process_role(pid: int, root_pid: int) -> str:
    """What a process of a build is: "build" (`mqcat build` itself), "mkdocs lv", "mkdocs en", or its program."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            argv = [part.decode("utf-8", "replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return "?"
    if pid == root_pid:  # mqcat build, or the shell that starts the plain build's MkDocs
        return "build" if "generator" in argv else Path(argv[0]).name if argv else "?"
    # MkDocs is started as `-m mkdocs` or through a `-c` snippet; its config names the language.
    for flag in ("--config-file", "-f"):
        if flag in argv[:-1] and argv[argv.index(flag) + 1].endswith(("mkdocs.yml", "mkdocs.yaml")):
            return f"mkdocs {Path(argv[argv.index(flag) + 1]).parent.name}"
    if any("mkdocs" in part for part in argv):
        return "mkdocs"
    return Path(argv[0]).name if argv else "?"


def _peak_kib(pid: int) -> int:
    """The process's own high-water mark of resident memory (VmHWM), exact unlike sampling; 0 if gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss_kib(root_pid: int, peaks: dict[int, tuple[str, int]] | None = None) -> int:
    """Resident memory of a process and all its descendants, from /proc.

    `peaks` (pid -> (role, VmHWM KiB)) is updated for every process of the tree, so that
    the largest peak can be said to be the build's own process or one of the MkDocs.
    """
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
        if peaks is not None and pid in rss:
            role, before = peaks.get(pid) or (_process_role(pid, root_pid), 0)
            peaks[pid] = (role, max(before, _peak_kib(pid), rss[pid]))
    return total


def measure(command: list[str], cwd: Path) -> dict[str, Any]:
    """Run a command; wall and CPU seconds, peak RSS of its largest process and of all together (MiB)."""
    before = os.times()
    started = time.perf_counter()
    # The generator of this checkout, whatever is installed.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_total = 0
    peaks: dict[int, tuple[str, int]] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_total
        while not done.wait(0.05):
            peak_total = max(peak_total, _tree_rss_kib(process.pid, peaks))

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
    # Peak per role (the last VmHWM read before a process ended: at most 50 ms short of its true peak).
    by_role: dict[str, float] = {}
    for role, kib in peaks.values():
        by_role[role] = max(by_role.get(role, 0.0), kib / 1024)
    return {
        "wall": wall,
        "cpu": cpu,
        "largest_mib": largest / 1024,
        "largest_role": max(by_role, key=by_role.__getitem__) if by_role else "?",
        "peaks_mib": dict(sorted(by_role.items(), key=lambda item: -item[1])),
        "total_mib": peak_total / 1024,
        "output": output,
    }


_STAGE_LINE = re.compile(r"^  (.+): ([0-9.]+) s wall, ([0-9.]+) s CPU(?:, peak ([0-9,.]+) MiB)?$")


def stages(output: str) -> dict[str, tuple[float, float]]:
    """The `--timings` lines of `mqcat build`: stage -> (wall, CPU)."""
    result = {}
    for line in output.splitlines():
        match = _STAGE_LINE.match(line)
        if match:
            result[match[1]] = (float(match[2]), float(match[3]))
    return result


def stage_peaks(output: str) -> dict[str, float]:
    """The `--timings` lines: stage -> the build process's peak memory so far at its end (MiB)."""
    return {
        match[1]: float(match[4].replace(",", ""))
        for match in map(_STAGE_LINE.match, output.splitlines())
        if match and match[4]
    }


def run_size(size: int, repeat: int, work: Path, jobs: int | None = None) -> dict[str, Any]:
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
    if jobs:
        ours_command += ["--jobs", str(jobs)]
    ours, plain = [], []
    for attempt in range(repeat):
        # Each run starts clean, as a CI build does. The largest-process peak is per run: a fresh wrapper.
        shutil.rmtree(folder / "site", ignore_errors=True)
        shutil.rmtree(folder / "build", ignore_errors=True)
        ours.append(_isolated(ours_command, folder))
        shutil.rmtree(work / f"plain-site-{size}", ignore_errors=True)
        plain.append(_isolated(plain_build(configs, work / f"plain-site-{size}", jobs), work))
        print(
            f"  {size:,} entries, run {attempt + 1}: mqcat {ours[-1]['wall']:.1f} s ({ours[-1]['cpu']:.1f} s CPU, "
            f"{ours[-1]['largest_mib']:.0f} MiB), plain {plain[-1]['wall']:.1f} s ({plain[-1]['cpu']:.1f} s CPU, "
            f"{plain[-1]['largest_mib']:.0f} MiB); load {os.getloadavg()[0]:.1f}; mqcat peak by process: "
            + ", ".join(f"{role} {mib:.0f} MiB" for role, mib in ours[-1]["peaks_mib"].items()),
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
        "mqcat_peaks_mib": _peaks(ours),
        "plain_peaks_mib": _peaks(plain),
        "plain_total_mib": max(r["total_mib"] for r in plain),
        "mqcat_walls": [round(r["wall"], 1) for r in ours],
        "plain_walls": [round(r["wall"], 1) for r in plain],
        "stages": {
            name: (statistics.median(w for w, _ in figures), statistics.median(c for _, c in figures))
            for name, figures in by_stage.items()
        },
        "stage_peaks": {
            name: max(peaks) for name in by_stage if (peaks := [stage_peaks(r["output"]).get(name, 0.0) for r in ours])
        },
    }


def _peaks(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Peak resident memory per process role over the runs (MiB), largest first."""
    peaks: dict[str, float] = {}
    for run in runs:
        for role, mib in run["peaks_mib"].items():
            peaks[role] = max(peaks.get(role, 0.0), mib)
    return dict(sorted(peaks.items(), key=lambda item: -item[1]))


def _which(peaks: dict[str, float]) -> str:
    return next(iter(peaks), "?")


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
            f"{r['mqcat_largest_mib']:,.0f} ({_which(r['mqcat_peaks_mib'])}) / "
            f"{r['plain_largest_mib']:,.0f} ({_which(r['plain_peaks_mib'])}) MiB | "
            f"{r['mqcat_total_mib']:,.0f} / {r['plain_total_mib']:,.0f} MiB | "
            f"{r['mqcat_wall'] / r['entries'] * 1000:.1f} s |"
        )
    lines += ["", "Peak resident memory by process (VmHWM, MiB; mqcat's `build` is the generator's own process):", ""]
    for r in rows:
        for who in ("mqcat", "plain"):
            peaks = ", ".join(f"{role} {mib:,.0f}" for role, mib in r[f"{who}_peaks_mib"].items())
            lines.append(f"* {r['entries']:,} entries, {who}: {peaks}")
    names = list(dict.fromkeys(name for r in rows for name in r["stages"]))
    sizes = " | ".join(f"{r['entries']:,} entries" for r in rows)
    lines += ["", f"| stage (median wall / CPU; build process's peak so far) | {sizes} |"]
    lines.append("|---|" + "---:|" * len(rows))
    for name in names:
        cells = []
        for r in rows:
            wall, cpu = r["stages"].get(name, (0.0, 0.0))
            peak = r.get("stage_peaks", {}).get(name)
            cells.append(f"{wall:.1f} / {cpu:.1f} s" + (f"; {peak:,.0f} MiB" if peak else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="folder for catalogues, projects and sites (kept and reused)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument(
        "--jobs",
        type=int,
        choices=[1],
        help="1: both builds render one language after the other (`mqcat build --jobs 1`), for catalogues "
        "whose two MkDocs processes would not fit in memory at once (100,000 entries on 24 GiB)",
    )
    args = parser.parse_args()
    print(f"# machine: {describe(*mkdocs_versions())}", flush=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="mqcat-bench-build-"))
    rows = []
    for size in args.entries:
        rows.append(run_size(size, args.repeat, work, args.jobs))
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
