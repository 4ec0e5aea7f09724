"""Shared helpers for the signed-credential tests: keys made at run time, registered in catalogue copies."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.catalogue import validate
from generator.certificate.learners import Learner
from generator.context import BuildContext
from generator.credentials import keys, registry, signing, status_lists, verification
from generator.interop.ob3 import achievement_credential
from generator.model import Catalogue
from generator.versions import all_versions, digest_sri, read_history

from .conftest import SITE_URL, TODAY
from .git_support import catalogue_repository, commit

PROVIDER = "example-riga-logistics-academy"
OTHER_PROVIDER = "example-logistics-group"


def key_block(
    key: keys.SigningKeyObject,
    *,
    kid: str | None = None,
    valid_from: str = "2025-01-01",
    valid_until: str = "2030-12-31",
    revoked: str | None = None,
    extra_jwk: dict | None = None,
) -> str:
    """The YAML lines of one `signing_keys` item for `key` (the public part, plus any `extra_jwk` members)."""
    jwk = {**keys.public_jwk(key), **(extra_jwk or {})}
    lines = [
        f"  - kid: {json.dumps(kid or key.thumbprint())}",
        f"    valid_from: {valid_from}",
        f"    valid_until: {valid_until}",
    ]
    if revoked:
        lines.append(f"    revoked: {revoked}")
    lines.append("    jwk:")
    lines += [f"      {name}: {json.dumps(value)}" for name, value in jwk.items()]
    return "\n".join(lines) + "\n"


def register_keys(catalogue_dir: Path, provider: str, *blocks: str) -> Path:
    """Add `signing_keys` with the given items to a provider file of a catalogue copy."""
    path = catalogue_dir / "providers" / f"{provider}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\nsigning_keys:\n" + "".join(blocks), encoding="utf-8")
    return path


def write_status_list(catalogue_dir: Path, provider: str, revoked: dict[int, str]) -> Path:
    """catalogue/status-lists/<provider>.yaml revoking the given indexes (index -> date)."""
    folder = catalogue_dir / "status-lists"
    folder.mkdir(exist_ok=True)
    lines = [f"provider: {provider}", "revoked:" + ("" if revoked else " []")]
    lines += [f"  - index: {index}\n    date: {date}" for index, date in revoked.items()]
    path = folder / f"{provider}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# A whole world: a catalogue repository with keys, and what a verifier reads for it.

ENTRY = "adr-dangerous-goods-route-planning"  # awarded by PROVIDER alone
OTHER_ENTRY = "forklift-safe-operation"  # awarded by OTHER_PROVIDER (and another)
ISSUED = dt.date(2026, 11, 20)
REVOKED_INDEX = 4242


@dataclass
class World:
    """A catalogue repository with registered keys, and the registry a verifier reads for it."""

    root: Path
    catalogue: Catalogue
    ctx: BuildContext
    source: verification.Source
    key: keys.SigningKeyObject  # PROVIDER's current key
    other: keys.SigningKeyObject  # OTHER_PROVIDER's key
    expired: keys.SigningKeyObject  # PROVIDER's key that ended before ISSUED
    revoked: keys.SigningKeyObject  # PROVIDER's revoked key
    key_file: Path

    def signer(self, key: keys.SigningKeyObject) -> signing.Signer:
        return signing.find_signer(self.catalogue, key)


def registry_source(root: Path, catalogue: Catalogue, ctx: BuildContext) -> verification.Source:
    published = registry.registry_documents(catalogue, ctx, read_history(root).states)
    versions = {key: version.content for key, version in all_versions(catalogue, root).items()}
    return verification.documents(published, versions, ctx)


def make_world(work: Path) -> World:
    """A catalogue repository with keys generated now: PROVIDER's current, expired and revoked keys, and
    OTHER_PROVIDER's; status index REVOKED_INDEX revoked by PROVIDER; and the registry read in memory."""
    root = catalogue_repository(work / "repo")
    catalogue_dir = root / "catalogue"
    key, other, expired, revoked = keys.generate(), keys.generate("EdDSA"), keys.generate(), keys.generate("EdDSA")
    register_keys(
        catalogue_dir,
        PROVIDER,
        key_block(key),
        key_block(expired, valid_from="2024-01-01", valid_until="2025-12-31"),
        key_block(revoked, revoked="2026-06-01"),
    )
    register_keys(catalogue_dir, OTHER_PROVIDER, key_block(other))
    write_status_list(catalogue_dir, PROVIDER, {REVOKED_INDEX: "2026-11-25"})
    commit(root, "Keys and a revocation", date="2026-02-01T12:00:00+02:00")
    result = validate(catalogue_dir)
    assert result.catalogue is not None, [p.text() for p in result.errors]
    ctx = BuildContext(site_url=SITE_URL, today=TODAY)
    key_file = work / "keys" / "academy.pem"
    keys.write_private_key(key, key_file)
    return World(
        root,
        result.catalogue,
        ctx,
        registry_source(root, result.catalogue, ctx),
        key,
        other,
        expired,
        revoked,
        key_file,
    )


def a_learner(name: str = "Anna Bērziņa", issued: dt.date = ISSUED) -> Learner:
    return Learner(name=name, identifier="010190-12345", issue_date=issued, issue_place="Rīga", grade="9", line=2)


def credential_for(
    world: World, entry_id: str = ENTRY, index: int = 17, learner: Learner | None = None
) -> dict[str, Any]:
    entry = world.catalogue.entries[entry_id]
    published = all_versions(world.catalogue, world.root)[(entry.id, entry.version)]
    credential = achievement_credential(
        entry, world.catalogue, world.ctx, learner or a_learner(), version_digest=digest_sri(published.content)
    )
    credential["credentialStatus"] = status_lists.credential_status(
        registry.status_list_url(world.ctx, PROVIDER), index
    )
    return credential


def signed(world: World, credential: dict[str, Any] | None = None, key: keys.SigningKeyObject | None = None) -> str:
    return signing.sign_credential(credential or credential_for(world), world.signer(key or world.key), world.ctx)


def verify(world: World, token: str) -> verification.Report:
    return verification.verify_token(token, world.source, world.ctx)


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload), signature


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def tampered(token: str, change: Any) -> str:
    """The token with its payload changed by `change(payload)` and the original signature kept."""
    _, payload, signature = parts(token)
    change(payload)
    return f"{token.split('.')[0]}.{b64(payload)}.{signature}"
