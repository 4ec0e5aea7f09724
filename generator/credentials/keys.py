"""Issuers' signing keys: the public keys registered in provider files, and the private key files.

A provider registers PUBLIC keys (JWK, RFC 7517) under `signing_keys` in its
provider file; the private key stays in a file on the issuer's computer, written
by `mqcat keygen`. Two algorithms are accepted, both supported by the browsers'
Web Crypto so that the /verify/ page checks signatures itself:

    ES256   ECDSA with P-256 and SHA-256   (kty EC,  crv P-256)   the default
    EdDSA   Ed25519                         (kty OKP, crv Ed25519)

Every key operation goes through joserfc: importing a JWK checks the point is on
its curve, and the key id that `mqcat keygen` proposes is the RFC 7638 thumbprint.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from joserfc import jwk
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, OKPKey

from ..loader import Document
from ..problems import Problem

# JWS algorithm -> (kty, crv) of the keys that sign with it.
ALGORITHMS = {"ES256": ("EC", "P-256"), "EdDSA": ("OKP", "Ed25519")}
DEFAULT_ALGORITHM = "ES256"
# The members a public key of each type has; anything else is refused.
PUBLIC_MEMBERS = {"EC": ("kty", "crv", "x", "y"), "OKP": ("kty", "crv", "x")}
# Members that only private (or symmetric) keys have, in any key type of RFC 7518 and RFC 8037.
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

SigningKeyObject = ECKey | OKPKey


class KeyProblem(Exception):
    """A key that cannot be used, with a message for the person holding it."""


def algorithm_of(public_jwk: dict[str, Any]) -> str | None:
    """The algorithm a registered key signs with, or None for a key type the catalogue does not accept."""
    pair = (public_jwk.get("kty"), public_jwk.get("crv"))
    return next((alg for alg, kind in ALGORITHMS.items() if kind == pair), None)


def import_public(public_jwk: dict[str, Any]) -> SigningKeyObject:
    """A registered public JWK as a key object; KeyProblem says why it is not a usable public key."""
    private = [m for m in PRIVATE_MEMBERS if m in public_jwk]
    if private:
        raise KeyProblem(f"the key holds private material ({', '.join(private)})")
    kty, crv = public_jwk.get("kty"), public_jwk.get("crv")
    if algorithm_of(public_jwk) is None:
        raise KeyProblem(f"kty {kty!r} with crv {crv!r} is not accepted; use EC with P-256 or OKP with Ed25519")
    try:
        key = jwk.import_key(dict(public_jwk), str(kty))  # type: ignore[call-overload]
    except (JoseError, ValueError, TypeError) as error:
        raise KeyProblem(f"not a valid {crv} public key ({error})") from error
    assert isinstance(key, ECKey | OKPKey)
    return key


def thumbprint(public_jwk: dict[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public key (base64url)."""
    return import_public(public_jwk).thumbprint()


def public_jwk(key: SigningKeyObject) -> dict[str, str]:
    """The public members of a key, in RFC 7638 order."""
    members = key.as_dict(private=False)
    return {name: str(members[name]) for name in PUBLIC_MEMBERS[key.key_type]}


# Checks of provider files.

_PEM_PRIVATE = "PRIVATE KEY-----"


def private_material_problems(doc: Document) -> list[Problem]:
    """Any private key material anywhere in a catalogue document, as loud errors.

    Runs on every loaded document, whether or not it passed the schema: a private
    key in a pull request is exposed the moment it is pushed, so the contributor
    must hear it first and plainly.
    """
    problems: list[Problem] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            looks_like_key = "kty" in node or (path and path[-1] == "jwk")
            for name, value in node.items():
                if looks_like_key and name in PRIVATE_MEMBERS:
                    problems.append(
                        doc.problem(
                            path + (name,),
                            f"PRIVATE KEY MATERIAL: `{name}` is the secret part of a key and must never be in the "
                            "catalogue. Treat this key as compromised",
                            hint="delete the whole key from the file and from the pull request, create a new key with "
                            "`mqcat keygen` and paste only the public block it prints",
                            key=True,
                        )
                    )
                walk(value, path + (name,))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, path + (index,))
        elif isinstance(node, str) and _PEM_PRIVATE in node:
            problems.append(
                doc.problem(
                    path,
                    "PRIVATE KEY MATERIAL: this text is a private key (PEM) and must never be in the catalogue. "
                    "Treat this key as compromised",
                    hint="delete it from the file and from the pull request; create a new key with `mqcat keygen`",
                )
            )

    walk(doc.data, ())
    return problems


def check_signing_keys(doc: Document) -> list[Problem]:
    """The rules for `signing_keys` of a provider file that passed the schema."""
    problems: list[Problem] = []
    kids: dict[str, int] = {}
    prints: dict[str, int] = {}
    for index, entry in enumerate(doc.data.get("signing_keys", ())):
        where = ("signing_keys", index)
        key_data = entry["jwk"]
        kid = entry["kid"]
        if (first := _seen_before(kids, kid, index)) is not None:
            problems.append(
                doc.problem(
                    (*where, "kid"),
                    f"kid '{kid}' is used twice (also signing_keys[{first}])",
                    hint="each key needs its own kid; mqcat keygen proposes one",
                )
            )
        if any(m in key_data for m in PRIVATE_MEMBERS):
            continue  # reported loudly by private_material_problems
        kty = key_data["kty"]
        unknown = [m for m in key_data if m not in PUBLIC_MEMBERS.get(kty, PUBLIC_MEMBERS["EC"])]
        for member in unknown:
            problems.append(
                doc.problem(
                    (*where, "jwk", member),
                    f"unknown member '{member}' in a {kty} public key",
                    hint=f"a {kty} public key has exactly: {', '.join(PUBLIC_MEMBERS.get(kty, ()))}",
                    key=True,
                )
            )
        if unknown:
            continue
        try:
            print_ = thumbprint(key_data)
        except KeyProblem as error:
            problems.append(
                doc.problem(
                    (*where, "jwk"),
                    f"not a usable public key: {error}",
                    hint="paste the block that `mqcat keygen` printed, unchanged",
                )
            )
            continue
        if (first := _seen_before(prints, print_, index)) is not None:
            problems.append(
                doc.problem(
                    (*where, "jwk"),
                    f"the same key is registered twice (also signing_keys[{first}])",
                    hint="remove the duplicate; to extend a key's validity, change its valid_until",
                )
            )
        # valid_until is required by the schema; revoked is optional.
        for name, hint in _DATES_FROM_VALID_FROM:
            if name in entry and entry[name] < entry["valid_from"]:
                problems.append(
                    doc.problem(
                        (*where, name), f"{name} {entry[name]} is before valid_from {entry['valid_from']}", hint=hint
                    )
                )
    return problems


# The dates of a key that cannot come before its valid_from, with the fix for each.
_DATES_FROM_VALID_FROM = (
    ("valid_until", "a key is valid from its first to its last day of signing"),
    ("revoked", "give the day the key was revoked"),
)


def _seen_before(seen: dict[str, int], value: str, index: int) -> int | None:
    """The index of the key that had `value` first, if one before `index` had it; remembers `value` otherwise."""
    first = seen.setdefault(value, index)
    return first if first != index else None


def check_key_reuse(docs: list[Document]) -> list[Problem]:
    """A key registered by two providers would let one sign in the other's name: an error in the later file."""
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for doc in sorted(docs, key=lambda d: d.data["id"]):
        for index, entry in enumerate(doc.data.get("signing_keys", ())):
            try:
                print_ = thumbprint(entry["jwk"])
            except KeyProblem:
                continue
            first = owner.setdefault(print_, doc.data["id"])
            if first != doc.data["id"]:
                problems.append(
                    doc.problem(
                        ("signing_keys", index, "jwk"),
                        f"this key is already registered by the provider '{first}'",
                        hint="every provider signs with its own keys: create one with `mqcat keygen`",
                    )
                )
    return problems


@contextlib.contextmanager
def eddsa_allowed() -> Iterator[None]:
    """joserfc warns that RFC 9864 deprecates the name "EdDSA" for "Ed25519"; OB 3.0 and today's verifiers use it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*EdDSA is deprecated", category=SecurityWarning)
        yield


# Private key files.


def generate(algorithm: str = DEFAULT_ALGORITHM) -> SigningKeyObject:
    """A new private key for `algorithm` (ES256 or EdDSA)."""
    kty, crv = ALGORITHMS[algorithm]
    if kty == "EC":
        return ECKey.generate_key(crv)
    return OKPKey.generate_key(crv)  # type: ignore[arg-type]


def write_private_key(key: SigningKeyObject, path: Path) -> None:
    """Write the key as PKCS#8 PEM, readable by its owner only; never overwrite a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.as_pem(private=True))
    path.chmod(0o600)  # whatever the umask said


def load_private_key(path: Path) -> SigningKeyObject:
    """A private key file written by `mqcat keygen` (PKCS#8 PEM); KeyProblem says what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyProblem(f"{path}: cannot read the key file: {error.strerror}") from error
    if b"PRIVATE KEY" not in data:
        raise KeyProblem(f"{path}: not a private key file (expected PEM '-----BEGIN PRIVATE KEY-----')")
    for kty in ("EC", "OKP"):
        try:
            key = jwk.import_key(data, kty)
        except (JoseError, ValueError, TypeError):
            continue
        if isinstance(key, ECKey | OKPKey) and key.is_private and algorithm_of(public_jwk(key)) is not None:
            return key
    raise KeyProblem(f"{path}: not a P-256 or Ed25519 private key; create one with `mqcat keygen`")
