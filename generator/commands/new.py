"""Start a new micro-qualification: write catalogue/SECTOR/ID.yaml, ready to fill in.

Every field of the schema is in the file, each under a comment saying what to
write. The id, version, status, sector, awarding body and the sector council as
authorising body are filled in; everything else is blank and fails
`mqcat validate` until it is written. Refuses an id that is malformed or already
used in any sector, and an unknown sector or provider.
Exit status: 0 written, 2 refused (the message says why and how to fix it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalogue import find_repository_root
from ..problems import display_path
from ..review.skeleton import Refused, create


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "id", metavar="ID", help="the new entry's id: lowercase words joined by hyphens, e.g. forklift-safe-operation"
    )
    parser.add_argument(
        "--sector", required=True, help="the sector id from catalogue/sectors.yaml, e.g. transport-logistics"
    )
    parser.add_argument("--provider", required=True, help="the lead provider's id from catalogue/providers/")
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    catalogue_dir = (args.catalogue or root / "catalogue").resolve()
    if args.catalogue:
        root = catalogue_dir.parent
    if not catalogue_dir.is_dir():
        print(
            f"mqcat new: {catalogue_dir}: no catalogue folder here\n"
            "Fix: run mqcat inside the catalogue repository, or pass --catalogue PATH",
            file=sys.stderr,
        )
        return 2
    try:
        path, authority = create(catalogue_dir, args.id, args.sector, args.provider)
    except Refused as refusal:
        print(f"mqcat new: {refusal.problem}\nFix: {refusal.fix}", file=sys.stderr)
        return 2
    except FileExistsError:
        print(
            f"mqcat new: catalogue/{args.sector}/{args.id}.yaml already exists\nFix: choose another id", file=sys.stderr
        )
        return 2
    shown = display_path(path, root)
    print(f"Created {shown}")
    if authority is None:
        print(
            f"Note: catalogue/authorities.yaml names no council for sector '{args.sector}'; "
            "fill in quality_assurance.authorised_by yourself."
        )
    print(f"Next: fill in every empty value (the comments say what to write), then run: mqcat validate {shown}")
    return 0
