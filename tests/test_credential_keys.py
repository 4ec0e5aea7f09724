"""Issuers' keys: `mqcat keygen`, the rules for keys in provider files, and the published registry."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from generator.catalogue import validate
from generator.cli import main
from generator.context import BuildContext
from generator.credentials import keys, registry
from tests.conftest import TODAY
from tests.credentials_support import OTHER_PROVIDER, PROVIDER, key_block, register_keys, write_status_list


def _errors(catalogue_dir: Path) -> list[str]:
    return [p.text() for p in validate(catalogue_dir).errors]


# mqcat keygen


def test_keygen_writes_a_private_key_only_its_owner_can_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "keys" / "academy.pem"
    assert main(["keygen", "--provider", PROVIDER, "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    key = keys.load_private_key(out)
    assert key.is_private and keys.algorithm_of(keys.public_jwk(key)) == "ES256"
    printed = capsys.readouterr().out
    assert key.thumbprint() in printed and '"d"' not in printed and " d:" not in printed


def test_keygen_block_pasted_into_the_provider_file_validates(
    tmp_path: Path, catalogue_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keygen", "--provider", PROVIDER, "--algorithm", "EdDSA", "--out", str(tmp_path / "k.pem")]) == 0
    block = capsys.readouterr().out
    provider_file = catalogue_copy / "providers" / f"{PROVIDER}.yaml"
    provider_file.write_text(provider_file.read_text(encoding="utf-8") + block, encoding="utf-8")
    result = validate(catalogue_copy)
    assert result.catalogue is not None, [p.text() for p in result.errors]
    (registered,) = result.catalogue.providers[PROVIDER].signing_keys
    assert registered.algorithm == "EdDSA"
    assert registered.kid == keys.load_private_key(tmp_path / "k.pem").thumbprint()


def test_keygen_refuses_to_write_inside_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / "secrets" / "key.pem"
    assert main(["keygen", "--provider", PROVIDER, "--out", str(target)]) == 2
    assert "inside the git repository" in capsys.readouterr().err
    assert not target.exists()


def test_keygen_never_overwrites_a_key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "key.pem"
    target.write_text("precious", encoding="utf-8")
    assert main(["keygen", "--provider", PROVIDER, "--out", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "precious"


def test_keygen_names_a_misspelt_provider(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen", "--provider", "example-riga-logistics-acadmy", "--out", str(tmp_path / "k.pem")]) == 2
    assert f"did you mean '{PROVIDER}'" in capsys.readouterr().err


def test_a_key_file_that_is_not_a_private_key_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "public.pem"
    path.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", encoding="utf-8")
    with pytest.raises(keys.KeyProblem, match="not a private key file"):
        keys.load_private_key(path)


# Rules for keys in provider files


def test_private_key_material_in_a_provider_file_is_a_loud_error(catalogue_copy: Path) -> None:
    key = keys.generate()
    private_d = key.as_dict(private=True)["d"]
    path = register_keys(catalogue_copy, PROVIDER, key_block(key, extra_jwk={"d": private_d}))
    errors = _errors(catalogue_copy)
    loud = [e for e in errors if "PRIVATE KEY MATERIAL" in e]
    assert len(loud) == 1, errors
    assert f"providers/{path.name}:" in loud[0]
    assert "signing_keys[0].jwk.d" in loud[0] and "compromised" in loud[0] and "mqcat keygen" in loud[0]


def test_private_key_material_is_reported_even_when_the_file_has_other_errors(catalogue_copy: Path) -> None:
    key = keys.generate("EdDSA")
    path = register_keys(catalogue_copy, PROVIDER, key_block(key, extra_jwk={"d": "c2VjcmV0"}))
    path.write_text(path.read_text(encoding="utf-8").replace("type: training-centre", "type: nonsense"), "utf-8")
    assert any("PRIVATE KEY MATERIAL" in e for e in _errors(catalogue_copy))


def test_a_pem_private_key_pasted_anywhere_is_a_loud_error(catalogue_copy: Path) -> None:
    path = catalogue_copy / "providers" / f"{PROVIDER}.yaml"
    pem = keys.generate().as_pem(private=True).decode("ascii")
    path.write_text(path.read_text(encoding="utf-8") + "notes: " + json.dumps(pem) + "\n", encoding="utf-8")
    assert any("PRIVATE KEY MATERIAL" in e and "PEM" in e for e in _errors(catalogue_copy))


def test_two_keys_with_the_same_kid_are_refused(catalogue_copy: Path) -> None:
    register_keys(catalogue_copy, PROVIDER, key_block(keys.generate(), kid="k1"), key_block(keys.generate(), kid="k1"))
    assert any("kid 'k1' is used twice" in e for e in _errors(catalogue_copy))


def test_a_point_not_on_the_curve_is_refused(catalogue_copy: Path) -> None:
    block = key_block(keys.generate(), extra_jwk={"y": "A" * 43})
    register_keys(catalogue_copy, PROVIDER, block)
    assert any("not a usable public key" in e for e in _errors(catalogue_copy))


def test_a_key_registered_by_two_providers_is_refused(catalogue_copy: Path) -> None:
    key = keys.generate()
    register_keys(catalogue_copy, PROVIDER, key_block(key))
    register_keys(catalogue_copy, OTHER_PROVIDER, key_block(key))
    errors = _errors(catalogue_copy)
    assert any("already registered by the provider" in e for e in errors), errors


def test_a_key_valid_until_before_valid_from_is_refused(catalogue_copy: Path) -> None:
    register_keys(
        catalogue_copy, PROVIDER, key_block(keys.generate(), valid_from="2026-05-01", valid_until="2026-04-30")
    )
    assert any("valid_until 2026-04-30 is before valid_from 2026-05-01" in e for e in _errors(catalogue_copy))


def test_unknown_jwk_members_are_refused(catalogue_copy: Path) -> None:
    register_keys(catalogue_copy, PROVIDER, key_block(keys.generate("EdDSA"), extra_jwk={"y": "B" * 43}))
    assert any("unknown member 'y' in a OKP public key" in e for e in _errors(catalogue_copy))


def test_a_status_list_of_an_unknown_provider_is_refused(catalogue_copy: Path) -> None:
    path = write_status_list(catalogue_copy, "example-nobody", {5: "2026-11-02"})
    errors = _errors(catalogue_copy)
    assert any(path.name in e and "no provider 'example-nobody'" in e for e in errors), errors


def test_a_status_list_with_an_index_twice_is_refused(catalogue_copy: Path) -> None:
    path = write_status_list(catalogue_copy, PROVIDER, {5: "2026-11-02"})
    path.write_text(path.read_text(encoding="utf-8") + "  - index: 5\n    date: 2026-11-03\n", encoding="utf-8")
    assert any("index 5 is listed twice" in e for e in _errors(catalogue_copy))


# What the site publishes


@pytest.mark.parametrize(
    ("site_url", "did"),
    [
        ("https://mqcat.example.org/", "did:web:mqcat.example.org:providers:p"),
        ("https://example.github.io/mqcat/", "did:web:example.github.io:mqcat:providers:p"),
        ("http://127.0.0.1:8000/", "did:web:127.0.0.1%3A8000:providers:p"),
    ],
)
def test_a_provider_did_follows_did_web_for_the_site_address(site_url: str, did: str) -> None:
    assert BuildContext(site_url=site_url, today=TODAY).provider_did("p") == did


def test_the_did_document_lists_the_usable_keys_and_leaves_out_revoked_ones(catalogue_copy: Path) -> None:
    usable, revoked = keys.generate(), keys.generate("EdDSA")
    register_keys(catalogue_copy, PROVIDER, key_block(usable), key_block(revoked, revoked="2026-06-01"))
    catalogue = validate(catalogue_copy).catalogue
    assert catalogue is not None
    ctx = BuildContext(site_url="https://mqcat.example.org/", today=TODAY)
    documents = registry.registry_documents(catalogue, ctx, {})
    did_document = json.loads(documents[f"providers/{PROVIDER}/did.json"])
    did = f"did:web:mqcat.example.org:providers:{PROVIDER}"
    assert did_document["id"] == did
    assert [m["id"] for m in did_document["verificationMethod"]] == [f"{did}#{usable.thumbprint()}"]
    assert did_document["assertionMethod"] == [f"{did}#{usable.thumbprint()}"]
    assert did_document["verificationMethod"][0]["publicKeyJwk"] == keys.public_jwk(usable)
    jwks = json.loads(documents[f"api/v1/registry/issuers/{PROVIDER}.jwks.json"])
    assert [k["kid"] for k in jwks["keys"]] == [usable.thumbprint()]
    record = json.loads(documents[f"api/v1/registry/issuers/{PROVIDER}.json"])
    assert [(k["kid"], k["revoked"]) for k in record["keys"]] == [
        (usable.thumbprint(), None),
        (revoked.thumbprint(), "2026-06-01"),
    ]
    assert all("d" not in k["jwk"] for k in record["keys"])


def test_the_built_site_publishes_a_did_document_for_every_provider(built_site: Path, catalogue) -> None:
    for provider_id in catalogue.providers:
        document = json.loads((built_site / "providers" / provider_id / "did.json").read_text(encoding="utf-8"))
        assert document["id"] == f"did:web:mqcat.example.org:providers:{provider_id}"
        assert (built_site / "api/v1/registry/status" / f"{provider_id}.json").is_file()
        assert (built_site / "api/v1/registry/issuers" / f"{provider_id}.jwks.json").is_file()


def test_interop_exports_name_the_awarding_body_by_its_did(built_site: Path) -> None:
    achievement = json.loads((built_site / "api/v1/ob3/forklift-safe-operation.json").read_text(encoding="utf-8"))
    assert achievement["creator"]["id"].startswith("did:web:mqcat.example.org:providers:")
    elm_files = sorted((built_site / "api/v1/elm").glob("*.jsonld"))
    assert elm_files
    assert "did:web:mqcat.example.org:providers:" in elm_files[0].read_text(encoding="utf-8")


def test_key_files_are_never_group_or_world_readable_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        keys.write_private_key(keys.generate(), tmp_path / "k.pem")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600


# The review report


def test_the_review_report_asks_to_confirm_a_new_key_and_refuses_quietly_dropped_ones(tmp_path: Path) -> None:
    from generator.review.diff import review_revisions
    from tests.git_support import catalogue_repository, commit, git

    repo = catalogue_repository(tmp_path / "repo")
    base = git(repo, "rev-parse", "HEAD")
    key = keys.generate()
    register_keys(repo / "catalogue", PROVIDER, key_block(key))
    write_status_list(repo / "catalogue", PROVIDER, {5: "2026-11-02"})
    head = commit(repo, "A key and a revocation", date="2026-02-01T12:00:00+02:00")
    messages = [p.message + " " + p.hint for p in review_revisions(repo, base, head).all_findings()]
    assert any(
        f"registers signing key(s) {key.thumbprint()}" in m and "confirm with the provider" in m for m in messages
    )
    assert any(f"'{PROVIDER}' revokes 1 credential(s)" in m for m in messages)

    provider_file = repo / "catalogue" / "providers" / f"{PROVIDER}.yaml"
    text = provider_file.read_text(encoding="utf-8")
    provider_file.write_text(text[: text.index("signing_keys:")], encoding="utf-8")
    write_status_list(repo / "catalogue", PROVIDER, {})
    later = commit(repo, "Drop the key and the revocation", date="2026-03-01T12:00:00+02:00")
    messages = [p.message + " " + p.hint for p in review_revisions(repo, head, later).all_findings()]
    assert any("are deleted" in m and "never deleted" in m for m in messages)
    assert any("un-revokes credential(s) 5" in m and "revocation is final" in m for m in messages)
