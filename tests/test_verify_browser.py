"""The /verify/ page in Chromium: the same checks as `mqcat verify`, with Web Crypto, against the built site.

A catalogue repository with keys made at run time is built exactly as `mqcat
build` does and served on 127.0.0.1; credentials are signed with those keys, some
of them tampered with, and pasted into the page. For every token the page must
fail exactly the checks that the Python verifier fails.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.credentials import keys, registry, signing, status_lists, verification
from tests.a11y_support import describe_violations, serious_violations, serve, settle
from tests.conftest import build_site
from tests.credentials_support import (
    ENTRY,
    PROVIDER,
    REVOKED_INDEX,
    World,
    b64,
    commit,
    credential_for,
    make_world,
    parts,
    signed,
    tampered,
    write_status_list,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world_and_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path]:
    work = tmp_path_factory.mktemp("verify-site")
    world = make_world(work)
    return world, build_site(work / "built", world.root / "catalogue")


@pytest.fixture(scope="module")
def site_url(world_and_site: tuple[World, Path]) -> Iterator[str]:
    with serve(world_and_site[1]) as url:
        yield url


@pytest.fixture()
def page(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.outside = []
    page.errors = []
    page.on("request", lambda r: r.url.startswith(site_url) or page.outside.append(r.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    assert page.outside == [], "requests to third parties"
    assert page.errors == []
    context.close()


def _check(page: Any, site_url: str, token: str, language_prefix: str = "") -> dict[str, Any]:
    page.goto(f"{site_url}{language_prefix}verify/")
    page.fill("#mq-verify-token", token)
    page.click("#mq-verify button[type=submit]")
    return _result(page)


def _result(page: Any) -> dict[str, Any]:
    page.wait_for_selector("#mq-verify-result[data-valid]:not([hidden])")
    return page.evaluate(
        """() => ({
            valid: document.querySelector('#mq-verify-result').dataset.valid,
            summary: document.querySelector('#mq-verify-summary').textContent,
            failed: [...document.querySelectorAll('#mq-verify-checks li[data-ok=false]')].map(li => li.dataset.check),
            checks: [...document.querySelectorAll('#mq-verify-checks li')].map(li => li.textContent),
            facts: document.querySelector('#mq-verify-facts').textContent,
        })"""
    )


def _python_failed(world: World, site: Path, token: str) -> list[str]:
    report = verification.verify_token(token, verification.site_folder(site), world.ctx)
    return [c.name for c in report.checks if not c.ok]


def _tokens(world: World) -> dict[str, tuple[str, str | None]]:
    """Name -> (token, the first check that must fail, or None when valid)."""
    good = signed(world)
    header, _, _ = parts(good)
    payload, signature = good.split(".")[1:]
    wrong_digest = credential_for(world)
    wrong_digest["relatedResource"][0]["digestSRI"] = "sha256-" + base64.b64encode(b"x" * 32).decode()
    other_did = world.ctx.provider_did("example-logistics-group")
    return {
        "valid": (good, None),
        "changed name": (
            tampered(good, lambda p: p["credentialSubject"]["identifier"][0].update(identityHash="Mallory")),
            "signature",
        ),
        "changed outcome": (
            tampered(good, lambda p: p["credentialSubject"]["achievement"]["criteria"].update(narrative="x")),
            "signature",
        ),
        "changed version": (
            tampered(good, lambda p: p["credentialSubject"]["achievement"].update(version="1")),
            "signature",
        ),
        "changed issuer": (
            tampered(good, lambda p: (p["issuer"].update(id=other_did), p.update(iss=other_did))),
            "signature",
        ),
        "wrong digest, signed": (signed(world, wrong_digest), "version"),
        "another provider's key": (signed(world, key=world.other), "key"),
        "expired key": (signed(world, key=world.expired), "key"),
        "revoked key": (signed(world, key=world.revoked), "key"),
        "revoked credential": (signed(world, credential_for(world, index=REVOKED_INDEX)), "revocation"),
        "alg none": (f"{b64({**header, 'alg': 'none'})}.{payload}.", "signature"),
        "swapped alg": (f"{b64({**header, 'alg': 'EdDSA'})}.{payload}.{signature}", "signature"),
    }


def test_the_page_gives_the_same_answer_as_mqcat_verify_for_every_case(
    page: Any, site_url: str, world_and_site: tuple[World, Path]
) -> None:
    world, site = world_and_site
    for name, (token, first_failure) in _tokens(world).items():
        shown = _check(page, site_url, token)
        expected = _python_failed(world, site, token)
        assert shown["failed"] == expected, name
        if first_failure is None:
            assert shown["valid"] == "true" and expected == [], (name, shown)
            assert len(shown["checks"]) == len(verification.CHECKS)
        else:
            assert shown["valid"] == "false", (name, shown)
            assert shown["failed"][0] == first_failure, (name, shown)


def test_the_page_explains_each_failure_in_words(page: Any, site_url: str, world_and_site: tuple[World, Path]) -> None:
    world, _ = world_and_site
    tokens = _tokens(world)
    assert "Izdevējs to ir atsaucis" in _check(page, site_url, tokens["revoked credential"][0])["summary"]
    assert "ES256" in _check(page, site_url, tokens["alg none"][0], "en/")["summary"]
    assert "algorithm was swapped" in _check(page, site_url, tokens["swapped alg"][0], "en/")["summary"]
    assert "revoked on 2026-06-01" in _check(page, site_url, tokens["revoked key"][0], "en/")["summary"]


def test_two_learners_signed_by_the_command_are_valid_in_both_languages(
    page: Any, site_url: str, world_and_site: tuple[World, Path]
) -> None:
    world, _ = world_and_site
    for name, prefix in (("Anna Bērziņa", ""), ("Jānis Kalniņš", "en/")):
        credential = credential_for(world, learner=None)
        credential["credentialSubject"]["identifier"][0]["identityHash"] = name
        shown = _check(page, site_url, signed(world, credential), prefix)
        assert shown["valid"] == "true", shown
        assert name in shown["facts"]
    assert shown["summary"].startswith("Valid")


def test_a_printed_certificates_code_opens_the_page_and_is_checked(
    page: Any, site_url: str, world_and_site: tuple[World, Path]
) -> None:
    world, _ = world_and_site
    token = signing.paper_token(credential_for(world), world.signer(world.key), world.ctx)
    link = signing.verification_link(world.ctx, token)
    page.goto(site_url + link.removeprefix(world.ctx.site_url))
    shown = _result(page)
    assert shown["valid"] == "true", shown
    assert "Anna Bērziņa" in shown["facts"]
    assert page.is_visible("#mq-verify-from-link") and page.is_visible("#mq-verify-paper")


def test_input_that_is_not_a_credential_is_reported_as_unusable(page: Any, site_url: str) -> None:
    shown = _check(page, site_url, "hello", "en/")
    assert shown["valid"] == "unusable" and shown["summary"].startswith("Cannot be checked")
    shown = _check(page, site_url, json.dumps({"credentialSubject": {}}), "en/")
    assert "unsigned credential" in shown["summary"]


def test_a_credential_file_can_be_opened(
    page: Any, site_url: str, world_and_site: tuple[World, Path], tmp_path: Path
) -> None:
    world, _ = world_and_site
    path = tmp_path / "anna.jwt"
    path.write_text(signed(world) + "\n", encoding="ascii")
    page.goto(f"{site_url}verify/")
    page.set_input_files("#mq-verify-file", str(path))
    assert _result(page)["valid"] == "true"


def test_the_page_works_by_keyboard_and_announces_the_result(
    page: Any, site_url: str, world_and_site: tuple[World, Path]
) -> None:
    world, _ = world_and_site
    page.goto(f"{site_url}en/verify/")
    settle(page)
    page.focus("#mq-verify-token")
    page.keyboard.insert_text(signed(world))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "mq-verify-file"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    shown = _result(page)
    assert shown["valid"] == "true"
    assert page.evaluate("document.activeElement.id") == "mq-verify-summary"
    assert page.text_content("#mq-verify-status") == shown["summary"]
    assert page.get_attribute("#mq-verify-status", "role") == "status"
    violations = serious_violations(page)
    assert violations == [], describe_violations(violations)


def test_a_revoked_credential_shows_as_revoked_after_a_rebuild(browser: Any, tmp_path: Path) -> None:
    world = make_world(tmp_path)  # its own repository: this test commits a revocation
    index = 777
    token = signed(world, credential_for(world, index=index))

    def check_on(site: Path) -> dict[str, Any]:
        with serve(site) as url:
            context = browser.new_context()
            try:
                return _check(context.new_page(), url, token, "en/")
            finally:
                context.close()

    assert check_on(build_site(tmp_path / "before", world.root / "catalogue"))["valid"] == "true"
    write_status_list(world.root / "catalogue", PROVIDER, {REVOKED_INDEX: "2026-11-25", index: "2026-11-28"})
    commit(world.root, "Revoke a credential", date="2026-11-28T12:00:00+02:00")
    rebuilt = build_site(tmp_path / "after", world.root / "catalogue")
    status_list = json.loads((rebuilt / registry.status_list_path(world.ctx, PROVIDER)).read_text(encoding="utf-8"))
    assert status_lists.is_set(status_list["credentialSubject"]["encodedList"], index)
    shown = check_on(rebuilt)
    assert shown["failed"] == ["revocation"] and shown["summary"].endswith("Revoked by the provider.")


def test_the_registry_published_by_the_build_is_what_mqcat_verify_reads_from_the_catalogue(
    world_and_site: tuple[World, Path],
) -> None:
    world, site = world_and_site
    for path in (
        registry.issuer_path(world.ctx, PROVIDER),
        registry.entry_facts_path(world.ctx, ENTRY),
        registry.did_document_path(PROVIDER),
    ):
        assert (site / path).read_bytes() == world.source(path), path
    assert keys.thumbprint(json.loads((site / registry.issuer_path(world.ctx, PROVIDER)).read_text())["keys"][0]["jwk"])


def test_mqcat_verify_reads_a_built_site(
    world_and_site: tuple[World, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli import main

    world, site = world_and_site
    (tmp_path / "anna.jwt").write_text(signed(world), encoding="ascii")
    (tmp_path / "revoked.jwt").write_text(signed(world, credential_for(world, index=REVOKED_INDEX)), encoding="ascii")
    assert main(["verify", str(tmp_path / "anna.jwt"), "--site", str(site)]) == 0
    assert main(["verify", str(tmp_path), "--site", str(site)]) == 1
    said = capsys.readouterr().out
    assert "anna.jwt: VALID" in said and "revoked.jwt: INVALID: revocation: revoked by" in said
