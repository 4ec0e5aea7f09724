"""Benchmark: full catalogue validation against the YAML parse floor (issue 2).

Builds a catalogue of N micro-qualifications in a temporary folder by copying
the shipped sample entries under new ids, then measures, in one run:

* the parse floor: read every file and `yaml.load(text, Loader=yaml.CSafeLoader)`;
* full validation: `generator.catalogue.validate()` (safe loading with
  positions, JSON Schema, cross-file rules, the typed model).

Each is repeated and the medians are reported, with their ratio and the peak
memory of one validation. The target is validation within 2.5x of the floor.

    python benchmarks/bench_validate.py --entries 10000
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.catalogue import AUTHORITIES_FILE, PROVIDERS_DIR, SECTORS_FILE, validate
from generator.loader import load_file

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CATALOGUE = REPO_ROOT / "catalogue"
TARGET_RATIO = 2.5


def sample_entries(catalogue_dir: Path) -> list[dict[str, Any]]:
    """The shipped micro-qualifications, as loaded by the catalogue's own loader."""
    return [
        load_file(path).data for path in sorted(catalogue_dir.glob("*/*.yaml")) if path.parent.name != PROVIDERS_DIR
    ]


def make_catalogue(target: Path, entries: int, source: Path = SHIPPED_CATALOGUE) -> int:
    """Write a catalogue of `entries` micro-qualifications into `target`; return the file count.

    Copy k of a sample gets the id `<sample-id>-<k>`. References between entries
    (stacks_into, replaced_by) point to the same copy k of their target, and are
    dropped where that copy does not exist, so the copy validates clean.
    """
    samples = sample_entries(source)
    if not samples:
        raise SystemExit(f"no sample entries in {source}")
    target.mkdir(parents=True)
    for name in (SECTORS_FILE, AUTHORITIES_FILE):
        shutil.copy2(source / name, target / name)
    shutil.copytree(source / PROVIDERS_DIR, target / PROVIDERS_DIR)
    position = {sample["id"]: index for index, sample in enumerate(samples)}

    def copy_id(entry_id: str, copy: int) -> str | None:
        index = position.get(entry_id)
        if index is None or copy * len(samples) + index >= entries:
            return None
        return f"{entry_id}-{copy}"

    for number in range(entries):
        copy, sample = divmod(number, len(samples))
        entry = dict(samples[sample])
        entry["id"] = copy_id(entry["id"], copy)
        stack = entry.get("stackability")
        if stack and "stacks_into" in stack:
            stack = dict(stack)
            targets = [t for t in (copy_id(t, copy) for t in stack.pop("stacks_into")) if t]
            if targets:
                stack["stacks_into"] = targets
            entry["stackability"] = stack
        if "replaced_by" in entry:
            replacement = copy_id(entry.pop("replaced_by"), copy)
            if replacement:
                entry["replaced_by"] = replacement
        folder = target / entry["sector"]
        folder.mkdir(exist_ok=True)
        text = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False, width=100)
        (folder / f"{entry['id']}.yaml").write_text(text, encoding="utf-8")
    return sum(1 for _ in target.rglob("*.yaml"))


def parse_floor(catalogue_dir: Path) -> int:
    """Read and parse every catalogue file with PyYAML's C loader: the least any check can cost."""
    count = 0
    for path in sorted(catalogue_dir.rglob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        count += 1
    return count


def full_validation(catalogue_dir: Path) -> int:
    result = validate(catalogue_dir)
    if result.problems:
        first = "\n".join(p.text() for p in result.problems[:5])
        raise SystemExit(f"the generated catalogue is not clean ({len(result.problems)} problems):\n{first}")
    return result.files_checked


def timings(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Wall-clock and CPU seconds of `repeat` runs of each, after one untimed warm-up of each.

    The runs are interleaved (a, b, a, b, ...) so that load from other processes
    on the machine falls on both measurements alike.
    """
    for run in runs.values():
        run()
    seconds: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            seconds[name]["cpu"].append(time.process_time() - cpu)
            seconds[name]["wall"].append(time.perf_counter() - wall)
    return seconds


def peak_traced(run: Callable[[], object]) -> int:
    """Peak bytes allocated by Python during one run."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000, help="micro-qualifications to generate (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions of each measurement (default 5)")
    parser.add_argument("--keep", type=Path, help="build the catalogue in this folder and keep it")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="mqcat-bench-")) if args.keep is None else args.keep
    catalogue_dir = workdir / "catalogue"
    try:
        files = make_catalogue(catalogue_dir, args.entries)
        size = sum(p.stat().st_size for p in catalogue_dir.rglob("*.yaml"))
        runs = {
            "floor": lambda: parse_floor(catalogue_dir),
            "full": lambda: full_validation(catalogue_dir),
        }
        seconds = timings(runs, args.repeat)
        peaks = {name: peak_traced(run) for name, run in runs.items()}
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    median = {
        name: {clock: statistics.median(values) for clock, values in clocks.items()} for name, clocks in seconds.items()
    }
    ratio = {clock: median["full"][clock] / median["floor"][clock] for clock in ("wall", "cpu")}
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB

    print(
        f"Catalogue: {args.entries} entries, {files} files, {size / 2**20:.1f} MiB; "
        f"{args.repeat} interleaved runs each after a warm-up; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, PyYAML {yaml.__version__} (libyaml {yaml.__with_libyaml__}), "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print(
        "| Measurement | Wall median (s) | Wall min-max (s) | CPU median (s) | CPU per file (ms) "
        "| Peak traced memory (MiB) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    labels = {"floor": "Parse floor: read + `yaml.load(CSafeLoader)`", "full": "Full validation: `validate()`"}
    for name, label in labels.items():
        wall = seconds[name]["wall"]
        print(
            f"| {label} | {median[name]['wall']:.3f} | {min(wall):.3f}-{max(wall):.3f} "
            f"| {median[name]['cpu']:.3f} | {median[name]['cpu'] / files * 1000:.3f} | {peaks[name] / 2**20:.1f} |"
        )
    print()
    met = ratio["wall"] <= TARGET_RATIO and ratio["cpu"] <= TARGET_RATIO
    print(
        f"Ratio validation / parse floor: **{ratio['wall']:.2f}x** wall clock, **{ratio['cpu']:.2f}x** CPU time "
        f"(target <= {TARGET_RATIO}x: {'met' if met else 'missed'}). Process peak RSS: {max_rss_mib:.0f} MiB."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
