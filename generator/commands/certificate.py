"""Write certificates of one micro-qualification for a list of learners.

For each learner in FILE (CSV with the header name,identifier,issue_date,issue_place,grade,
or YAML: a list of such mappings) this writes a print-ready A4 HTML certificate in
Latvian and English and an unsigned Open Badges 3.0 AchievementCredential (JSON) for
the issuer to sign, and with --pdf a PDF where WeasyPrint is installed.
With --versions (the built site's api/v1/versions.json) each credential names the
exact version it certifies, with its SRI digest. Existing files are never
overwritten without --force.

With --sign KEYFILE (a key from `mqcat keygen`, registered in the provider file)
each credential is signed instead: a VC-JWT (<name>.jwt) naming the exact version
and its digest and the credential's place in the provider's status list; the
printed certificate's QR code opens the catalogue's verification page. Signing is
refused, before anything is written, when the key's provider is not an awarding
body of the entry, the entry is not active, or the key is revoked, expired or not
yet valid on an issue date. Each status index given out is recorded in a ledger
beside the key file (--ledger), so that no index is given twice.
Exit status: 0 written, 1 problems in the learner file or the entry, 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import re
import sys
import unicodedata
from pathlib import Path

from ..catalogue import find_repository_root, validate
from ..certificate.learners import Learner, LearnerFileError, load_learners
from ..certificate.pdf import pdf_unavailable, write_pdf
from ..certificate.render import render_certificate_page
from ..context import BuildContext
from ..credentials import keys, registry, signing, status_lists
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..interop.ob3 import achievement_credential
from ..problems import Problem, display_path, render
from ..versions import VersionsRefused, all_versions, digest_sri

_SRI = re.compile(r"^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "entry_id", metavar="ID", help="the id of the micro-qualification (its file name without .yaml)"
    )
    parser.add_argument(
        "--learner",
        "--learners",
        dest="learners",
        type=Path,
        required=True,
        metavar="FILE",
        help="learner list: .csv (name,identifier,issue_date,issue_place,grade) or .yaml",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: certificates/<ID>/)")
    parser.add_argument("--pdf", action="store_true", help="also write PDF files (needs the 'pdf' extra: WeasyPrint)")
    parser.add_argument("--force", action="store_true", help="overwrite existing certificate files")
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help="the language printed first on the certificate (default: lv)",
    )
    parser.add_argument(
        "--site-url", metavar="URL", help="public address of the catalogue (default: site_url of mkdocs.yml)"
    )
    digest = parser.add_mutually_exclusive_group()
    digest.add_argument(
        "--versions",
        type=Path,
        metavar="FILE",
        help="api/v1/versions.json of the built site: the OB 3.0 credentials then name the exact "
        "version they certify, with its digest, in relatedResource",
    )
    digest.add_argument(
        "--version-digest",
        metavar="SRI",
        help="the same digest given directly (the digestSRI of this version in versions.json)",
    )
    parser.add_argument(
        "--sign",
        type=Path,
        metavar="KEYFILE",
        help="sign each credential (VC-JWT) with this private key from `mqcat keygen`, registered in the provider file",
    )
    parser.add_argument(
        "--ledger",
        type=Path,
        metavar="FILE",
        help="the record of status indexes given out (default: <provider>.status-ledger.jsonl beside the key file)",
    )
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")


def _fail(message: str, hint: str = "", status: int = 1) -> int:
    print(f"mqcat certificate: {message}" + (f"\n  Hint: {hint}" if hint else ""), file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    root = find_repository_root(Path.cwd())
    catalogue_dir = (args.catalogue or root / "catalogue").resolve()
    if args.catalogue:
        root = catalogue_dir.parent
    if not args.learners.is_file():
        return _fail(f"{args.learners}: no such file", status=2)
    if args.version_digest and not _SRI.match(args.version_digest):
        return _fail(
            f"'{args.version_digest}' is not an SRI digest",
            "copy the value for this entry and version from api/v1/versions.json, e.g. sha384-...",
            2,
        )
    site_url = args.site_url or _site_url(root)
    if site_url is None:
        return _fail("no site address: mkdocs.yml was not found", "give --site-url https://...", 2)

    result = validate(catalogue_dir, root=root)
    if result.catalogue is None:
        print(render(result.errors, result.files_checked, "text"), file=sys.stderr)
        return _fail(
            "the catalogue has errors; certificates are made only from a valid catalogue",
            "fix the errors above (mqcat validate lists them)",
        )
    catalogue = result.catalogue
    if args.entry_id in catalogue.proposals:
        return _fail(
            f"'{args.entry_id}' is proposed, not approved: no certificate is issued before the council's decision",
            "the sector's council records its decision with `mqcat approve`; certificates follow publication",
        )
    entry = catalogue.entries.get(args.entry_id)
    if entry is None:
        close = difflib.get_close_matches(args.entry_id, catalogue.entries, n=1)
        return _fail(
            f"no micro-qualification with the id '{args.entry_id}'",
            f"did you mean '{close[0]}'?" if close else "the id is the entry's file name without .yaml",
            2,
        )
    if not entry.published:
        successor = f"; it is replaced by '{entry.replaced_by}'" if entry.replaced_by else ""
        return _fail(f"'{entry.id}' is withdrawn: no new certificates are issued for it{successor}")

    signer = None
    if args.sign:
        try:
            signer = signing.find_signer(catalogue, keys.load_private_key(args.sign))
        except keys.KeyProblem as error:
            return _fail(str(error), "give the private key file that `mqcat keygen` wrote", 2)
        except signing.SigningRefused as refused:
            return _fail(refused.message, refused.hint)

    version_digest = args.version_digest
    if signer is not None:
        # A signed credential always pins its version: the digest the site publishes for it.
        try:
            published = all_versions(catalogue, catalogue_dir.parent)[(entry.id, entry.version)]
        except VersionsRefused as refused:
            return _fail(f"the version history cannot be read: {refused}")
        version_digest = digest_sri(published.content)
    elif args.versions:
        version_digest, manifest_problem = _digest_from_manifest(args.versions, entry.id, entry.version)
        if manifest_problem:
            return _fail(manifest_problem, "build the site (mqcat build) and give its api/v1/versions.json", 2)

    try:
        learners = load_learners(args.learners, root)
    except LearnerFileError as error:
        for learner_problem in error.problems:
            print(learner_problem.text(), file=sys.stderr)
        return _fail(f"{len(error.problems)} problem(s) in the learner file; no certificate was written")
    early = [
        Problem(
            display_path(args.learners, root),
            learner.line,
            1,
            "issue_date",
            f"{learner.issue_date} is before the programme was approved ({entry.decision_date})",
            hint="check the date; a certificate cannot predate the approval decision",
        )
        for learner in learners
        if entry.decision_date is not None and learner.issue_date < entry.decision_date
    ]
    if early:
        for date_problem in early:
            print(date_problem.text(), file=sys.stderr)
        return _fail(f"{len(early)} problem(s) in the learner file; no certificate was written")
    ledger = None
    if signer is not None:
        try:
            for day in sorted({learner.issue_date for learner in learners}):
                signing.check_can_sign(signer, entry, day)
            ledger = signing.Ledger(args.ledger or signing.default_ledger(args.sign, signer.provider.id))
        except signing.SigningRefused as refused:
            return _fail(f"{refused.message}; no certificate was written", refused.hint)

    default_out = args.out is None
    out = args.out or root / "certificates" / entry.id
    pdf_problem = pdf_unavailable() if args.pdf else None
    suffixes = [".html", ".jwt" if signer else ".json"] + ([".pdf"] if args.pdf and pdf_problem is None else [])
    stems = [_file_stem(index, learner) for index, learner in enumerate(learners, start=1)]
    existing = [out / (stem + s) for stem in stems for s in suffixes if (out / (stem + s)).exists()]
    if existing and not args.force:
        shown = ", ".join(display_path(p, root) for p in existing[:5]) + (" ..." if len(existing) > 5 else "")
        return _fail(f"{len(existing)} file(s) already exist: {shown}", "choose another --out folder or add --force")

    out.mkdir(parents=True, exist_ok=True)
    if default_out:
        _keep_out_of_git(out.parent)
    ctx = BuildContext(site_url=site_url, today=dt.date.today())
    long_pages = []
    for stem, learner in zip(stems, learners, strict=True):
        credential = achievement_credential(entry, catalogue, ctx, learner, version_digest=version_digest)
        verify_link = None
        if signer is not None and ledger is not None:
            index = ledger.allocate()
            credential["credentialStatus"] = status_lists.credential_status(
                registry.status_list_url(ctx, signer.provider.id), index
            )
            token = signing.sign_credential(credential, signer, ctx)
            verify_link = signing.verification_link(ctx, signing.paper_token(credential, signer, ctx), args.language)
            (out / f"{stem}.jwt").write_text(token + "\n", encoding="ascii")
            ledger.record(index, credential["id"], entry, learner.issue_date, signer.key.kid)
        else:
            text = json.dumps(credential, ensure_ascii=False, indent=2) + "\n"
            (out / f"{stem}.json").write_text(text, encoding="utf-8")
        page = render_certificate_page(entry, catalogue, ctx, learner, args.language, verify_link)
        (out / f"{stem}.html").write_text(page, encoding="utf-8")
        if args.pdf and pdf_problem is None and write_pdf(page, out / f"{stem}.pdf") > 1:
            long_pages.append(f"{stem}.pdf")
    kinds = ("HTML, signed OB 3.0 VC-JWT" if signer else "HTML, OB 3.0 JSON") + (
        ", PDF" if args.pdf and pdf_problem is None else ""
    )
    print(
        f"{len(learners)} certificate(s) of '{entry.id}' v{entry.version} ({kinds}) written to "
        f"{display_path(out, root)}"
    )
    if pdf_problem:
        print(f"mqcat certificate: PDF skipped: {pdf_problem}", file=sys.stderr)
    if long_pages:
        print(f"mqcat certificate: warning: longer than one page: {', '.join(long_pages)}", file=sys.stderr)
    return 0


def _site_url(root: Path) -> str | None:
    if not (root / "mkdocs.yml").is_file():
        return None
    from ..site.build import base_site_url  # the site's own reading of mkdocs.yml

    return base_site_url(root)


def _digest_from_manifest(path: Path, entry_id: str, version: int) -> tuple[str | None, str]:
    """The digestSRI of one version in a versions.json manifest, or a message saying why not."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        versions = manifest["entries"][entry_id]["versions"]
        digest = next(v["digestSRI"] for v in versions if v["version"] == version)
    except OSError as error:
        return None, f"{path}: cannot read the file: {error.strerror}"
    except (ValueError, KeyError, TypeError):
        return None, f"{path}: not a versions.json manifest"
    except StopIteration:
        return None, f"{path}: version {version} of '{entry_id}' is not listed"
    if not isinstance(digest, str) or not _SRI.match(digest):
        return None, f"{path}: the digest of version {version} of '{entry_id}' is malformed"
    return digest, ""


def _file_stem(index: int, learner: Learner) -> str:
    """`001-anna-berzina`: the row number keeps names unique, the ASCII name makes files findable."""
    ascii_name = unicodedata.normalize("NFKD", learner.name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return f"{index:03d}-{slug or 'learner'}"


def _keep_out_of_git(folder: Path) -> None:
    """Certificates carry personal data: the default output folder ignores itself in git."""
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("# Certificates carry learners' personal data: never commit them.\n*\n", encoding="utf-8")
