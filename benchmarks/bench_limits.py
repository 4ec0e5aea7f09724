"""Benchmark: a hostile file costs time linear in its size (issue 11).

Copies the shipped catalogue into a temporary folder and adds to one entry
file, in turn:

* N unknown fields (N problems, of which 100 are listed, then "and N-100 more");
* a value nested N brackets deep (refused at depth 32, one problem);

and times `generator.catalogue.validate()` on the whole catalogue, the median
of a few runs, minus the time of the clean catalogue. Linear means the time
per 1,000 problems (or brackets) stays flat as N doubles.

    python benchmarks/bench_limits.py
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator.catalogue import validate

REPO_ROOT = Path(__file__).resolve().parent.parent
ENTRY = "transport-logistics/forklift-safe-operation.yaml"


def unknown_fields(count: int) -> str:
    return "".join(f"unknown_field_{number}: {number}\n" for number in range(count))


def deep_brackets(count: int) -> str:
    return "deep: " + "[" * count + "]" * count + "\n"


def median_seconds(catalogue: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        validate(catalogue)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000, 16000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        catalogue = Path(folder) / "catalogue"
        shutil.copytree(REPO_ROOT / "catalogue", catalogue)
        path = catalogue / ENTRY
        clean = path.read_text(encoding="utf-8")
        baseline = median_seconds(catalogue, args.repeats)
        print(f"clean catalogue: {baseline:.3f} s")
        cases: list[tuple[str, Callable[[int], str]]] = [
            ("unknown fields", unknown_fields),
            ("nested brackets", deep_brackets),
        ]
        print("| Hostile addition | N | Extra time | Per 1,000 |")
        print("|---|---:|---:|---:|")
        for name, make in cases:
            for size in args.sizes:
                path.write_text(clean + make(size), encoding="utf-8")
                extra = max(median_seconds(catalogue, args.repeats) - baseline, 0.0)
                print(f"| {name} | {size:,} | {extra:.3f} s | {extra / size * 1000:.3f} s |")
        path.write_text(clean, encoding="utf-8")


if __name__ == "__main__":
    main()
