"""Check signed credentials against the catalogue, check by check.

FILE is a VC-JWT (`.jwt`, as `mqcat certificate --sign` writes), a JSON file
holding one (a JSON string or a VC 2.0 EnvelopedVerifiableCredential), or a
folder of such files. For each credential the answer is given in words for
every check: the signature; the key registered for that provider and valid on
the issue date; the provider an awarding body of the micro-qualification; the
version named exists and its digest matches; the entry's state on the issue
date; not revoked.

The registry is read from the published site (--site-url), a built site folder
(--site), or by default from the catalogue of this repository, exactly as the
build would publish it.
Exit status: 0 every credential valid, 1 a credential is invalid, 2 unusable input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from ..catalogue import find_repository_root, validate
from ..context import VERSIONS_MANIFEST, BuildContext, api_file
from ..credentials import registry, verification
from ..problems import render
from ..versions import VersionsRefused, all_versions, read_history

SUFFIXES = (".jwt", ".json")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE", help="a credential file, or a folder of them")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--site", type=Path, metavar="DIR", help="verify against a built site folder")
    source.add_argument(
        "--site-url", metavar="URL", help="verify against the published site at this address (read over HTTPS)"
    )
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="the report's form (default: text)")


def _fail(message: str) -> int:
    print(f"mqcat verify: {message}", file=sys.stderr)
    return 2


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
        else:
            found.append(path)
    return found


def _catalogue_source(args: argparse.Namespace) -> tuple[verification.Source, BuildContext] | str:
    """The registry as the build would publish it from the local catalogue, or a message saying why not."""
    root = find_repository_root(Path.cwd())
    catalogue_dir = (args.catalogue or root / "catalogue").resolve()
    result = validate(catalogue_dir, root=catalogue_dir.parent)
    if result.catalogue is None:
        print(render(result.errors, result.files_checked, "text"), file=sys.stderr)
        return "the catalogue has errors; fix them or give --site / --site-url"
    if not (catalogue_dir.parent / "mkdocs.yml").is_file() and not (root / "mkdocs.yml").is_file():
        return "no site address: mkdocs.yml was not found; give --site-url"
    from ..site.build import base_site_url  # the site's own reading of mkdocs.yml

    mkdocs_root = catalogue_dir.parent if (catalogue_dir.parent / "mkdocs.yml").is_file() else root
    ctx = BuildContext(site_url=base_site_url(mkdocs_root), today=dt.date.today())
    try:
        history = read_history(catalogue_dir.parent)
        versions = all_versions(result.catalogue, catalogue_dir.parent)
    except VersionsRefused as refused:
        return f"the version history cannot be read: {refused}"
    published = registry.registry_documents(result.catalogue, ctx, history.states)
    contents = {key: version.content for key, version in versions.items()}
    return verification.documents(published, contents, ctx), ctx


def run(args: argparse.Namespace) -> int:
    if args.site is not None:
        site_dir = args.site.resolve()
        if not (site_dir / api_file("")).is_dir():
            return _fail(f"{args.site}: not a built site (no {api_file('')} folder)")
        try:
            manifest = json.loads((site_dir / api_file(VERSIONS_MANIFEST)).read_text(encoding="utf-8"))
            site_url = manifest["site"]
        except (OSError, ValueError, KeyError) as error:
            manifest_path = api_file(VERSIONS_MANIFEST)
            return _fail(f"{args.site}: cannot read {manifest_path} to learn the site's address ({error})")
        ctx = BuildContext(site_url=site_url, today=dt.date.today())
        source = verification.site_folder(site_dir)
    elif args.site_url is not None:
        if not args.site_url.startswith("https://"):
            return _fail("--site-url must be an https:// address")
        ctx = BuildContext(site_url=args.site_url, today=dt.date.today())
        source = verification.web_site(ctx.site_url)
    else:
        made = _catalogue_source(args)
        if isinstance(made, str):
            return _fail(made)
        source, ctx = made

    files = _files(args.paths)
    if not files:
        return _fail("no credential files (.jwt or .json) found")
    worst = 0
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            report = verification.verify_token(verification.token_of(text), source, ctx)
        except (OSError, UnicodeDecodeError) as error:
            results.append({"file": str(path), "status": "unusable", "reason": f"cannot read the file: {error}"})
            worst = 2
            continue
        except verification.Unusable as error:
            results.append({"file": str(path), "status": "unusable", "reason": str(error)})
            worst = 2
            continue
        status = "valid" if report.valid else "invalid"
        worst = max(worst, 0 if report.valid else 1)
        results.append(
            {
                "file": str(path),
                "status": status,
                "reason": report.reason,
                "checks": [{"check": c.name, "ok": c.ok, "message": c.message} for c in report.checks],
                "facts": report.facts,
            }
        )
    if args.format == "json":
        print(json.dumps({"results": results}, ensure_ascii=False, indent=2))
    else:
        for item in results:
            print(f"{item['file']}: {item['status'].upper()}" + (f": {item['reason']}" if item["reason"] else ""))
            for check in item.get("checks", ()):
                print(f"  {'ok  ' if check['ok'] else 'FAIL'} {check['check']}: {check['message']}")
    return worst
