"""Open Badges 3.0: an `Achievement` per published entry, and unsigned credentials for learners.

`api/v1/ob3/<id>.json` is the Achievement in Latvian and `api/v1/ob3/<id>.en.json`
in English; each names the other in `related`, the way OB 3.0 links language
versions. `achievement_credential` wraps an Achievement for one learner as an
unsigned `AchievementCredential`: the issuer's signing tool adds the proof (and
usually replaces `issuer.id` by the issuer's own DID or key URL).

Text fields that OB 3.0 reads as Markdown (`criteria.narrative`) get their
Markdown characters escaped, so contributor text is shown as written.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from pathlib import Path
from typing import Any

from ..certificate.learners import Learner
from ..context import BuildContext, level_path, ob3_path, version_path
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, label
from ..model import Catalogue, MicroQualification, Provider
from ..rules import isced_f_fields
from ..versions import MEDIA_TYPE
from . import start_of_day

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

# CommonMark lets any ASCII punctuation be escaped; these are the ones that start markup inline.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
# At the start of a list item, "1." or "-" would open a nested list.
_LIST_START = re.compile(r"^(\d+)([.)])")


def achievement_url(ctx: BuildContext, entry: MicroQualification, language: str = DEFAULT_LANGUAGE) -> str:
    """The Achievement's stable address, which is also its `id`."""
    return ctx.api_url(ob3_path(entry.id, language))


def write_ob3(catalogue: Catalogue, site_dir: Path, ctx: BuildContext) -> None:
    """Write `api/v1/ob3/<id>.json` (Latvian) and `<id>.en.json` (English) for every published entry."""
    for entry in catalogue.published_entries():
        for language in LANGUAGES:
            document = {"@context": CONTEXT, **achievement(entry, catalogue, ctx, language)}
            path = site_dir / ctx.api_path(ob3_path(entry.id, language))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def achievement(
    entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext, language: str = DEFAULT_LANGUAGE
) -> dict[str, Any]:
    """The OB 3.0 Achievement of an entry, in one language (texts missing in it fall back to Latvian)."""
    lead = catalogue.providers[entry.awarding_bodies[0]]
    node: dict[str, Any] = {
        "id": achievement_url(ctx, entry, language),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": entry.title.get(language),
        "description": entry.purpose.get(language),
        "criteria": {"id": ctx.entry_url(entry, language), "narrative": _narrative(entry, language)},
        "alignment": _alignments(entry, ctx, language),
        "creator": profile(lead, ctx, language),
        "fieldOfStudy": isced_f_fields().get(entry.isced_f, entry.isced_f),
        "humanCode": entry.id,
        "inLanguage": language,
        "version": str(entry.version),
    }
    if entry.ects is not None:
        node["creditsAvailable"] = float(entry.ects)
    if entry.keywords.get(language):
        node["tag"] = list(entry.keywords[language])
    related = [
        {
            "id": achievement_url(ctx, entry, other),
            "type": ["Related"],
            "inLanguage": other,
            "version": str(entry.version),
        }
        for other in LANGUAGES
        if other != language
    ]
    for target_id in entry.stacks_into:
        target = catalogue.entries.get(target_id)
        if target is not None and target.published:
            related.append(
                {
                    "id": achievement_url(ctx, target, language),
                    "type": ["Related"],
                    "inLanguage": language,
                    "version": str(target.version),
                }
            )
    node["related"] = related
    return node


def profile(provider: Provider, ctx: BuildContext, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """An awarding body as an OB 3.0 Profile, named by its DID: legal data and contacts."""
    node: dict[str, Any] = {
        # The provider's DID: verifiers resolve its keys from it (generator/credentials/registry.py).
        "id": ctx.provider_did(provider.id),
        "type": ["Profile"],
        "name": provider.legal_name,
        "url": provider.website,
        "address": {
            "type": ["Address"],
            "addressCountryCode": provider.country,
            "streetAddress": provider.legal_address,
        },
        "otherIdentifier": [
            {
                "type": "IdentifierEntry",
                "identifier": provider.registration_number,
                "identifierType": "ext:RegistrationNumber",
            }
        ],
    }
    if provider.region:
        node["address"]["addressRegion"] = provider.region
    if provider.contact.email:
        node["email"] = provider.contact.email
    if provider.contact.phone:
        node["phone"] = provider.contact.phone
    return node


def achievement_credential(
    entry: MicroQualification,
    catalogue: Catalogue,
    ctx: BuildContext,
    learner: Learner,
    *,
    version_digest: str | None = None,
    credential_id: str | None = None,
    salt: str | None = None,
) -> dict[str, Any]:
    """An unsigned AchievementCredential of `entry` for one learner, ready for the issuer to sign.

    The learner's identifier is stored hashed with a salt (`sha256$...`), as OB 3.0
    recommends for personal data; the name is in plain text, as on the printed
    certificate. With `version_digest` (the SRI digest of
    `api/v1/entries/<id>/v<version>.json` from `api/v1/versions.json`) the credential
    names that exact description in `relatedResource` (VC Data Model 2.0), which
    needs a digest and is therefore left out without one.
    """
    lead = catalogue.providers[entry.awarding_bodies[0]]
    salt = salt or secrets.token_hex(16)
    identity_hash = hashlib.sha256((learner.identifier + salt).encode("utf-8")).hexdigest()
    issued = start_of_day(learner.issue_date)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": learner.name},
            {
                "type": "IdentityObject",
                "identityType": "identifier",
                "hashed": True,
                "identityHash": f"sha256${identity_hash}",
                "salt": salt,
            },
        ],
        "achievement": achievement(entry, catalogue, ctx, DEFAULT_LANGUAGE),
    }
    if entry.ects is not None:
        subject["creditsEarned"] = float(entry.ects)
    if learner.grade:
        subject["result"] = [{"type": ["Result"], "value": learner.grade}]
    credential: dict[str, Any] = {
        "@context": CONTEXT,
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": entry.title.lv,
        "issuer": profile(lead, ctx, DEFAULT_LANGUAGE),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if version_digest:
        credential["relatedResource"] = [
            {
                "id": ctx.api_url(version_path(entry.id, entry.version)),
                "digestSRI": version_digest,
                "mediaType": MEDIA_TYPE,
            }
        ]
    return credential


def _alignments(entry: MicroQualification, ctx: BuildContext, language: str) -> list[dict[str, Any]]:
    def L(key: str, **values: Any) -> str:
        return label(language, key, **values)

    alignments = [
        {
            "type": ["Alignment"],
            "targetName": L("certificate.frameworks.eqf_level", n=entry.eqf),
            "targetUrl": entry.eqf_uri,
            "targetCode": str(entry.eqf),
            "targetFramework": L("certificate.frameworks.eqf"),
        },
        {
            "type": ["Alignment"],
            "targetName": L("certificate.frameworks.lki_level", n=entry.lki),
            "targetUrl": ctx.url(level_path(entry.lki), language),
            "targetCode": str(entry.lki),
            "targetFramework": L("certificate.frameworks.lki"),
        },
        {
            "type": ["Alignment"],
            "targetName": isced_f_fields().get(entry.isced_f, entry.isced_f),
            "targetUrl": entry.isced_f_uri,
            "targetCode": entry.isced_f,
            "targetFramework": L("certificate.frameworks.isced_f"),
        },
    ]
    seen: set[str] = set()
    for outcome in entry.learning_outcomes:
        for uri in outcome.esco_skills:
            if uri in seen:
                continue
            seen.add(uri)
            alignments.append(
                {
                    "type": ["Alignment"],
                    "targetName": L("certificate.esco_skill"),
                    "targetUrl": uri,
                    "targetCode": uri.rsplit("/", 1)[-1],
                    "targetDescription": outcome.text.get(language),
                    "targetFramework": L("certificate.frameworks.esco"),
                    "targetType": "ceasn:Competency",
                }
            )
    return alignments


def _narrative(entry: MicroQualification, language: str) -> str:
    """The outcomes and the assessment, as Markdown with the contributor text escaped."""
    lines = [markdown_text(label(language, "certificate.narrative_outcomes")), ""]
    lines += [f"- {markdown_text(o.text.get(language))}" for o in entry.learning_outcomes]
    lines += [
        "",
        markdown_text(label(language, "certificate.narrative_assessment"))
        + " "
        + markdown_text(entry.assessment_description.get(language)),
    ]
    return "\n".join(lines)


def markdown_text(text: str) -> str:
    """Plain text that Markdown shows as written: one line, markup characters escaped."""
    flat = " ".join(text.split())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    if escaped.startswith("-"):
        return "\\" + escaped
    return _LIST_START.sub(r"\1\\\2", escaped)
