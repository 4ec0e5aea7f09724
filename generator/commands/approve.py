"""Record the sector council's approval of a micro-qualification (for council members).

Writes exactly the decision into catalogue/<sector>/ID.yaml: `status: active`,
quality_assurance.decision, decision_date and review_due (a suspended entry's
status_reason is removed: it is offered again). Every other byte of the file
stays as it was. The change is committed on its own, with the decision in the
commit message, so that the review report shows who recorded it in which
commit; the pull-request check turns green only then.
Exit status: 0 recorded, 1 refused (the message says why and how to fix it), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..catalogue import find_repository_root
from ..git import GitError
from ..problems import display_path
from ..review.decision import Decision, DecisionRefused, record, review_due_default


def add_common(parser: argparse.ArgumentParser) -> None:
    """The arguments every council decision has."""
    parser.add_argument(
        "entry_id", metavar="ID", help="the id of the micro-qualification (its file name without .yaml)"
    )
    parser.add_argument(
        "--decision",
        required=True,
        metavar="TEXT",
        help='the reference of the council\'s decision in its minutes, e.g. "Protokols Nr. 3/2026, 4. p."',
    )
    parser.add_argument(
        "--date", required=True, type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="the date of the decision"
    )


def configure(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument(
        "--review-due",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="when the council reviews the programme again (default: three years after --date)",
    )


def finish(decision: Decision) -> int:
    """Record the decision in the repository at the current folder; print what happened."""
    root = find_repository_root(Path.cwd())
    try:
        path = record(root, decision)
    except DecisionRefused as refusal:
        print(f"mqcat {decision.action}: {refusal.problem}\nFix: {refusal.fix}", file=sys.stderr)
        return 1
    except GitError as error:
        print(f"mqcat {decision.action}: {error}", file=sys.stderr)
        return 1
    shown = display_path(path, root)
    print(f"The council's decision on '{decision.entry_id}' is recorded in {shown} and committed on its own.")
    print("Push the branch: the pull request's check then shows the decision.")
    return 0


def run(args: argparse.Namespace) -> int:
    decision = Decision(
        "approve", args.entry_id, args.decision, args.date, review_due=args.review_due or review_due_default(args.date)
    )
    return finish(decision)
