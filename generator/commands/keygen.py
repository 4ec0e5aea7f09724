"""Create a signing key for a provider's credentials.

Writes the PRIVATE key (PKCS#8 PEM) to a file that only you can read (mode 0600),
outside any git repository, and prints the PUBLIC key as the block to paste under
`signing_keys:` in catalogue/providers/<provider>.yaml. The key signs once that
change is merged. Keep the private key file secret and backed up; never commit it.
Exit status: 0 written, 2 usage error (unknown provider, a file that exists, a
path inside a repository).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import subprocess
import sys
from pathlib import Path

from ..catalogue import PROVIDERS_DIR, find_repository_root
from ..credentials import keys

VALIDITY_YEARS = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", required=True, metavar="ID", help="the provider id the key will sign for")
    parser.add_argument(
        "--algorithm",
        choices=tuple(keys.ALGORITHMS),
        default=keys.DEFAULT_ALGORITHM,
        help=f"ES256 (ECDSA P-256, the default) or EdDSA (Ed25519) (default: {keys.DEFAULT_ALGORITHM})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where to write the private key (default: ~/.mqcat/keys/<provider>-<kid>.pem); never inside a repository",
    )
    parser.add_argument(
        "--valid-from", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="first day of signing (default: today)"
    )
    parser.add_argument(
        "--valid-until",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help=f"last day of signing (default: {VALIDITY_YEARS} years after --valid-from)",
    )
    parser.add_argument("--catalogue", type=Path, help="the catalogue folder (default: ./catalogue of the repository)")


def _fail(message: str, hint: str = "") -> int:
    print(f"mqcat keygen: {message}" + (f"\n  Hint: {hint}" if hint else ""), file=sys.stderr)
    return 2


def _repository_of(path: Path) -> Path | None:
    """The git work tree that `path` would be written into, if any."""
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    try:
        process = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return None
    return Path(process.stdout.strip()) if process.returncode == 0 and process.stdout.strip() else None


def run(args: argparse.Namespace) -> int:
    catalogue_dir = (args.catalogue or find_repository_root(Path.cwd()) / "catalogue").resolve()
    providers_dir = catalogue_dir / PROVIDERS_DIR
    if providers_dir.is_dir():
        known = sorted(p.stem for p in providers_dir.glob("*.yaml"))
        if args.provider not in known:
            close = difflib.get_close_matches(args.provider, known, n=1)
            return _fail(
                f"no provider '{args.provider}' in {providers_dir}",
                f"did you mean '{close[0]}'?" if close else "register the provider first (see CONTRIBUTING.md)",
            )
    valid_from = args.valid_from or dt.date.today()
    valid_until = args.valid_until or valid_from.replace(year=valid_from.year + VALIDITY_YEARS) - dt.timedelta(days=1)
    if valid_until < valid_from:
        return _fail(f"--valid-until {valid_until} is before --valid-from {valid_from}")

    key = keys.generate(args.algorithm)
    public = keys.public_jwk(key)
    kid = key.thumbprint()
    out = (args.out or Path.home() / ".mqcat" / "keys" / f"{args.provider}-{kid[:12]}.pem").expanduser().resolve()
    repository = _repository_of(out)
    if repository is not None:
        return _fail(
            f"{out} is inside the git repository {repository}: a private key must never be committed",
            "give --out a path outside any repository, e.g. ~/.mqcat/keys/key.pem",
        )
    if out.exists():
        return _fail(f"{out} already exists; a key file is never overwritten", "give another --out")
    try:
        keys.write_private_key(key, out)
    except OSError as error:
        return _fail(f"{out}: cannot write the key file: {error.strerror}")

    print(f"# Paste into catalogue/{PROVIDERS_DIR}/{args.provider}.yaml, under `signing_keys:` (add that line once).")
    print(f"# Algorithm {args.algorithm}. This is the PUBLIC key only; the private key is in {out}")
    print("signing_keys:")
    print(f"  - kid: {json.dumps(kid)}")
    print(f"    valid_from: {valid_from.isoformat()}")
    print(f"    valid_until: {valid_until.isoformat()}")
    print("    jwk:")
    for name, value in public.items():
        print(f"      {name}: {json.dumps(value)}")
    print(
        f"mqcat keygen: private key written to {out} (readable by you only). Keep it secret and backed up: "
        "whoever holds it can sign in your name. If it is lost or exposed, revoke it (docs/certificates.md).",
        file=sys.stderr,
    )
    return 0
