"""Check catalogue files against the schema and the catalogue rules.

With no path, checks the whole catalogue. With paths (files or folders), reports
only problems in those files; cross-file rules still read the whole catalogue.
Exit status: 0 valid, 1 errors found (or warnings with --strict), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalogue import find_repository_root, validate
from ..problems import Problem, Severity, render


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders to report on (default: all)"
    )
    parser.add_argument("--format", choices=("text", "json", "github"), default="text", help="output format")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    # Not resolved: a catalogue folder that is a link must be seen as one, and refused.
    catalogue_dir = (args.catalogue or root / "catalogue").absolute()
    if args.catalogue:
        root = catalogue_dir.parent
    only: set[Path] | None = None
    if args.paths:
        only = set()
        for path in args.paths:
            if not path.exists():
                print(f"mqcat validate: {path}: no such file or folder", file=sys.stderr)
                return 2
            only.update(p.resolve() for p in ([path] if path.is_file() else path.rglob("*.yaml")))
    result = validate(catalogue_dir, only=only, root=root)
    problems = result.problems
    for note in result.notes:
        print(note, file=sys.stderr)
    if args.strict:
        problems = [Problem(p.file, p.line, p.column, p.field, p.message, Severity.ERROR, p.hint) for p in problems]
    print(render(problems, len(only) if only is not None else result.files_checked, args.format))
    return 1 if any(p.severity is Severity.ERROR for p in problems) else 0
