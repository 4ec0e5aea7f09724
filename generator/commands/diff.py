"""Compare two git revisions of the catalogue and write the review report in Markdown.

BASE defaults to where the branch left main (`git merge-base main HEAD`, or
origin/main when there is no local main); HEAD defaults to the working tree,
uncommitted and untracked files included. The report lists the entries added,
changed, suspended, withdrawn, reactivated and deleted, each change in words,
the points reviewers must check, who must approve, and the validation
problems in the changed files. With --format github, every error and point to
check is also written to standard error as a GitHub Actions annotation.
Exit status: 0 no errors, 1 the report holds an error, 2 usage or git error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..review.diff import GitError, review_revisions
from ..review.report import github_annotations, markdown


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "base", nargs="?", metavar="BASE", help="the revision to compare with (default: merge base with main)"
    )
    parser.add_argument("head", nargs="?", metavar="HEAD", help="the revision to review (default: the working tree)")
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
    return 1 if review.errors else 0
