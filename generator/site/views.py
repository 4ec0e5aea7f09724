"""View models: what each page shows, formatted once, in one language.

Templates print these values (escaping them); they never format data
themselves. A catalogue text in the page's language is a plain string; one that
is missing in the page's language falls back to Latvian and says so:
`{"text": ..., "lang": "lv"}` marks such a fallback so the template can set the
`lang` attribute and show the notice (mq-macros.html's `t` prints both kinds).
Plain strings keep the front matter small: MkDocs parses every page's view with
PyYAML, whose cost is in the number of nodes (a text as a mapping was five).
"""

from __future__ import annotations

from typing import Any

from ..context import (
    BuildContext,
    elm_path,
    entry_json_path,
    level_path,
    ob3_path,
    provider_path,
    sector_path,
    version_path,
)
from ..escaping import safe_link
from ..formatting import (
    Labels,
    cost,
    country_name,
    date,
    duration,
    isced_f_text,
    language_name,
    level,
    next_intake,
    places,
    workload,
)
from ..i18n import other_language
from ..model import Catalogue, MicroQualification, Provider, Text


def shown(value: Text | None, language: str) -> str | dict[str, Any] | None:
    """A catalogue text as a view shows it: a string in the page's language, or the Latvian fallback marked."""
    if value is None:
        return None
    if value.has(language):
        return value.get(language)
    return {"text": value.lv, "lang": "lv"}


def shown_text(value: str | dict[str, Any] | None) -> str:
    """The words of a shown text, whichever its kind."""
    if isinstance(value, dict):
        return str(value["text"])
    return value or ""


def provider_names(entry: MicroQualification, catalogue: Catalogue, language: str) -> list[dict[str, Any]]:
    names = []
    for provider_id in entry.awarding_bodies:
        provider = catalogue.providers[provider_id]
        names.append({"name": shown(provider.name, language), "path": provider_path(provider.id)})
    return names


def card(entry: MicroQualification, catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """The key facts shown in listings (sector, provider and level pages)."""
    L = Labels(language)
    return {
        "id": entry.id,
        "path": ctx.entry_path(entry),
        "title": shown(entry.title, language),
        "level": level(entry, L),
        "workload": workload(entry, L),
        "participation": L(f"participation_form.{entry.participation_form}"),
        "providers": provider_names(entry, catalogue, language),
        "languages": ", ".join(language_name(code, language) for code in entry.languages),
        "status": entry.status,
        "status_label": L(f"status.{entry.status}"),
        "overdue": entry.review_overdue(ctx.today),
        "example": catalogue.is_example(entry),
    }


def provider_block(provider: Provider, language: str) -> dict[str, Any]:
    L = Labels(language)
    return {
        "id": provider.id,
        "path": provider_path(provider.id),
        "name": shown(provider.name, language),
        "legal_name": provider.legal_name,
        "type": L(f"provider_type.{provider.type}"),
        "registration_number": provider.registration_number,
        "education_register_number": provider.education_register_number,
        "address": provider.legal_address,
        "country": country_name(provider.country, language),
        "region": provider.region,
        "email": provider.contact.email,
        "phone": provider.contact.phone,
        "contact_name": provider.contact.name,
        "website": safe_link(provider.website),
        "example": provider.example,
    }


def entry_page(
    entry: MicroQualification,
    catalogue: Catalogue,
    ctx: BuildContext,
    language: str,
    built_from: list[str],
) -> dict[str, Any]:
    """Everything an entry page shows, in Annex I order where the Annex sets one."""
    L = Labels(language)
    authority = catalogue.authorities[entry.authorised_by]
    # A proposal's page (previews only) may link to other proposals, and they to it. Looked up in
    # both (an entry before a proposal of the same id), never merged: a merged copy per page made
    # compiling the site quadratic (17.7 ms per entry at 100,000 entries against 7.9 at 10,000).

    def find(entry_id: str | None) -> MicroQualification | None:
        if entry_id is None:
            return None
        return catalogue.entries.get(entry_id) or catalogue.proposals.get(entry_id)

    def link(target: MicroQualification) -> dict[str, Any]:
        return {
            "title": shown(target.title, language),
            "path": ctx.entry_path(target),
            "status": target.status,
            "status_label": L(f"status.{target.status}"),
        }

    providers = [provider_block(catalogue.providers[p], language) for p in entry.awarding_bodies]
    countries = sorted({(p["country"], p["region"] or "") for p in providers})
    larger = entry.larger_qualification
    return {
        "id": entry.id,
        "version": entry.version,
        "status": entry.status,
        "status_label": L(f"status.{entry.status}"),
        "status_reason": shown(entry.status_reason, language),
        "proposed": entry.proposed,
        "replaced_by": link(replaced_by) if (replaced_by := find(entry.replaced_by)) else None,
        "overdue": entry.review_overdue(ctx.today),
        "example": catalogue.is_example(entry),
        "title": shown(entry.title, language),
        "title_other": shown(entry.title, other_language(language)),
        "purpose": shown(entry.purpose, language),
        "sector": {"name": shown(catalogue.sectors[entry.sector].name, language), "path": sector_path(entry.sector)},
        "countries": [", ".join(filter(None, pair)) for pair in countries],
        "providers": providers,
        "learning_outcomes": [
            {
                "text": shown(o.text, language),
                "esco": [
                    {"uri": uri, "link": safe_link("https://" + uri.removeprefix("http://"))} for uri in o.esco_skills
                ],
            }
            for o in entry.learning_outcomes
        ],
        "workload": workload(entry, L),
        "level": level(entry, L),
        "level_path": level_path(entry.lki),
        "assessment_methods": [L(f"assessment_method.{m}") for m in entry.assessment_methods],
        "assessment_description": shown(entry.assessment_description, language),
        "participation": L(f"participation_form.{entry.participation_form}"),
        "qa_type": shown(entry.qa_type, language),
        "authority": {
            "name": shown(authority.name, language),
            "type": L(f"authority_type.{authority.type}"),
            "website": safe_link(authority.website),
        },
        "decision": entry.decision,
        "decision_date": date(entry.decision_date),
        "review_due": date(entry.review_due),
        "prerequisites": shown(entry.prerequisites, language),
        "supervision": L(f"supervision.{entry.supervision}") if entry.supervision else None,
        "standalone": entry.standalone,
        "stacks_into": [link(target) for i in entry.stacks_into if (target := find(i))],
        "built_from": [link(part) for i in built_from if (part := find(i))],
        "larger_qualification": (
            {
                "title": shown(larger.title, language),
                "level": L("units.level_short", n=larger.lki),
                "url": safe_link(larger.url),
            }
            if larger
            else None
        ),
        "further_information": shown(entry.further_information, language),
        "isced_f": isced_f_text(entry.isced_f, language),
        "duration": duration(entry, L),
        "schedule_times": [L(f"schedule_time.{t}") for t in entry.schedule_times],
        "schedule_description": shown(entry.schedule_description, language),
        "languages": [language_name(code, language) for code in entry.languages],
        "locations": [{"municipality": loc.municipality, "address": loc.address} for loc in entry.locations],
        "online": entry.online,
        "cost": cost(entry, L),
        "cost_type": L(f"cost_type.{entry.cost_type}"),
        "funding": shown(entry.funding, language),
        "on_demand": entry.on_demand,
        "starts": [date(d) for d in entry.upcoming_starts(ctx.today)],
        "contact": {"name": entry.contact.name, "email": entry.contact.email, "phone": entry.contact.phone},
        "homepage": safe_link(entry.homepage),
        "changed": date(ctx.changed(entry)),
        # The key facts reuse the fields above; these are the few they add.
        "key": {
            "intake": next_intake(entry, ctx.today, L),
            "places": places(entry, L),
            "calendar": ctx.calendar_path(entry=entry),
        },
        "data_links": {
            "json": ctx.link(ctx.api_path(entry_json_path(entry.id)), language),
            "version": ctx.link(ctx.api_path(version_path(entry.id, entry.version)), language),
            "elm": ctx.link(ctx.api_path(elm_path(entry.id)), language),
            "ob3": ctx.link(ctx.api_path(ob3_path(entry.id, language)), language),
        },
    }
