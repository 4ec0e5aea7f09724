"""European Learning Model v3: the LOQ profile (Learning Opportunities and Qualifications).

For every published entry, `api/v1/elm/<id>.jsonld` describes a
`LearningOpportunity` that leads to a `Qualification`; the awarding bodies are
`Organisation`s and the sectoral council's approval is an `Accreditation`.
`api/v1/elm/dataset.jsonld` holds all of them in one `@graph` for harvesting
(Europass's Qualification Dataset Register).

The documents are written to pass the official SHACL shapes
(LOQ-constraints.ttl and the vocabulary shapes LOQ-constraints-mdr.ttl); what
that takes, beyond the obvious:

* Coded values are embedded `Concept`s with a typed `inScheme`, because the
  shapes check `sh:class skos:Concept` and the scheme of each concept.
* ESCO skills carry no `inScheme`: the MDR pattern for ESCO schemes cannot
  match the real scheme IRI, so a correct value would be reported.
* The edc-ap context has no term for `elm:defaultLanguage` (required on
  LearningOpportunity) or `rdf:value` (required on Amount), and maps
  `dateModified` to an IRI; those properties are written as compact IRIs.
* Every node has an IRI under the site's address, so the per-entry documents
  and the dataset merge into one consistent graph. Related entries (stacking)
  are embedded with the properties a Qualification must have, because the
  shapes check the class of every referenced node.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from ..context import ELM_DATASET, BuildContext, elm_path, level_path, version_path
from ..i18n import LANGUAGES, label
from ..model import Authority, Catalogue, MicroQualification, Provider, Text
from ..rules import isced_f_fields
from . import start_of_day

# Published context URLs: the VC v1 context supplies `id` and `type`, as in the official samples.
CONTEXT = ["https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap"]

EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
ISCED_F_SCHEME = "http://data.europa.eu/snb/isced-f/25831c2"
QDR_SCHEME = "http://data.europa.eu/snb/qdr/25831c2"
MODE_SCHEME = "http://data.europa.eu/snb/learning-assessment/25831c2"
LEARNING_OPPORTUNITY_SCHEME = "http://data.europa.eu/snb/learning-opportunity/25831c2"
CREDIT_SCHEME = "http://data.europa.eu/snb/education-credit/25831c2"
ACCREDITATION_SCHEME = "http://data.europa.eu/snb/accreditation/25831c2"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
CURRENCY_SCHEME = "http://publications.europa.eu/resource/authority/currency"

SHORT_LEARNING_PROGRAMME = "http://data.europa.eu/snb/learning-opportunity/74a4a268e8"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
# "Programme quality assurance": a QA procedure for a programme that leads to a decision
# (EDC accreditation types); a sectoral council's approval of a programme is one.
PROGRAMME_QUALITY_ASSURANCE = "http://data.europa.eu/snb/accreditation/820101cba6"

# Participation form -> EDC mode of learning and assessment (labels as in the vocabulary).
MODES = {
    "in-person": ("http://data.europa.eu/snb/learning-assessment/9191af2ed9", "Presential"),
    "blended": ("http://data.europa.eu/snb/learning-assessment/e92d221e4d", "Blended"),
    "online": ("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "Online"),
}

# The QDR concepts of the LKI levels, once checked against EU Vocabularies (level -> IRI).
# Until then each level is identified by the catalogue's own level page; see nqf_level_iri.
LKI_QDR_LEVELS: dict[int, str] = {}

# Locations are Latvian municipalities (the schema says so).
LOCATIONS_COUNTRY = "LV"

DURATION_UNITS = {"days": "D", "weeks": "W", "months": "M"}


def write_elm(catalogue: Catalogue, site_dir: Path, ctx: BuildContext) -> None:
    """Write `api/v1/elm/<id>.jsonld` for every published entry, and `api/v1/elm/dataset.jsonld`.

    The dataset (250 MB at 10,000 entries) is streamed: each entry's node is encoded once,
    written to its own file and appended to the dataset, so one entry's node is in memory at
    a time. The bytes are those of `dataset_document` encoded in one piece.
    """
    dataset_path = site_dir / ctx.api_path(ELM_DATASET)
    dataset_path.parent.mkdir(parents=True, exist_ok=True)
    with dataset_path.open("w", encoding="utf-8") as dataset:
        dataset.write(f'{{"@context":{_encode(CONTEXT)},"@graph":[{_encode(dataset_node(catalogue, ctx))}')
        for entry in catalogue.published_entries():
            opportunity = _encode(learning_opportunity(entry, catalogue, ctx))
            # {"@context": CONTEXT, **opportunity}, from the node already encoded.
            document = f'{{"@context":{_encode(CONTEXT)},{opportunity[1:]}'
            _write_encoded(site_dir / ctx.api_path(elm_path(entry.id)), document)
            dataset.write(f",{opportunity}")
        dataset.write("]}\n")


def dataset_node(catalogue: Catalogue, ctx: BuildContext) -> dict[str, Any]:
    """The DCAT description of the dataset, which names every published entry's learning opportunity."""
    return {
        "id": ctx.api_url(ELM_DATASET),
        "type": "http://www.w3.org/ns/dcat#Dataset",
        "title": _labels("site.name"),
        "description": _labels("site.description"),
        "dc:modified": _datetime(ctx.today),
        "http://www.w3.org/ns/dcat#landingPage": {"id": ctx.site_url},
        "dc:hasPart": [{"id": learning_opportunity_id(entry, ctx)} for entry in catalogue.published_entries()],
    }


def dataset_document(catalogue: Catalogue, ctx: BuildContext) -> dict[str, Any]:
    """All published entries in one graph, with a DCAT description of the dataset (in memory: for tests)."""
    graph = [learning_opportunity(e, catalogue, ctx) for e in catalogue.published_entries()]
    return {"@context": CONTEXT, "@graph": [dataset_node(catalogue, ctx), *graph]}


# --- Learning opportunity and qualification -------------------------------------------------


def learning_opportunity(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext) -> dict[str, Any]:
    """The LearningOpportunity of an entry, with its Qualification embedded."""
    base = ctx.entry_url(entry)
    node: dict[str, Any] = {
        "id": learning_opportunity_id(entry, ctx),
        "type": "LearningOpportunity",
        "title": _text(entry.title),
        "description": _text(entry.purpose),
        "dcType": _concept(SHORT_LEARNING_PROGRAMME, LEARNING_OPPORTUNITY_SCHEME, {"en": "Short learning programme"}),
        "homepage": _homepages(entry, ctx),
        "elm:defaultLanguage": _language("lv"),
        "mode": _mode(entry),
        "duration": f"P{entry.duration_amount}{DURATION_UNITS[entry.duration_unit]}",
        "providedBy": [organisation(catalogue.providers[p], ctx) for p in entry.awarding_bodies],
        "learningAchievementSpecification": qualification(entry, catalogue, ctx),
        "priceDetail": [_price(entry, base)],
        "status": entry.status,
        "dc:modified": _datetime(ctx.changed(entry)),
    }
    if entry.locations:
        node["location"] = [
            _location(f"{base}#location-{index}", LOCATIONS_COUNTRY, loc.address or loc.municipality, loc.municipality)
            for index, loc in enumerate(entry.locations, start=1)
        ]
    if entry.schedule_description:
        node["scheduleInformation"] = _note(f"{base}#schedule", entry.schedule_description)
    if entry.further_information:
        node["additionalNote"] = [_note(f"{base}#further-information", entry.further_information)]
    return node


def learning_opportunity_id(entry: MicroQualification, ctx: BuildContext) -> str:
    """The IRI of an entry's LearningOpportunity node."""
    return f"{ctx.entry_url(entry)}#learning-opportunity"


def qualification(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext) -> dict[str, Any]:
    """The Qualification of an entry: outcomes, level, field, workload, awarding and approval."""
    base = ctx.entry_url(entry)
    node = qualification_core(entry, ctx)
    node.update(
        {
            "description": _text(entry.purpose),
            "volumeOfLearning": entry.volume_of_learning,
            "language": [_language(code) for code in entry.languages],
            "mode": _mode(entry),
            "isPartialQualification": not entry.standalone,
            "provenBy": [_assessment(entry, base)],
            "awardingOpportunity": [_awarding_opportunity(entry, catalogue, ctx)],
            "accreditation": [accreditation(entry, catalogue, ctx)],
            "supplementaryDocument": [_web_resource(ctx.api_url(version_path(entry.id, entry.version)))],
            "status": entry.status,
            "dc:modified": _datetime(ctx.changed(entry)),
        }
    )
    if entry.standalone is None:
        del node["isPartialQualification"]  # the entry says nothing about it: not "complete" by default
    if entry.ects is not None:
        node["creditPoint"] = [
            {
                "id": f"{base}#credit-ects",
                "type": "CreditPoint",
                "framework": _concept(ECTS, CREDIT_SCHEME, {"en": "European Credit Transfer System"}),
                "point": _number(entry.ects),
            }
        ]
    if entry.prerequisites:
        node["entryRequirement"] = _note(f"{base}#entry-requirement", entry.prerequisites)
    if entry.further_information:
        node["additionalNote"] = [_note(f"{base}#further-information", entry.further_information)]
    # Stacking inside the catalogue; a larger formal qualification has no outcomes here to describe it.
    parts = [catalogue.entries[i] for i in catalogue.built_from().get(entry.id, ()) if catalogue.entries[i].published]
    wholes = [
        catalogue.entries[i] for i in entry.stacks_into if i in catalogue.entries and catalogue.entries[i].published
    ]
    if parts:
        node["hasPart"] = [qualification_core(part, ctx) for part in parts]
    if wholes:
        node["isPartOf"] = [qualification_core(whole, ctx) for whole in wholes]
    return node


def qualification_core(entry: MicroQualification, ctx: BuildContext) -> dict[str, Any]:
    """What every Qualification node must carry; related entries are embedded with this much."""
    base = ctx.entry_url(entry)
    return {
        "id": f"{base}#qualification",
        "type": "Qualification",
        "title": _text(entry.title),
        "eqfLevel": _concept(
            entry.eqf_uri, EQF_SCHEME, _labels("certificate.frameworks.eqf_level", n=entry.eqf), notation=str(entry.eqf)
        ),
        "nqfLevel": [
            _concept(
                nqf_level_iri(entry.lki, ctx),
                QDR_SCHEME,
                _labels("certificate.frameworks.lki_level", n=entry.lki),
                notation=str(entry.lki),
            )
        ],
        "thematicArea": [_isced_f(entry.isced_f)],
        "learningOutcome": [
            {
                "id": f"{base}#outcome-{index}",
                "type": "LearningOutcome",
                "title": _text(outcome.text),
                # No inScheme: the MDR shapes' ESCO pattern rejects the real ESCO scheme IRI.
                **(
                    {"relatedESCOSkill": [{"id": uri, "type": "Concept"} for uri in outcome.esco_skills]}
                    if outcome.esco_skills
                    else {}
                ),
            }
            for index, outcome in enumerate(entry.learning_outcomes, start=1)
        ],
        "homepage": [_web_resource(ctx.entry_url(entry, language), language) for language in LANGUAGES],
    }


def nqf_level_iri(lki: int, ctx: BuildContext) -> str:
    """The concept of an LKI level: its QDR concept once known, else the catalogue's level page."""
    return LKI_QDR_LEVELS.get(lki) or ctx.url(level_path(lki))


def _assessment(entry: MicroQualification, base: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"{base}#assessment",
        "type": "LearningAssessmentSpecification",
        "title": {
            language: label(language, "certificate.assessment_title", title=entry.title.get(language))
            for language in LANGUAGES
        },
        "description": _text(entry.assessment_description),
        "language": [_language(code) for code in entry.languages],
        "mode": _mode(entry),
    }
    methods = {
        language: ", ".join(label(language, f"assessment_method.{m}") for m in entry.assessment_methods)
        for language in LANGUAGES
    }
    notes = [_note(f"{base}#assessment-methods", Text(methods["lv"], methods["en"]))]
    if entry.supervision:
        notes.append(
            _note(
                f"{base}#supervision",
                Text(label("lv", f"supervision.{entry.supervision}"), label("en", f"supervision.{entry.supervision}")),
            )
        )
    node["additionalNote"] = notes
    return node


def _awarding_opportunity(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext) -> dict[str, Any]:
    base = ctx.entry_url(entry)
    lead = catalogue.providers[entry.awarding_bodies[0]]
    return {
        "id": f"{base}#awarding",
        "type": "AwardingOpportunity",
        "awardingBody": [organisation(catalogue.providers[p], ctx) for p in entry.awarding_bodies],
        "location": _location(f"{base}#awarding-location", lead.country, None, lead.region),
        "learningAchievementSpecification": {"id": f"{base}#qualification"},
    }


def accreditation(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext) -> dict[str, Any]:
    """The authorising body's approval of the programme: who decided what, when, and the next review."""
    base = ctx.entry_url(entry)
    authority = catalogue.authorities[entry.authorised_by]
    assert entry.decision is not None, "only decided entries are exported"
    return {
        "id": f"{base}#accreditation",
        "type": "Accreditation",
        "dcType": _concept(PROGRAMME_QUALITY_ASSURANCE, ACCREDITATION_SCHEME),
        "title": _labels("certificate.accreditation_title"),
        "description": _text(entry.qa_type),
        "decision": _concept(f"{base}#decision", None, {"lv": entry.decision}, notation=entry.decision),
        "identifier": [
            {
                "id": f"{base}#decision-reference",
                "type": "Identifier",
                "notation": entry.decision,
                # schemeAgency is a single value (maxCount 1): the name in Latvian.
                "schemeAgency": {"lv": authority.name.lv},
            }
        ],
        "accreditingAgent": authority_organisation(authority, ctx),
        "organisation": [organisation(catalogue.providers[p], ctx) for p in entry.awarding_bodies],
        "limitQualification": {"id": f"{base}#qualification"},
        "dateIssued": _datetime_value(entry.decision_date),
        "reviewDate": _datetime_value(entry.review_due),
    }


# --- Organisations ----------------------------------------------------------------------------


def organisation(provider: Provider, ctx: BuildContext) -> dict[str, Any]:
    """An awarding body: legal name, registration, address, contacts and homepage."""
    base = ctx.provider_url(provider)
    node: dict[str, Any] = {
        # The provider's DID, the identifier its signed credentials name (generator/credentials/registry.py).
        "id": ctx.provider_did(provider.id),
        "type": "Organisation",
        "legalName": {"lv": provider.legal_name},
        "registration": {
            "id": f"{base}#registration",
            "type": "LegalIdentifier",
            "notation": provider.registration_number,
            "spatial": _country(provider.country),
        },
        "location": [_location(f"{base}#legal-address", provider.country, provider.legal_address, provider.region)],
        "contactPoint": [_contact_point(f"{base}#contact", provider.contact.email, provider.contact.phone)],
        "homepage": [_web_resource(provider.website)],
    }
    # altLabel must differ from the legal name (sh:disjoint), so a name equal to it is left out.
    names = {lang: name for lang, name in provider.name.as_dict().items() if name != provider.legal_name}
    if names:
        node["altLabel"] = names
    if provider.education_register_number:
        node["identifier"] = [
            {
                "id": f"{base}#education-register",
                "type": "Identifier",
                "notation": provider.education_register_number,
                "schemeName": label("en", "certificate.education_register"),
            }
        ]
    return node


def authority_organisation(authority: Authority, ctx: BuildContext) -> dict[str, Any]:
    """The authorising body; its node lives in the dataset document."""
    node: dict[str, Any] = {
        "id": ctx.api_url(f"{ELM_DATASET}#authority-{authority.id}"),
        "type": "Organisation",
        "legalName": _text(authority.name),
        "location": [
            _location(ctx.api_url(f"{ELM_DATASET}#authority-{authority.id}-location"), authority.country, None, None)
        ],
    }
    if authority.website:
        node["homepage"] = [_web_resource(authority.website)]
    return node


def _contact_point(iri: str, email: str | None, phone: str | None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": iri, "type": "ContactPoint"}
    if email:
        node["emailAddress"] = [{"id": f"mailto:{email}", "type": "Mailbox"}]
    if phone:
        node["phone"] = [{"id": f"{iri}-phone", "type": "Phone", "phoneNumber": phone}]
    return node


def _location(iri: str, country: str, full_address: str | None, name: str | None) -> dict[str, Any]:
    address: dict[str, Any] = {"id": f"{iri}-address", "type": "Address", "countryCode": _country(country)}
    if full_address:
        address["fullAddress"] = {"id": f"{iri}-full-address", "type": "Note", "noteLiteral": {"lv": full_address}}
    node: dict[str, Any] = {"id": iri, "type": "Location", "address": [address]}
    if name:
        node["geographicName"] = {"lv": name}
    return node


# --- Values -----------------------------------------------------------------------------------


def _price(entry: MicroQualification, base: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"{base}#price",
        "type": "PriceDetail",
        "prefLabel": _labels(f"cost_type.{entry.cost_type}"),
    }
    if entry.cost_type == "paid" and entry.cost_amount is not None and entry.cost_currency:
        node["amount"] = {
            "id": f"{base}#price-amount",
            "type": "Amount",
            "unit": _concept(f"{CURRENCY_SCHEME}/{entry.cost_currency}", CURRENCY_SCHEME, notation=entry.cost_currency),
            # The context's `value` term is elm:value; the shape wants rdf:value.
            "rdf:value": {"@value": _number(entry.cost_amount), "@type": "xsd:decimal"},
        }
    if entry.funding:
        node["description"] = _text(entry.funding)
    return node


def _homepages(entry: MicroQualification, ctx: BuildContext) -> list[dict[str, Any]]:
    pages = [_web_resource(ctx.entry_url(entry, language), language) for language in LANGUAGES]
    if entry.homepage:
        pages.append(_web_resource(entry.homepage))
    return pages


def _web_resource(url: str, language: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": url, "type": "WebResource", "contentURL": url}
    if language:
        node["language"] = _language(language)
    return node


def _mode(entry: MicroQualification) -> list[dict[str, Any]]:
    iri, name = MODES[entry.participation_form]
    return [_concept(iri, MODE_SCHEME, {"en": name})]


def _isced_f(code: str) -> dict[str, Any]:
    name = isced_f_fields().get(code)
    return _concept(
        f"http://data.europa.eu/snb/isced-f/{code}", ISCED_F_SCHEME, {"en": name} if name else None, notation=code
    )


@cache
def _language_code(code: str) -> str:
    record = pycountry.languages.get(alpha_2=code)
    return (record.alpha_3 if record else code).upper()


def _language(code: str) -> dict[str, Any]:
    record = pycountry.languages.get(alpha_2=code)
    return _concept(
        f"{LANGUAGE_SCHEME}/{_language_code(code)}", LANGUAGE_SCHEME, {"en": record.name} if record else None
    )


def _country(code: str) -> dict[str, Any]:
    record = pycountry.countries.get(alpha_2=code)
    alpha_3 = record.alpha_3 if record else code
    return _concept(f"{COUNTRY_SCHEME}/{alpha_3}", COUNTRY_SCHEME, {"en": record.name} if record else None)


def _concept(
    iri: str, scheme: str | None, labels: dict[str, str] | None = None, notation: str | None = None
) -> dict[str, Any]:
    node: dict[str, Any] = {"id": iri, "type": "Concept"}
    if scheme:
        node["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    if labels:
        node["prefLabel"] = labels
    if notation:
        node["notation"] = notation
    return node


def _note(iri: str, text: Text) -> dict[str, Any]:
    return {"id": iri, "type": "Note", "noteLiteral": _text(text)}


def _text(text: Text) -> dict[str, str]:
    """A language map: Latvian always, English where given."""
    return text.as_dict()


def _labels(key: str, **values: Any) -> dict[str, str]:
    """An interface label in every language, as a language map."""
    return {language: label(language, key, **values) for language in LANGUAGES}


def _number(value: float | int) -> str:
    """A decimal without float noise or a needless `.0` (`3`, `1.5`)."""
    return format(Decimal(str(value)).normalize(), "f")


def _datetime(day: Any) -> dict[str, str]:
    """An xsd:dateTime literal for properties whose context term is missing or mistyped."""
    return {"@value": start_of_day(day), "@type": "xsd:dateTime"}


def _datetime_value(day: Any) -> str:
    """An xsd:dateTime for properties the context types as such (dateIssued, reviewDate)."""
    return start_of_day(day)


def _encode(value: Any) -> str:
    # Compact, without sorting: the C encoder, one entry's nodes at a time.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _write_encoded(path: Path, encoded: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(encoded + "\n", encoding="utf-8")
