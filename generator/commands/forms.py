"""Write the issue forms in .github/ISSUE_TEMPLATE/ from the schema and the registries, or check them.

The proposal form asks for every field of an entry (and, for a provider not yet
registered, of a provider record); the change form asks for an entry's id and
then only the fields that change. Labels come from the interface tables, the
allowed values from the schema, the sectors and authorising bodies from the
registries. With --check nothing is written: the command fails when a form
differs from what it would write, or when a schema field is asked for by no form.
Exit status: 0 written or up to date, 1 out of date (--check), 2 a registry has errors.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from ..catalogue import find_repository_root
from ..forms import spec
from ..forms.render import RegistryUnreadable, render_all


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only check that the forms are up to date (exit 1 if not)")
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    catalogue_dir = (args.catalogue or root / "catalogue").resolve()
    root = catalogue_dir.parent
    uncovered = spec.uncovered(spec.proposal_form())
    if uncovered:
        print("mqcat forms: the proposal form does not cover the schema:", file=sys.stderr)
        for line in uncovered:
            print(f"  {line}", file=sys.stderr)
        print(
            "Fix: add a form element for the field in generator/forms/spec.py (and its labels in "
            "generator/i18n/), or list it in NOT_ASKED with the reason",
            file=sys.stderr,
        )
        return 1
    try:
        expected = render_all(catalogue_dir)
    except RegistryUnreadable as error:
        print(f"mqcat forms: a registry has errors; fix them first:\n{error}", file=sys.stderr)
        return 2
    stale = 0
    for relative, text in expected.items():
        target = root / relative
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            if args.check:
                print(f"{relative.as_posix()} is up to date")
            continue
        if args.check:
            stale += 1
            state = "is missing" if current is None else "differs from what the schema and the registries say"
            print(f"mqcat forms: {relative.as_posix()} {state}", file=sys.stderr)
            if current is not None:
                sys.stderr.writelines(
                    difflib.unified_diff(current.splitlines(True), text.splitlines(True), "committed", "expected")
                )
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"Wrote {relative.as_posix()}")
    if stale:
        print("Fix: run `mqcat forms` and commit the issue forms.", file=sys.stderr)
        return 1
    return 0
