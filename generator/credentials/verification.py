"""Verifying a signed credential against the registry the catalogue publishes, check by check.

A verifier reads only what the site publishes (`registry.py`, the immutable
versions of `versions.py`), through a `Source`: a built site folder, the site
on the web, or the documents made in memory from a catalogue. The /verify/ page
(site/assets/verify.js) makes the same checks, with the same names and order:

    signature      the JWS verifies with the key its header names (ES256 or EdDSA only)
    key            that key is registered for the issuing provider, and valid and not revoked on the issue date
    awarding_body  the provider is an awarding body of the micro-qualification
    version        the named version exists and its bytes have the digest the credential names
    state          the micro-qualification was approved and active on the issue date
    revocation     the credential's bit in the provider's status list is not set

Both kinds of token are verified: a VC-JWT credential and the paper token of a
printed certificate (signing.py). Input that is not a token at all is
"unusable" (exit status 2), a token that fails a check is "invalid" (1).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError

from ..context import BuildContext, version_path
from ..versions import digest_sri
from . import keys, registry, status_lists
from .signing import CREDENTIAL_TYPE, PAPER_TYPE

CHECKS = ("signature", "key", "awarding_body", "version", "state", "revocation")
ACCEPTED_TYPES = (CREDENTIAL_TYPE, PAPER_TYPE, "JWT")
ENVELOPE_PREFIX = "data:application/vc+jwt,"

# A source answers a site-relative path with the published bytes, or None when there is no such file.
Source = Callable[[str], bytes | None]


class Unusable(Exception):
    """The input is not a credential that can be checked at all."""


@dataclass
class Check:
    name: str
    ok: bool
    message: str


@dataclass
class Report:
    """The outcome of one verification: every check with its reason, and the facts the token states."""

    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return len(self.checks) == len(CHECKS) and all(c.ok for c in self.checks)

    @property
    def reason(self) -> str:
        """The first failed check's message ('' when valid)."""
        return next((f"{c.name}: {c.message}" for c in self.checks if not c.ok), "")

    def failed(self, name: str) -> bool:
        return any(c.name == name and not c.ok for c in self.checks)


# Sources.


def site_folder(site_dir: Path) -> Source:
    """A built site on disk."""
    root = site_dir.resolve()

    def read(path: str) -> bytes | None:
        target = (root / path).resolve()
        if root not in target.parents or not target.is_file():
            return None
        return target.read_bytes()

    return read


def web_site(site_url: str, timeout: float = 15.0) -> Source:
    """The published site, read over HTTPS (only addresses below `site_url`)."""

    def read(path: str) -> bytes | None:
        try:
            with urllib.request.urlopen(site_url + path, timeout=timeout) as response:  # noqa: S310 - https site
                return bytes(response.read(20_000_000))
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise Unusable(f"{site_url}{path}: the site answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise Unusable(f"{site_url}{path}: cannot reach the site ({error})") from error

    return read


def documents(published: Mapping[str, bytes], versions: Mapping[tuple[str, int], bytes], ctx: BuildContext) -> Source:
    """Documents made in memory: the registry documents by path, and version files' bytes by (id, version)."""
    by_path = {ctx.api_path(version_path(i, v)): content for (i, v), content in versions.items()}

    def read(path: str) -> bytes | None:
        return published.get(path, by_path.get(path))

    return read


# Reading tokens.


def _b64json(part: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise Unusable(f"the token's {what} is not base64url-encoded JSON") from error


def token_of(text: str) -> str:
    """The compact JWS in a file's text: a bare JWT, a JSON string of one, or a VC 2.0 enveloped credential."""
    text = text.strip().lstrip("\ufeff")
    if text.startswith(("{", '"')):
        try:
            data = json.loads(text)
        except ValueError as error:
            raise Unusable(f"not a JWT and not valid JSON ({error.args[0]})") from error
        if isinstance(data, str):
            return token_of(data)
        if isinstance(data, dict) and str(data.get("id", "")).startswith(ENVELOPE_PREFIX):
            return data["id"][len(ENVELOPE_PREFIX) :]
        if isinstance(data, dict) and "credentialSubject" in data:
            raise Unusable(
                "an unsigned credential: there is no signature to check (sign it with mqcat certificate --sign)"
            )
        raise Unusable("JSON that is not a credential")
    if text.count(".") != 2 or any(c.isspace() for c in text):
        raise Unusable("not a JWT (a signed credential is three base64url parts joined by dots)")
    return text


def _facts(header: dict[str, Any], payload: dict[str, Any], ctx: BuildContext) -> dict[str, Any]:
    """What a token states, in one shape for credentials and paper tokens."""
    if header.get("typ", "JWT") not in ACCEPTED_TYPES:
        raise Unusable(f"a token of type {header.get('typ')!r}, not a credential")
    if header.get("typ") == PAPER_TYPE:
        facts = {
            "kind": "paper",
            "issuer": payload.get("iss"),
            "id": payload.get("jti"),
            "name": payload.get("name"),
            "entry": payload.get("entry"),
            "version": payload.get("version"),
            "digest": payload.get("digest"),
            "status_index": payload.get("status"),
            "status_list": None,
        }
        nbf = payload.get("nbf")
        facts["issued"] = (
            dt.datetime.fromtimestamp(nbf, registry_timezone()).date().isoformat() if isinstance(nbf, int) else None
        )
        if isinstance(facts["entry"], str) and isinstance(facts["version"], int):
            facts["version_url"] = ctx.api_url(version_path(facts["entry"], facts["version"]))
        return facts
    subject = payload.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {} if isinstance(subject, dict) else {}
    if not isinstance(achievement, dict) or "credentialSubject" not in payload:
        raise Unusable("the token holds no credentialSubject.achievement: not an OB 3.0 credential")
    names = [i.get("identityHash") for i in subject.get("identifier", ()) if i.get("identityType") == "name"]
    resource: dict[str, Any] = next(iter(payload.get("relatedResource") or ()), {})
    status = payload.get("credentialStatus") or {}
    issuer = payload.get("issuer")
    valid_from = str(payload.get("validFrom", ""))
    version = achievement.get("version")
    return {
        "kind": "credential",
        "issuer": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "iss": payload.get("iss"),
        "id": payload.get("id"),
        "name": names[0] if names else None,
        "title": payload.get("name"),
        "entry": achievement.get("humanCode"),
        "version": int(version) if isinstance(version, str) and version.isdigit() else None,
        "version_url": resource.get("id"),
        "digest": resource.get("digestSRI"),
        "issued": valid_from[:10] or None,
        "status_index": int(status["statusListIndex"]) if str(status.get("statusListIndex", "")).isdigit() else None,
        "status_list": status.get("statusListCredential"),
    }


def registry_timezone() -> dt.tzinfo:
    from ..interop import _RIGA  # the dates of credentials are Latvian calendar days

    return _RIGA


def _json_document(source: Source, path: str) -> Any:
    raw = source(path)
    if raw is None:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _site_path(url: Any, ctx: BuildContext) -> str | None:
    return url[len(ctx.site_url) :] if isinstance(url, str) and url.startswith(ctx.site_url) else None


def verify_token(token: str, source: Source, ctx: BuildContext) -> Report:
    """Every check of one compact JWS against the registry that `source` reads. Raises Unusable."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Unusable("not a JWT (a signed credential is three base64url parts joined by dots)")
    header, payload = _b64json(parts[0], "header"), _b64json(parts[1], "payload")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise Unusable("the token's header and payload must be JSON objects")
    facts = _facts(header, payload, ctx)
    report = Report(facts=facts)
    add = report.checks.append

    # Which provider and key the header names, and whether the registry has them.
    alg, kid = header.get("alg"), header.get("kid")
    did, _, key_name = kid.partition("#") if isinstance(kid, str) else ("", "", "")
    if facts["kind"] == "paper" and isinstance(kid, str) and "#" not in kid:
        # A paper token names the key by its own id; the issuer's DID is its `iss`.
        did, key_name = str(facts.get("issuer") or ""), kid
        kid = f"{did}#{kid}"
    provider_id = registry.provider_id_from_did(ctx, did)
    record = _json_document(source, registry.issuer_path(ctx, provider_id)) if provider_id else None
    registered = next((k for k in (record or {}).get("keys", ()) if k.get("kid") == key_name), None)

    # signature
    if alg not in keys.ALGORITHMS:
        shown = "none (no signature)" if str(alg).lower() == "none" else repr(alg)
        add(Check("signature", False, f"the algorithm {shown} is refused; only ES256 and EdDSA are accepted"))
    elif registered is None:
        add(Check("signature", False, f"no registered key '{kid}' to check the signature with"))
    elif registered.get("alg") != alg:
        add(
            Check(
                "signature",
                False,
                f"the header says {alg} but the key '{key_name}' is an {registered.get('alg')} key: "
                "the algorithm was swapped",
            )
        )
    else:
        try:
            with keys.eddsa_allowed():
                jws.deserialize_compact(token, keys.import_public(registered["jwk"]), algorithms=[alg])
            add(Check("signature", True, f"{alg} signature valid with the key '{key_name}'"))
        except (JoseError, keys.KeyProblem, ValueError) as error:
            add(
                Check(
                    "signature",
                    False,
                    f"the signature does not match: the token was changed after signing, or signed by another key "
                    f"({type(error).__name__})",
                )
            )

    # key
    issued = _date(facts.get("issued"))
    if provider_id is None:
        add(Check("key", False, f"the key '{kid}' is not a key of a provider of this catalogue ({ctx.site_url})"))
    elif record is None:
        add(Check("key", False, f"'{provider_id}' is not a provider registered in this catalogue"))
    elif facts.get("issuer") != did or (facts["kind"] == "credential" and facts.get("iss") != did):
        add(
            Check(
                "key",
                False,
                f"the credential names the issuer '{facts.get('issuer')}' but is signed with a key of '{did}'",
            )
        )
    elif registered is None:
        add(Check("key", False, f"the key '{key_name}' is not registered for '{provider_id}'"))
    elif registered.get("revoked"):
        add(Check("key", False, f"the key '{key_name}' of '{provider_id}' was revoked on {registered['revoked']}"))
    elif issued is None:
        add(Check("key", False, "the credential has no issue date (validFrom)"))
    elif not registered["validFrom"] <= issued.isoformat() <= registered["validUntil"]:
        add(
            Check(
                "key",
                False,
                f"the key '{key_name}' is valid from {registered['validFrom']} to {registered['validUntil']}, "
                f"not on the issue date {issued}",
            )
        )
    else:
        add(Check("key", True, f"registered for '{provider_id}' and valid on {issued}"))

    # awarding_body
    entry_id = facts.get("entry")
    entry = _json_document(source, registry.entry_facts_path(ctx, str(entry_id))) if _plain_id(entry_id) else None
    if entry is None:
        add(Check("awarding_body", False, f"no micro-qualification '{entry_id}' in this catalogue"))
    elif provider_id not in entry.get("awardingBodies", ()):
        add(
            Check(
                "awarding_body",
                False,
                f"'{provider_id}' is not an awarding body of '{entry_id}' "
                f"(its awarding bodies: {', '.join(entry.get('awardingBodies', ()))})",
            )
        )
    else:
        add(Check("awarding_body", True, f"'{provider_id}' is an awarding body of '{entry_id}'"))

    # version
    version = facts.get("version")
    expected_url = ctx.api_url(version_path(str(entry_id), version)) if entry and isinstance(version, int) else None
    if expected_url is None:
        add(Check("version", False, "the credential names no version of a micro-qualification of this catalogue"))
    elif facts.get("version_url") != expected_url:
        add(Check("version", False, f"the credential points at '{facts.get('version_url')}', not at {expected_url}"))
    else:
        content = source(_site_path(expected_url, ctx) or "")
        if content is None:
            add(Check("version", False, f"version {version} of '{entry_id}' does not exist in this catalogue"))
        elif not facts.get("digest"):
            add(Check("version", False, "the credential gives no digest of the version it certifies"))
        elif not _same_digest(facts["digest"], content):
            add(
                Check(
                    "version",
                    False,
                    f"the digest {facts['digest']} does not match version {version} of '{entry_id}' "
                    f"({digest_sri(content)})",
                )
            )
        else:
            add(Check("version", True, f"version {version} of '{entry_id}' exists and its digest matches"))

    # state
    if entry is None or issued is None:
        add(Check("state", False, "the state on the issue date cannot be known without the entry and the date"))
    else:
        state = state_on(entry, issued)
        if state == "active":
            add(Check("state", True, f"'{entry_id}' was approved and active on {issued}"))
        elif state is None:
            add(
                Check(
                    "state", False, f"'{entry_id}' was not yet approved on {issued} (approved {entry.get('approved')})"
                )
            )
        else:
            add(Check("state", False, f"'{entry_id}' was {state} on {issued}"))

    # revocation
    expected_list = registry.status_list_url(ctx, provider_id) if provider_id else None
    index = facts.get("status_index")
    listed = facts.get("status_list") or (expected_list if facts["kind"] == "paper" else None)
    if index is None or listed is None:
        add(Check("revocation", False, "the credential has no credentialStatus, so its revocation cannot be checked"))
    elif listed != expected_list:
        add(Check("revocation", False, f"the status list '{listed}' is not the registry's list of '{provider_id}'"))
    else:
        status_list = _json_document(source, registry.status_list_path(ctx, provider_id or ""))
        try:
            encoded = status_list["credentialSubject"]["encodedList"]
            revoked = status_lists.is_set(encoded, index)
        except (TypeError, KeyError, ValueError) as error:
            add(Check("revocation", False, f"the status list of '{provider_id}' cannot be read ({error})"))
        else:
            if revoked:
                add(Check("revocation", False, f"revoked by '{provider_id}' (status index {index})"))
            else:
                add(Check("revocation", True, f"not revoked (status index {index})"))
    return report


def _plain_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 80 and all(c.isalnum() or c == "-" for c in value)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _same_digest(sri: str, content: bytes) -> bool:
    algorithm, _, _ = sri.partition("-")
    if algorithm not in ("sha256", "sha384", "sha512"):
        return False
    expected = f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, content).digest()).decode("ascii")
    return sri == expected


def state_on(entry: Mapping[str, Any], day: dt.date) -> str | None:
    """The entry's state on `day` from its published facts; None before its approval."""
    approved = entry.get("approved")
    if not approved or day.isoformat() < approved:
        return None
    states = entry.get("states") or []
    current = states[0]["status"] if states else None
    for item in states:
        if item["since"] <= day.isoformat():
            current = item["status"]
    return current
