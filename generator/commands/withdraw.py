"""Record the sector council's decision to withdraw a micro-qualification (for council members).

Writes `status: withdrawn`, status_reason and (with --replaced-by) replaced_by
into catalogue/<sector>/ID.yaml, every other byte unchanged, and commits it on
its own with the decision in the commit message. The page stays as a record for
certificates already issued.
Exit status: 0 recorded, 1 refused (the message says why and how to fix it), 2 usage error.
"""

from __future__ import annotations

import argparse

from ..review.decision import Decision, parse_reason
from .approve import add_common, finish


def configure(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--reason-lv", required=True, metavar="TEXT", help="why, in Latvian (shown on the page)")
    parser.add_argument("--reason-en", metavar="TEXT", help="why, in English")
    parser.add_argument("--replaced-by", metavar="ID", help="the id of the entry that replaces this one")


def run(args: argparse.Namespace) -> int:
    reason = parse_reason(args.reason_lv, args.reason_en)
    decision = Decision(
        "withdraw", args.entry_id, args.decision, args.date, reason=reason, replaced_by=args.replaced_by
    )
    return finish(decision)
