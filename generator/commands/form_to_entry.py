"""Read a submitted issue form (GitHub's Markdown) and write the catalogue files it describes.

BODY-FILE holds the issue's body exactly as GitHub gives it (`-` reads standard
input). The proposal form becomes a new entry, in the state *proposed*, and a
provider record when the form registers a new provider; the change form
becomes the changed entry (a substantive change is a new, proposed version).
The files are written with a YAML serializer and pass the same loader, schema
and rules as any catalogue file. Otherwise nothing is written, and every
problem is reported per form field, in English and Latvian.

With --reply-dir, the files a workflow needs are written there too: the
comment for the issue (comment.md), a summary (result.json), the commit
message with the submitter as co-author (commit-message.txt) and the pull
request's title (pull-request-title.txt).
Exit status: 0 written (or valid, with --check), 1 the form has problems, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ..catalogue import find_repository_root
from ..forms import reply
from ..forms.body import MAX_BODY_CHARACTERS
from ..forms.convert import Submission, read, write
from ..forms.render import RegistryUnreadable

LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
MAX_BODY_BYTES = 4 * MAX_BODY_CHARACTERS + 4


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("body", metavar="BODY-FILE", help="the issue body, as GitHub gives it (- for standard input)")
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")
    parser.add_argument("--check", action="store_true", help="only report problems; write no catalogue file")
    parser.add_argument(
        "--reply-dir", type=Path, metavar="DIR", help="write comment.md, result.json and the commit message here"
    )
    parser.add_argument("--issue", type=int, metavar="N", help="the issue's number, named in the commit message")
    parser.add_argument("--author", metavar="LOGIN", help="the submitter's GitHub login: co-author of the commit")
    parser.add_argument("--author-id", type=int, metavar="ID", help="the submitter's numeric GitHub user id")


def _read_body(name: str) -> str:
    if name == "-":
        raw = sys.stdin.buffer.read(MAX_BODY_BYTES + 1)
    else:
        with Path(name).open("rb") as handle:
            raw = handle.read(MAX_BODY_BYTES + 1)
    return raw.decode("utf-8")


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    catalogue_dir = (args.catalogue or root / "catalogue").resolve()
    root = catalogue_dir.parent
    if not catalogue_dir.is_dir():
        print(f"mqcat form-to-entry: {catalogue_dir}: no catalogue folder here", file=sys.stderr)
        return 2
    try:
        body = _read_body(args.body)
    except OSError as error:
        print(f"mqcat form-to-entry: cannot read {args.body}: {error.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as error:
        print(f"mqcat form-to-entry: {args.body} is not UTF-8 text (byte {error.start})", file=sys.stderr)
        return 2
    try:
        submission = read(body, catalogue_dir)
    except RegistryUnreadable as error:
        print(f"mqcat form-to-entry: a registry has errors; fix them first:\n{error}", file=sys.stderr)
        return 2
    written: list[Path] = []
    if not submission.errors and not args.check:
        try:
            # Validated with the whole catalogue once written; taken back if that finds an error.
            written = write(submission, root)
        except FileExistsError as error:
            print(f"mqcat form-to-entry: {error.filename} appeared meanwhile; nothing more written", file=sys.stderr)
            return 2
    sys.stdout.write(reply.text(submission))
    for path in written:
        print(f"Wrote {path.relative_to(root).as_posix()}")
    if args.reply_dir:
        _write_reply(args, submission)
    return 1 if submission.errors else 0


def _write_reply(args: argparse.Namespace, submission: Submission) -> None:
    folder: Path = args.reply_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comment.md").write_text(reply.markdown(submission), encoding="utf-8")
    # What the comment adds when the pull request cannot follow the form (the workflow picks one).
    for key in ("blocked", "failed"):
        (folder / f"comment-{key}.md").write_text(reply.note(key), encoding="utf-8")
    entry = submission.entry or {}
    summary = {
        "valid": not submission.errors,
        "form": submission.form.name,
        "entry_id": entry.get("id") if not submission.errors else None,
        "sector": entry.get("sector") if not submission.errors else None,
        "version": entry.get("version") if not submission.errors else None,
        "files": sorted(submission.files),
        "new_provider": (submission.provider or {}).get("id") if not submission.errors else None,
        "errors": len(submission.errors),
        "warnings": len(submission.warnings),
    }
    (folder / "result.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if submission.errors:
        return
    title = " ".join(str((entry.get("title") or {}).get("en") or entry.get("id")).split())
    verb = "Propose" if submission.form.name == "proposal" else "Propose a change to"
    subject = f"{verb} {entry['id']}"
    lines = [subject, "", f"Title: {title}"]
    if args.issue is not None:
        lines.append(f"From issue #{args.issue}, submitted with the {submission.form.name} form.")
    if args.author and LOGIN.match(args.author) and args.author_id is not None:
        lines += ["", f"Co-authored-by: {args.author} <{args.author_id}+{args.author}@users.noreply.github.com>"]
    (folder / "commit-message.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "pull-request-title.txt").write_text(f"{subject}: {title}"[:250] + "\n", encoding="utf-8")
