"""Signing: an Open Badges 3.0 AchievementCredential as a VC-JWT, and the short token the printed certificate carries.

The credential (`interop.ob3.achievement_credential`) names the issuer by its DID,
the exact version it certifies with its digest (`relatedResource`) and its place
in the issuer's status list (`credentialStatus`). It is signed as a JWS in compact
form (OB 3.0 section 8.2, VC-JOSE-COSE): the JWT payload is the credential with
the registered claims `iss` (issuer id), `jti` (credential id) and `nbf`
(validFrom) added; the protected header names the algorithm, `typ: vc+jwt` and
the key by its DID URL (`kid`), which a verifier resolves through the catalogue.

The printed certificate cannot hold a whole credential in a QR code, so it
carries a PAPER TOKEN: a JWS by the same key over the facts printed on paper
(learner's name, entry, version, digest, issue date, status index; typ
`mqcat-paper+jwt`). The QR code links to the verification page with the token in
the URL fragment, which browsers never send to a server.

Before signing, `check_can_sign` refuses what the catalogue says is not allowed:
a provider that is not an awarding body, an entry that is not active, a key that
is revoked, not yet valid or expired on the issue date.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jws

from ..context import VERIFY_PATH, BuildContext
from ..i18n import DEFAULT_LANGUAGE
from ..model import Catalogue, MicroQualification, Provider, SigningKey
from . import keys, registry, status_lists

CREDENTIAL_TYPE = "vc+jwt"
PAPER_TYPE = "mqcat-paper+jwt"


class SigningRefused(Exception):
    """The catalogue does not allow this signature; the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Signer:
    """A private key together with the provider and registered key it belongs to."""

    provider: Provider
    key: SigningKey
    private: keys.SigningKeyObject

    def kid(self, ctx: BuildContext) -> str:
        return registry.key_id(ctx, self.provider.id, self.key.kid)


def find_signer(catalogue: Catalogue, private: keys.SigningKeyObject) -> Signer:
    """The provider that registered the public part of `private`; SigningRefused when none did."""
    fingerprint = private.thumbprint()
    for provider in sorted(catalogue.providers.values(), key=lambda p: p.id):
        for key in provider.signing_keys:
            if keys.thumbprint(key.jwk) == fingerprint:
                return Signer(provider, key, private)
    raise SigningRefused(
        f"this key (thumbprint {fingerprint}) is not registered for any provider in the catalogue",
        "paste the block that `mqcat keygen` printed into your provider file and have the pull request merged",
    )


def check_can_sign(signer: Signer, entry: MicroQualification, issued: dt.date) -> None:
    """Refuse, with the reason, a credential the catalogue does not allow this signer to issue on `issued`."""
    provider, key = signer.provider, signer.key
    if provider.id not in entry.awarding_bodies:
        raise SigningRefused(
            f"'{provider.id}' is not an awarding body of '{entry.id}' (its awarding bodies: "
            f"{', '.join(entry.awarding_bodies)}); a provider signs only for its own micro-qualifications",
            "sign with the key of one of its awarding bodies",
        )
    if entry.status != "active":
        raise SigningRefused(
            f"'{entry.id}' is {entry.status}: credentials are signed only for an active micro-qualification",
            "issue credentials once the council's decision makes it active",
        )
    if key.revoked is not None:
        raise SigningRefused(
            f"the key '{key.kid}' of '{provider.id}' was revoked on {key.revoked}; nothing signed with it is valid",
            "create a new key with `mqcat keygen` and register it by pull request",
        )
    if issued < key.valid_from:
        raise SigningRefused(
            f"the key '{key.kid}' is valid from {key.valid_from}, after the issue date {issued}",
            "use the key that was valid on the issue date, or correct the date",
        )
    if issued > key.valid_until:
        raise SigningRefused(
            f"the key '{key.kid}' expired on {key.valid_until}, before the issue date {issued}",
            "create a new key with `mqcat keygen` and register it by pull request (rotation, docs/certificates.md)",
        )


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _epoch(timestamp: str) -> int:
    return int(dt.datetime.fromisoformat(timestamp).timestamp())


def sign_credential(credential: dict[str, Any], signer: Signer, ctx: BuildContext) -> str:
    """The credential as a VC-JWT (compact JWS) signed by `signer`."""
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": _epoch(credential["validFrom"]),
    }
    header = {"alg": signer.key.algorithm, "typ": CREDENTIAL_TYPE, "kid": signer.kid(ctx)}
    with keys.eddsa_allowed():
        return jws.serialize_compact(header, _encode(payload), signer.private, algorithms=[signer.key.algorithm])


def paper_token(credential: dict[str, Any], signer: Signer, ctx: BuildContext) -> str:
    """The short signed token of the printed certificate: the facts printed on it, signed by the same key."""
    subject = credential["credentialSubject"]
    name = next(i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name")
    achievement = subject["achievement"]
    payload: dict[str, Any] = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": _epoch(credential["validFrom"]),
        "name": name,
        "entry": achievement["humanCode"],
        "version": int(achievement["version"]),
    }
    resource = (credential.get("relatedResource") or [{}])[0]
    if resource.get("digestSRI"):
        payload["digest"] = resource["digestSRI"]
    status = credential.get("credentialStatus")
    if status:
        payload["status"] = int(status["statusListIndex"])
    # The key's own id only: the DID is the payload's `iss`, and every character makes the QR code denser.
    header = {"alg": signer.key.algorithm, "typ": PAPER_TYPE, "kid": signer.key.kid}
    with keys.eddsa_allowed():
        return jws.serialize_compact(header, _encode(payload), signer.private, algorithms=[signer.key.algorithm])


def verification_link(ctx: BuildContext, token: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The link of the printed certificate's QR code: the verification page with the paper token."""
    return f"{ctx.url(VERIFY_PATH, language)}#t={token}"


# The signing ledger: each provider's status indexes stay unique.


class Ledger:
    """The issuer's record of the status indexes it gave out (JSON lines; credential ids, no personal data).

    Kept beside the private key, one per provider: a status index must never be
    given twice, or revoking one credential would revoke another.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.used: set[int] = set()
        if path.exists():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    self.used.add(int(json.loads(line)["index"]))
                except (ValueError, KeyError, TypeError) as error:
                    raise SigningRefused(
                        f"{path}:{number}: the signing ledger is damaged ({error})",
                        "restore the ledger from its backup; every line is a JSON object with an index",
                    ) from error

    def allocate(self) -> int:
        """A random status index not given out before."""
        if len(self.used) >= status_lists.LIST_SIZE // 2:
            raise SigningRefused(f"{self.path}: half of the status list is used; ask the maintainers for a second list")
        while True:
            index = secrets.randbelow(status_lists.LIST_SIZE)
            if index not in self.used:
                self.used.add(index)
                return index

    def record(self, index: int, credential_id: str, entry: MicroQualification, issued: dt.date, kid: str) -> None:
        line = {
            "index": index,
            "id": credential_id,
            "entry": entry.id,
            "version": entry.version,
            "issued": issued.isoformat(),
            "kid": kid,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")


def default_ledger(key_file: Path, provider_id: str) -> Path:
    """Where the ledger lives unless told: beside the key file, one per provider."""
    return key_file.parent / f"{provider_id}.status-ledger.jsonl"
