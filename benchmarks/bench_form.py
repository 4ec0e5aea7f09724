"""Benchmark: reading a submitted issue form into catalogue files, at catalogue scale (issue 13).

`mqcat form-to-entry` does two things whose cost depends on the catalogue:

* reading the form: the registries, the list of entry ids (for a taken id and for
  references), the schema and the rules on the new records;
* writing: the new files are validated with the whole catalogue, as any file is.

Compared, in one run and on the same synthetic catalogue (benchmarks/synthetic.py:
unique text per entry), with the plain tool: `generator.catalogue.validate()` of
that catalogue, which the write step contains once. Reading should stay a small
fraction of a validation, and writing close to one validation.

    python benchmarks/bench_form.py --entries 1000 10000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from synthetic import make_catalogue

from generator.catalogue import validate
from generator.forms import convert

REPO_ROOT = Path(__file__).resolve().parent.parent
BODY = REPO_ROOT / "tests" / "data" / "forms" / "proposal-new-provider.md"


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(entries: int, repeat: int) -> dict[str, float]:
    body = BODY.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        catalogue = make_catalogue(entries, root)
        plain = median_seconds(lambda: validate(catalogue), repeat)
        read = median_seconds(lambda: convert.read(body, catalogue), repeat)

        def read_and_write() -> None:
            submission = convert.read(body, catalogue)
            written = convert.write(submission, root)
            assert written, [problem.en for problem in submission.problems]
            for path in written:  # leave the catalogue as it was for the next repetition
                path.unlink()

        write = median_seconds(read_and_write, repeat)
    return {"validate": plain, "read": read, "read_and_write": write}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| entries | validate() (plain) | read the form | read and write (validated) | write / validate |")
    print("|---:|---:|---:|---:|---:|")
    for entries in args.entries:
        found = measure(entries, args.repeat)
        ratio = found["read_and_write"] / found["validate"]
        print(
            f"| {entries:,} | {found['validate']:.2f} s | {found['read']:.2f} s | "
            f"{found['read_and_write']:.2f} s | {ratio:.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
