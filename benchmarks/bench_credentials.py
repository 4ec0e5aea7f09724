"""Benchmark: signed credentials (issue 14): signing, verifying, and the registry the build publishes.

Measures, in one run:

* signing and verifying VC-JWT credentials in memory (a catalogue repository
  with keys made now, the registry read as `mqcat verify` reads it), per credential;
* the sizes that matter on paper: the VC-JWT, the printed certificate's link and
  the version of its QR code;
* making and writing the registry of issuers (one file per provider and per
  entry) for synthetic catalogues of N entries with unique text.

    python benchmarks/bench_credentials.py --entries 1000 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import segno

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_catalogue

from generator.catalogue import validate
from generator.context import BuildContext
from generator.credentials import registry, signing
from tests.credentials_support import credential_for, make_world, signed, verify


def signing_figures(count: int) -> None:
    world = make_world(Path(tempfile.mkdtemp()))
    credentials = [credential_for(world, index=i) for i in range(count)]
    started = time.perf_counter()
    tokens = [signed(world, c) for c in credentials]
    sign = (time.perf_counter() - started) / count
    started = time.perf_counter()
    valid = all(verify(world, token).valid for token in tokens)
    check = (time.perf_counter() - started) / count
    paper = signing.verification_link(
        world.ctx, signing.paper_token(credentials[0], world.signer(world.key), world.ctx)
    )
    qr = segno.make(paper, error="m", micro=False)
    print(f"sign: {sign * 1000:.2f} ms per credential; verify (six checks): {check * 1000:.2f} ms; all valid: {valid}")
    print(f"VC-JWT: {len(tokens[0])} characters; paper link: {len(paper)} characters, QR version {qr.version}")


def registry_figures(entries: int) -> None:
    work = Path(tempfile.mkdtemp())
    catalogue = validate(make_catalogue(entries, work)).catalogue
    assert catalogue is not None
    ctx = BuildContext("https://mqcat.example.org/", dt.date(2026, 11, 29))
    started = time.perf_counter()
    documents = registry.registry_documents(catalogue, ctx, {})
    made = time.perf_counter() - started
    started = time.perf_counter()
    registry.write_registry(catalogue, work / "site", ctx, {})
    written = time.perf_counter() - started
    size = sum(len(content) for content in documents.values())
    print(
        f"{entries:,} entries: {len(documents):,} registry files, {size / 1e6:.2f} MB; "
        f"made in {made:.2f} s, made and written in {written:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--credentials", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    signing_figures(args.credentials)
    for entries in args.entries:
        registry_figures(entries)


if __name__ == "__main__":
    main()
