"""Compare two git revisions of the catalogue and write the review report in Markdown.

BASE defaults to where the branch left main (`git merge-base main HEAD`, or
origin/main when there is no local main); HEAD defaults to the last commit:
only committed changes count (the report notes uncommitted catalogue files).
The report lists the entries added, changed, suspended, withdrawn, reactivated
and deleted, each change in words, the council's decision on each (the
approval fields, and who changed them in which commit), the points reviewers
must check, who must approve, and the validation problems in the changed
files. It says "valid, awaiting the council's decision" while an entry is
proposed, and "approved: ready to merge" once the council recorded its
decision with `mqcat approve`. With --format github, every error and point to
check is also written to standard error as a GitHub Actions annotation.
Exit status: 0 no errors, 1 the report holds an error (or, with
--require-decision, an entry awaits the council's decision), 2 usage or git error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..git import GitError
from ..problems import github_escape
from ..review.diff import review_revisions
from ..review.report import github_annotations, markdown


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "base", nargs="?", metavar="BASE", help="the revision to compare with (default: merge base with main)"
    )
    parser.add_argument(
        "head", nargs="?", metavar="HEAD", help="the revision to review (default: HEAD, the last commit)"
    )
    parser.add_argument(
        "--require-decision",
        action="store_true",
        help="also fail while an entry is proposed: the check that councils require before merging",
    )
    parser.add_argument(
        "--format",
        choices=("markdown", "github"),
        default="markdown",
        help="markdown: the report; github: the report, plus GitHub Actions annotations "
        "(::error/::warning with file and line) on standard error",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the Markdown report to FILE (e.g. $GITHUB_STEP_SUMMARY) instead of standard output",
    )
    parser.add_argument(
        "--repo", type=Path, default=Path(), metavar="DIR", help="the git repository (default: the current folder)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        review = review_revisions(args.repo, args.base, args.head)
    except GitError as error:
        print(f"mqcat diff: {error}", file=sys.stderr)
        return 2
    report = markdown(review)
    if args.format == "github":
        # On standard error, so that `mqcat diff --format github >> "$GITHUB_STEP_SUMMARY"`
        # keeps the summary pure Markdown; the runner reads workflow commands from both streams.
        for line in github_annotations(review):
            print(line, file=sys.stderr)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if review.errors:
        return 1
    if args.require_decision and review.awaiting:
        ids = ", ".join(a.id for a in review.awaiting)
        message = f"valid, awaiting the council's decision: {ids} (a council member records it with `mqcat approve`)"
        if args.format == "github":
            print(f"::error title=Awaiting the council's decision::{github_escape(message)}", file=sys.stderr)
        else:
            print(f"mqcat diff: {message}", file=sys.stderr)
        return 1
    return 0
