"""Shared helpers for the signed-credential tests: keys made at run time, registered in catalogue copies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.credentials import keys

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
