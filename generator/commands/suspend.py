"""Record the sector council's decision to suspend a micro-qualification (for council members).

Writes `status: suspended` and status_reason into catalogue/<sector>/ID.yaml,
every other byte unchanged, and commits it on its own with the decision in the
commit message. A suspended entry stays published but is marked as not offered.
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


def run(args: argparse.Namespace) -> int:
    reason = parse_reason(args.reason_lv, args.reason_en)
    return finish(Decision("suspend", args.entry_id, args.decision, args.date, reason=reason))
