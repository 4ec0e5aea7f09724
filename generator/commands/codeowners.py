"""Write .github/CODEOWNERS from catalogue/sectors.yaml, or check that it is up to date.

Each /catalogue/<sector>/ folder is owned by that sector's reviewers; the
registries, the schema, the generator, the workflows and the project files by
the catalogue maintainers. With --check, nothing is written.
Exit status: 0 written or up to date, 1 out of date (--check), 2 the registry has errors.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from ..catalogue import SECTORS_FILE, find_repository_root
from ..review.codeowners import CODEOWNERS_PATH, RegistryInvalid, read_registry, render


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date (exit 1 if not)")
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="the CODEOWNERS file (default: .github/CODEOWNERS beside the catalogue folder)",
    )


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    catalogue_dir = (args.catalogue or root / "catalogue").resolve()
    target = args.output or catalogue_dir.parent / CODEOWNERS_PATH
    try:
        expected = render(read_registry(catalogue_dir / SECTORS_FILE))
    except RegistryInvalid as error:
        print(f"mqcat codeowners: catalogue/{SECTORS_FILE} has errors; fix them first:\n{error}", file=sys.stderr)
        return 2
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if args.check:
        if current == expected:
            print(f"{CODEOWNERS_PATH.as_posix()} is up to date with catalogue/{SECTORS_FILE}")
            return 0
        state = "is missing" if current is None else f"differs from what catalogue/{SECTORS_FILE} says"
        print(
            f"mqcat codeowners: {CODEOWNERS_PATH.as_posix()} {state}.\n"
            f"Fix: run `mqcat codeowners` and commit {CODEOWNERS_PATH.as_posix()}.",
            file=sys.stderr,
        )
        if current is not None:
            sys.stderr.writelines(
                difflib.unified_diff(current.splitlines(True), expected.splitlines(True), "committed", "expected")
            )
        return 1
    if current == expected:
        print(f"{CODEOWNERS_PATH.as_posix()} is already up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(expected, encoding="utf-8")
    print(f"Wrote {CODEOWNERS_PATH.as_posix()} from catalogue/{SECTORS_FILE}")
    return 0
