"""Signed credentials: sign, then verify, then tamper; each tampering fails with its own reason.

The registry a verifier reads is made exactly as the build publishes it, from a
real git repository holding a copy of the sample catalogue with keys generated at
run time (no private key is ever committed). An independent JOSE library
(jwcrypto) signs and checks tokens too, so the format is interoperable and not
only self-consistent.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import referencing.jsonschema
from joserfc import jws
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws

from generator.cli import main
from generator.credentials import keys, registry, signing, status_lists, verification
from tests.conftest import REPO_ROOT, SITE_URL
from tests.credentials_support import (
    ENTRY,
    ISSUED,
    OTHER_ENTRY,
    OTHER_PROVIDER,
    PROVIDER,
    REVOKED_INDEX,
    World,
    b64,
    credential_for,
    make_world,
    parts,
    signed,
    tampered,
    verify,
)

OB3_SCHEMA = REPO_ROOT / "tests/data/interop/ob3/ob_v3p0_achievementcredential_schema.json"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("credentials"))


def _failed(report: verification.Report) -> list[str]:
    return [c.name for c in report.checks if not c.ok]


# The round trip


def test_a_signed_credential_verifies_check_by_check(world: World) -> None:
    report = verify(world, signed(world))
    assert report.valid, report.checks
    assert [c.name for c in report.checks] == list(verification.CHECKS)
    assert report.facts["entry"] == ENTRY and report.facts["name"] == "Anna Bērziņa"


def test_the_signed_token_is_a_vc_jwt_with_the_registered_claims(world: World) -> None:
    header, payload, _ = parts(signed(world))
    did = world.ctx.provider_did(PROVIDER)
    assert header == {"alg": "ES256", "typ": "vc+jwt", "kid": f"{did}#{world.key.thumbprint()}"}
    assert payload["iss"] == payload["issuer"]["id"] == did
    assert payload["jti"] == payload["id"]
    assert payload["nbf"] == int(dt.datetime.fromisoformat(payload["validFrom"]).timestamp())
    assert payload["credentialStatus"]["statusListCredential"] == registry.status_list_url(world.ctx, PROVIDER)
    (resource,) = payload["relatedResource"]
    assert resource["id"].endswith(f"api/v1/entries/{ENTRY}/v{world.catalogue.entries[ENTRY].version}.json")


def test_the_signed_credential_is_valid_against_the_ob3_json_schema(world: World) -> None:
    schema = json.loads(OB3_SCHEMA.read_text(encoding="utf-8"))
    resource = referencing.jsonschema.DRAFT201909.create_resource(schema)
    validator = jsonschema.Draft201909Validator(
        schema,
        registry=referencing.Registry().with_resource(schema["$id"], resource),
        format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER,
    )
    _, payload, _ = parts(signed(world))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(payload)]
    assert errors == []


def test_a_paper_token_verifies_and_states_what_the_paper_shows(world: World) -> None:
    credential = credential_for(world)
    token = signing.paper_token(credential, world.signer(world.key), world.ctx)
    report = verify(world, token)
    assert report.valid, report.checks
    assert report.facts["kind"] == "paper" and report.facts["name"] == "Anna Bērziņa"
    assert report.facts["issued"] == ISSUED.isoformat()
    # 36 mm of QR code for at most ~700 characters keeps each module above 0.33 mm, which phones read.
    assert len(signing.verification_link(world.ctx, token)) < 700


def test_an_eddsa_key_signs_and_verifies(world: World) -> None:
    credential = credential_for(world, OTHER_ENTRY)
    credential["issuer"] = copy.deepcopy(credential["issuer"])
    credential["issuer"]["id"] = world.ctx.provider_did(OTHER_PROVIDER)
    credential["credentialStatus"] = status_lists.credential_status(
        registry.status_list_url(world.ctx, OTHER_PROVIDER), 3
    )
    report = verify(world, signed(world, credential, world.other))
    assert report.valid, report.checks
    assert report.checks[0].message.startswith("EdDSA signature valid")


# Tampering: each fails, and for the right reason


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("name", lambda p: p["credentialSubject"]["identifier"][0].update(identityHash="Mallory Ļaunā")),
        ("outcome", lambda p: p["credentialSubject"]["achievement"]["criteria"].update(narrative="- anything")),
        ("version", lambda p: p["credentialSubject"]["achievement"].update(version="1")),
        ("digest", lambda p: p["relatedResource"][0].update(digestSRI="sha256-" + "A" * 43 + "=")),
        ("issue date", lambda p: p.update(validFrom="2026-12-24T00:00:00+02:00")),
    ],
)
def test_a_changed_credential_fails_the_signature(world: World, what: str, change: Any) -> None:
    report = verify(world, tampered(signed(world), change))
    assert not report.valid
    assert "signature" in _failed(report), what
    assert "the token was changed after signing" in report.reason


def test_a_changed_issuer_fails_the_signature_and_the_key(world: World) -> None:
    other_did = world.ctx.provider_did(OTHER_PROVIDER)
    report = verify(
        world, tampered(signed(world), lambda p: (p["issuer"].update(id=other_did), p.update(iss=other_did)))
    )
    assert _failed(report)[:2] == ["signature", "key"]
    assert f"names the issuer '{other_did}'" in report.checks[1].message


def test_a_credential_of_one_provider_signed_with_another_providers_key_fails_the_key(world: World) -> None:
    report = verify(world, signed(world, key=world.other))
    assert _failed(report)[0] == "key"
    assert "is signed with a key of" in report.reason


def test_another_provider_signing_in_its_own_name_is_not_an_awarding_body(world: World) -> None:
    credential = credential_for(world)
    credential["issuer"]["id"] = world.ctx.provider_did(OTHER_PROVIDER)
    report = verify(world, signed(world, credential, world.other))
    assert "awarding_body" in _failed(report)
    assert _failed(report)[0] == "awarding_body"
    assert f"'{OTHER_PROVIDER}' is not an awarding body of '{ENTRY}'" in report.reason


def test_a_signed_credential_naming_a_wrong_digest_fails_the_version(world: World) -> None:
    credential = credential_for(world)
    credential["relatedResource"][0]["digestSRI"] = "sha256-" + base64.b64encode(b"x" * 32).decode()
    report = verify(world, signed(world, credential))
    assert _failed(report) == ["version"]
    assert "does not match version" in report.reason


def test_a_signed_credential_naming_a_version_that_does_not_exist_fails_the_version(world: World) -> None:
    credential = credential_for(world)
    credential["credentialSubject"]["achievement"]["version"] = "9"
    credential["relatedResource"][0]["id"] = world.ctx.api_url(f"entries/{ENTRY}/v9.json")
    report = verify(world, signed(world, credential))
    assert _failed(report) == ["version"]
    assert f"version 9 of '{ENTRY}' does not exist" in report.reason


def test_a_credential_signed_with_an_expired_key_fails_the_key(world: World) -> None:
    report = verify(world, signed(world, key=world.expired))
    assert _failed(report) == ["key"]
    assert "valid from 2024-01-01 to 2025-12-31, not on the issue date 2026-11-20" in report.reason


def test_a_credential_signed_with_a_revoked_key_fails_the_key(world: World) -> None:
    report = verify(world, signed(world, key=world.revoked))
    assert _failed(report) == ["key"]
    assert "was revoked on 2026-06-01" in report.reason


def test_a_revoked_credential_fails_the_revocation(world: World) -> None:
    report = verify(world, signed(world, credential_for(world, index=REVOKED_INDEX)))
    assert _failed(report) == ["revocation"]
    assert f"revoked by '{PROVIDER}' (status index {REVOKED_INDEX})" in report.reason


def test_a_credential_pointing_at_another_status_list_fails_the_revocation(world: World) -> None:
    credential = credential_for(world)
    credential["credentialStatus"] = status_lists.credential_status("https://evil.example/list.json", 1)
    report = verify(world, signed(world, credential))
    assert _failed(report) == ["revocation"]
    assert "is not the registry's list" in report.reason


def test_algorithm_none_is_refused(world: World) -> None:
    header, _, _ = parts(signed(world))
    token = signed(world)
    unsigned = f"{b64({**header, 'alg': 'none'})}.{token.split('.')[1]}."
    report = verify(world, unsigned)
    assert "signature" in _failed(report)
    assert "the algorithm none (no signature) is refused" in report.reason


def test_a_swapped_algorithm_is_refused(world: World) -> None:
    token = signed(world)
    header, _, _ = parts(token)
    _, payload, signature = token.split(".")
    report = verify(world, f"{b64({**header, 'alg': 'EdDSA'})}.{payload}.{signature}")
    assert _failed(report) == ["signature"]
    assert "the algorithm was swapped" in report.reason


def test_an_hmac_signature_made_with_the_public_key_is_refused(world: World) -> None:
    """The classic confusion: HS256 keyed with the public key, which anyone can read."""
    from joserfc.jwk import OctKey

    token = signed(world)
    header, payload, _ = parts(token)
    secret = OctKey.import_key(json.dumps(keys.public_jwk(world.key)).encode())
    forged = jws.serialize_compact(
        {**header, "alg": "HS256"}, json.dumps(payload).encode(), secret, algorithms=["HS256"]
    )
    report = verify(world, forged)
    assert "signature" in _failed(report)
    assert "'HS256' is refused" in report.reason


def test_a_credential_issued_while_the_entry_was_suspended_fails_the_state() -> None:
    facts = {
        "approved": "2026-01-01",
        "states": [
            {"status": "active", "since": "2026-01-05"},
            {"status": "suspended", "since": "2026-06-01"},
            {"status": "active", "since": "2026-07-01"},
        ],
    }
    assert verification.state_on(facts, dt.date(2026, 6, 15)) == "suspended"
    assert verification.state_on(facts, dt.date(2026, 7, 1)) == "active"
    assert verification.state_on(facts, dt.date(2026, 1, 2)) == "active"  # approved before the first commit
    assert verification.state_on(facts, dt.date(2025, 12, 31)) is None


# An independent implementation: jwcrypto


def test_a_credential_signed_by_jwcrypto_verifies(world: World) -> None:
    private = jwcrypto_jwk.JWK.from_pem(world.key_file.read_bytes())
    header = {"alg": "ES256", "typ": "vc+jwt", "kid": world.signer(world.key).kid(world.ctx)}
    credential = credential_for(world)
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(dt.datetime.fromisoformat(credential["validFrom"]).timestamp()),
    }
    token = jwcrypto_jws.JWS(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    token.add_signature(private, None, json.dumps(header))
    report = verify(world, token.serialize(compact=True))
    assert report.valid, report.checks


def test_jwcrypto_verifies_our_signature_with_the_published_key(world: World) -> None:
    token = signed(world)
    record = json.loads(world.source(registry.issuer_path(world.ctx, PROVIDER)) or b"{}")
    published = next(k for k in record["keys"] if k["kid"] == world.key.thumbprint())
    checker = jwcrypto_jws.JWS()
    checker.deserialize(token)
    checker.verify(jwcrypto_jwk.JWK(**published["jwk"]), alg="ES256")
    assert json.loads(checker.payload)["credentialSubject"]["achievement"]["humanCode"] == ENTRY


# Refusals before signing


def test_signing_refuses_a_provider_that_is_not_an_awarding_body(world: World) -> None:
    with pytest.raises(signing.SigningRefused, match=f"'{PROVIDER}' is not an awarding body of '{OTHER_ENTRY}'"):
        signing.check_can_sign(world.signer(world.key), world.catalogue.entries[OTHER_ENTRY], ISSUED)


def test_signing_refuses_an_expired_key(world: World) -> None:
    with pytest.raises(signing.SigningRefused, match="expired on 2025-12-31"):
        signing.check_can_sign(world.signer(world.expired), world.catalogue.entries[ENTRY], ISSUED)


def test_signing_refuses_a_revoked_key(world: World) -> None:
    with pytest.raises(signing.SigningRefused, match="was revoked on 2026-06-01"):
        signing.check_can_sign(world.signer(world.revoked), world.catalogue.entries[ENTRY], ISSUED)


@pytest.mark.parametrize("status", ["proposed", "suspended", "withdrawn"])
def test_signing_refuses_an_entry_that_is_not_active(world: World, status: str) -> None:
    entry = dataclasses.replace(world.catalogue.entries[ENTRY], status=status)
    with pytest.raises(signing.SigningRefused, match=f"'{ENTRY}' is {status}: credentials are signed only"):
        signing.check_can_sign(world.signer(world.key), entry, ISSUED)


def test_signing_refuses_a_key_that_no_provider_registered(world: World) -> None:
    with pytest.raises(signing.SigningRefused, match="not registered for any provider"):
        world.signer(keys.generate())


# The commands


def _learners(tmp_path: Path) -> Path:
    path = tmp_path / "learners.csv"
    path.write_text(
        "name,identifier,issue_date,issue_place,grade\n"
        "Anna Bērziņa,010190-12345,2026-11-20,Rīga,9\n"
        "Jānis Kalniņš,LV-0042,2026-11-21,Ventspils,8\n",
        encoding="utf-8",
    )
    return path


def test_certificate_sign_then_verify_on_the_command_line(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    ledger = tmp_path / "ledger.jsonl"
    arguments = ["certificate", ENTRY, "--learner", str(_learners(tmp_path)), "--sign", str(world.key_file)]
    arguments += ["--out", str(out), "--ledger", str(ledger), "--catalogue", str(world.root / "catalogue")]
    arguments += ["--site-url", SITE_URL]
    assert main(arguments) == 0, capsys.readouterr().err
    tokens = sorted(out.glob("*.jwt"))
    assert len(tokens) == 2 and not list(out.glob("*.json"))
    indexes = [json.loads(line)["index"] for line in ledger.read_text(encoding="utf-8").splitlines()]
    assert len(set(indexes)) == 2
    assert "Anna" not in ledger.read_text(encoding="utf-8")  # the ledger holds no personal data
    page = (out / f"{tokens[0].stem}.html").read_text(encoding="utf-8")
    assert f'href="{SITE_URL}verify/#t=' in page
    capsys.readouterr()
    verify_args = ["verify", str(out), "--catalogue", str(world.root / "catalogue")]
    # The catalogue's own mkdocs.yml names the site; this repository's copy has none, so name it.
    (world.root / "mkdocs.yml").write_text(f"site_name: t\nsite_url: {SITE_URL}\n", encoding="utf-8")
    assert main(verify_args) == 0, capsys.readouterr().out
    said = capsys.readouterr().out
    assert said.count(": VALID") == 2 and said.count("ok   ") == 12


def test_certificate_sign_refuses_before_writing_anything(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    arguments = ["certificate", OTHER_ENTRY, "--learner", str(_learners(tmp_path)), "--sign", str(world.key_file)]
    arguments += ["--out", str(out), "--catalogue", str(world.root / "catalogue"), "--site-url", SITE_URL]
    assert main(arguments) == 1
    assert "is not an awarding body" in capsys.readouterr().err
    assert not out.exists()


def test_verify_says_unusable_for_a_file_that_is_not_a_credential(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (world.root / "mkdocs.yml").write_text(f"site_name: t\nsite_url: {SITE_URL}\n", encoding="utf-8")
    path = tmp_path / "note.json"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    assert main(["verify", str(path), "--catalogue", str(world.root / "catalogue")]) == 2
    assert "UNUSABLE" in capsys.readouterr().out


def test_verify_says_invalid_with_the_reason(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (world.root / "mkdocs.yml").write_text(f"site_name: t\nsite_url: {SITE_URL}\n", encoding="utf-8")
    path = tmp_path / "revoked.jwt"
    path.write_text(signed(world, credential_for(world, index=REVOKED_INDEX)), encoding="ascii")
    assert main(["verify", str(path), "--catalogue", str(world.root / "catalogue"), "--format", "json"]) == 1
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["status"] == "invalid" and result["reason"].startswith("revocation: revoked by")


def test_an_unsigned_credential_is_not_usable_for_verification() -> None:
    with pytest.raises(verification.Unusable, match="unsigned credential"):
        verification.token_of(json.dumps({"credentialSubject": {}}))


def test_an_enveloped_credential_is_read() -> None:
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": "data:application/vc+jwt,aaa.bbb.ccc",
    }
    assert verification.token_of(json.dumps(envelope)) == "aaa.bbb.ccc"


def test_a_status_list_sets_exactly_the_revoked_bits() -> None:
    encoded = status_lists.encode({0, 7, 8, 131071})
    assert [status_lists.is_set(encoded, i) for i in (0, 1, 7, 8, 9, 131070, 131071)] == [
        True,
        False,
        True,
        True,
        False,
        False,
        True,
    ]
    raw = __import__("gzip").decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 == status_lists.LIST_SIZE and raw[0] == 0b10000001 and raw[1] == 0b10000000
