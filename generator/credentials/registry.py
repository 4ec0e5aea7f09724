"""What the site publishes so that anyone can check a credential: the catalogue as the registry of issuers.

The addresses of this registry (decided with every other address in generator/context.py):

    providers/<id>/did.json                    the provider's did:web document (W3C DID Core)
    api/v1/registry/issuers/<id>.json          the provider's keys with their validity and revocation
    api/v1/registry/issuers/<id>.jwks.json     the provider's usable public keys as a JWKS (RFC 7517)
    api/v1/registry/entries/<id>.json          what a verifier needs of an entry: awarding bodies, states
    api/v1/registry/status/<id>.json           the provider's revocation list (W3C Bitstring Status List)

A provider's DID (`BuildContext.provider_did`) is derived from the site's address,
so that a did:web resolver finds the document at the first path above:
`https://host/base/` gives `did:web:host:base:providers:<id>`. A key's DID URL is
`<DID>#<kid>`.

`registry_documents` returns every document as bytes by path; the build writes
them, and `mqcat verify` can read them from memory without building the site.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import context
from ..context import BuildContext, did_document_path, version_path
from ..i18n import table
from ..model import Catalogue, MicroQualification, Provider, SigningKey
from . import status_lists

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]
REGISTRY_FORMAT = {"name": "mqcat-issuer", "version": "1.0"}


# Addresses.


def provider_id_from_did(ctx: BuildContext, did: str) -> str | None:
    """The provider id a DID of this site names, or None for any other DID."""
    prefix = ctx.provider_did("")
    if not did.startswith(prefix):
        return None
    provider_id = did[len(prefix) :]
    return provider_id if provider_id and ":" not in provider_id and "#" not in provider_id else None


def key_id(ctx: BuildContext, provider_id: str, kid: str) -> str:
    """The DID URL of one key (the JWS header's `kid`)."""
    return f"{ctx.provider_did(provider_id)}#{kid}"


def issuer_path(ctx: BuildContext, provider_id: str) -> str:
    return ctx.api_path(context.issuer_record_path(provider_id))


def jwks_path(ctx: BuildContext, provider_id: str) -> str:
    return ctx.api_path(context.issuer_jwks_path(provider_id))


def entry_facts_path(ctx: BuildContext, entry_id: str) -> str:
    return ctx.api_path(context.entry_facts_path(entry_id))


def status_list_path(ctx: BuildContext, provider_id: str) -> str:
    return ctx.api_path(context.status_list_path(provider_id))


def status_list_url(ctx: BuildContext, provider_id: str) -> str:
    return ctx.site_url + status_list_path(ctx, provider_id)


def verifier_config(ctx: BuildContext, language: str) -> dict[str, Any]:
    """What the /verify/ page needs: the site's address and DID, the registry's address shapes, the words."""
    return {
        "siteUrl": ctx.site_url,
        "siteDid": ctx.site_did,
        "paths": {
            "issuer": issuer_path(ctx, "{id}"),
            "entry": entry_facts_path(ctx, "{id}"),
            "status": status_list_path(ctx, "{id}"),
            "version": ctx.api_path(version_path("{id}", "{version}")),  # type: ignore[arg-type]
        },
        "labels": table(language)["verify"],
        "states": table(language)["status"],
    }


# Documents.


def _jwk(ctx: BuildContext, provider: Provider, key: SigningKey) -> dict[str, str]:
    return {**key.jwk, "kid": key.kid, "alg": key.algorithm, "use": "sig"}


def did_document(provider: Provider, ctx: BuildContext) -> dict[str, Any]:
    """The provider's DID document: its keys that are not revoked, as assertion methods.

    A revoked key is left out, so that a generic wallet fails credentials signed
    with it; the issuer record keeps it with its date, for verifiers that explain.
    """
    did = ctx.provider_did(provider.id)
    methods = [
        {
            "id": key_id(ctx, provider.id, key.kid),
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": dict(key.jwk),
        }
        for key in provider.signing_keys
        if key.revoked is None
    ]
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "alsoKnownAs": [ctx.provider_url(provider)],
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def jwks(provider: Provider, ctx: BuildContext) -> dict[str, Any]:
    """The provider's keys that are not revoked, as a JSON Web Key Set."""
    return {"keys": [_jwk(ctx, provider, key) for key in provider.signing_keys if key.revoked is None]}


def issuer_record(provider: Provider, ctx: BuildContext) -> dict[str, Any]:
    """Everything a verifier checks about a provider's keys: validity and revocation dates included."""
    return {
        "format": REGISTRY_FORMAT,
        "id": provider.id,
        "did": ctx.provider_did(provider.id),
        "name": provider.legal_name,
        "page": ctx.provider_url(provider),
        "example": provider.example,
        "statusList": status_list_url(ctx, provider.id),
        "keys": [
            {
                "kid": key.kid,
                "id": key_id(ctx, provider.id, key.kid),
                "alg": key.algorithm,
                "jwk": dict(key.jwk),
                "validFrom": key.valid_from.isoformat(),
                "validUntil": key.valid_until.isoformat(),
                "revoked": key.revoked.isoformat() if key.revoked else None,
            }
            for key in provider.signing_keys
        ],
    }


def entry_facts(entry: MicroQualification, states: list[tuple[dt.date, str]]) -> dict[str, Any]:
    """What a verifier needs to know of an entry besides its versions: who awards it and its states in time."""
    return {
        "id": entry.id,
        "awardingBodies": list(entry.awarding_bodies),
        "approved": entry.decision_date.isoformat() if entry.decision_date else None,
        "currentVersion": entry.version,
        "states": [{"status": status, "since": day.isoformat()} for day, status in states],
    }


def state_timeline(
    entry: MicroQualification, history: Mapping[str, list[tuple[dt.date, str]]], today: dt.date
) -> list[tuple[dt.date, str]]:
    """The entry's states on the main line of history, ending with the working tree's state."""
    timeline = list(history.get(entry.id, ()))
    if not timeline or timeline[-1][1] != entry.status:
        timeline.append((today, entry.status))
    return timeline


def _json(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def registry_documents(
    catalogue: Catalogue,
    ctx: BuildContext,
    states: Mapping[str, list[tuple[dt.date, str]]],
) -> dict[str, bytes]:
    """Every published registry document, by site-relative path; `states` is the history's state timelines."""
    return dict(_documents(catalogue, ctx, states))


def _documents(
    catalogue: Catalogue,
    ctx: BuildContext,
    states: Mapping[str, list[tuple[dt.date, str]]],
) -> Iterator[tuple[str, bytes]]:
    """The registry documents one at a time: (site-relative path, bytes)."""
    for provider in sorted(catalogue.providers.values(), key=lambda p: p.id):
        yield did_document_path(provider.id), _json(did_document(provider, ctx))
        yield issuer_path(ctx, provider.id), _json(issuer_record(provider, ctx))
        yield jwks_path(ctx, provider.id), _json(jwks(provider, ctx))
        status_list = status_lists.status_list_credential(
            status_list_url(ctx, provider.id),
            ctx.provider_did(provider.id),
            catalogue.revoked.get(provider.id, frozenset()),
            ctx,
        )
        yield status_list_path(ctx, provider.id), _json(status_list)
    for entry in sorted(catalogue.entries.values(), key=lambda e: e.id):
        yield entry_facts_path(ctx, entry.id), _json(entry_facts(entry, state_timeline(entry, states, ctx.today)))


def write_registry(
    catalogue: Catalogue,
    site_dir: Path,
    ctx: BuildContext,
    states: Mapping[str, list[tuple[dt.date, str]]],
) -> None:
    """Write every registry document into the site, one document in memory at a time."""
    made: set[Path] = set()
    for path, content in _documents(catalogue, ctx, states):
        target = site_dir / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(content)
