"""Revocation: each provider's status-list file in the catalogue, published as a W3C Bitstring Status List.

A provider revokes a credential by pull request, adding the credential's status
index (`credentialStatus.statusListIndex`, also in the signing ledger) to
`catalogue/status-lists/<provider-id>.yaml`:

    provider: example-riga-logistics-academy
    revoked:
      - index: 48213
        date: 2026-11-02

The file holds numbers and dates only, no personal data. The site publishes it
as a `BitstringStatusListCredential` (W3C Bitstring Status List v1.0): a list of
LIST_SIZE bits, bit i set when index i is revoked, the first index in the most
significant bit of the first byte, GZIP-compressed and base64url-encoded with the
multibase prefix `u`. The list is published by the catalogue, unsigned: its
authority is the reviewed repository and the site's HTTPS, like the keys'.

Indexes are drawn at random (a credential's index tells nothing about how many
were issued) from LIST_SIZE, the minimum size the specification recommends for
group privacy; the signing ledger keeps each provider's indexes unique.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Set
from typing import Any

from ..context import BuildContext
from ..interop import start_of_day
from ..loader import Document
from ..problems import Problem

LIST_SIZE = 131_072  # bits: 16 KiB before compression
STATUS_PURPOSE = "revocation"
CONTEXT = ["https://www.w3.org/ns/credentials/v2"]


def encode(revoked: Set[int]) -> str:
    """The `encodedList` of a status list with the given indexes set."""
    bits = bytearray(LIST_SIZE // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)  # mtime=0: the same list, the same bytes
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def is_set(encoded_list: str, index: int) -> bool:
    """Whether bit `index` of an `encodedList` is set; ValueError when the list cannot be read."""
    if not encoded_list.startswith("u"):
        raise ValueError("the encoded list is not base64url multibase (it must start with 'u')")
    body = encoded_list[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"the encoded list cannot be decompressed ({error})") from error
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"index {index} is outside the list of {len(bits) * 8} entries")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(url: str, issuer_did: str, revoked: Set[int], ctx: BuildContext) -> dict[str, Any]:
    """The published `BitstringStatusListCredential` of one provider."""
    return {
        "@context": CONTEXT,
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": start_of_day(ctx.today),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode(revoked),
        },
    }


def credential_status(url: str, index: int) -> dict[str, str]:
    """The `credentialStatus` a signed credential carries: where its bit is."""
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def check_status_list(doc: Document, provider_ids: set[str]) -> list[Problem]:
    """Rules for a status-list file that passed the schema: its provider, its file name, unique indexes."""
    problems: list[Problem] = []
    provider = doc.data["provider"]
    if provider != doc.path.stem:
        problems.append(
            doc.problem(
                ("provider",),
                f"provider '{provider}' differs from the file name '{doc.path.stem}.yaml'",
                hint=f"the status list of '{provider}' is catalogue/status-lists/{provider}.yaml",
            )
        )
    if provider_ids and provider not in provider_ids:
        problems.append(
            doc.problem(
                ("provider",),
                f"no provider '{provider}' in catalogue/providers/",
                hint="a status list belongs to a registered provider",
            )
        )
    seen: dict[int, int] = {}
    for position, item in enumerate(doc.data.get("revoked", ())):
        index = item["index"]
        if index in seen:
            problems.append(
                doc.problem(
                    ("revoked", position, "index"),
                    f"index {index} is listed twice (also revoked[{seen[index]}])",
                    hint="remove the duplicate line",
                )
            )
        seen.setdefault(index, position)
    return problems
