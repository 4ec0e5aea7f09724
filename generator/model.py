"""Typed records of the catalogue, built from validated documents.

Everything downstream (the site, the search index, open data, certificates,
review reports) reads these classes, never raw YAML. Field names follow the
schema; methods that derive a value (a workload in words, the EQF URI) live
here so that every output says the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import schemas

EQF_URI = "http://data.europa.eu/snb/eqf/{}"
ISCED_F_URI = "http://data.europa.eu/snb/isced-f/{}"

# The allowed values, in the schema's order (the schema is their only definition).
PARTICIPATION_FORMS: tuple[str, ...] = tuple(
    schemas.schema(schemas.MICRO_QUALIFICATION)["properties"]["participation_form"]["enum"]
)
# Fields whose change alters what a certificate certifies: a published entry that
# changes any of them needs a new version (the schema's `version` says the same).
SUBSTANTIVE_FIELDS = ("learning_outcomes", "level", "workload", "assessment", "participation_form", "quality_assurance")
# A proposed entry awaits the council's decision: previews show it, nothing published does.
PROPOSED = "proposed"
# The fields that only the sector council writes (with `mqcat approve`, `suspend`, `withdraw`).
APPROVAL_FIELDS = (
    ("status",),
    ("status_reason",),
    ("replaced_by",),
    ("quality_assurance", "decision"),
    ("quality_assurance", "decision_date"),
    ("quality_assurance", "review_due"),
)
DECISION_FIELDS = APPROVAL_FIELDS[3:]


@dataclass(frozen=True)
class Text:
    """A text in Latvian (always) and English (where given)."""

    lv: str
    en: str | None = None

    @classmethod
    def from_data(cls, data: dict[str, str]) -> Text:
        return cls(lv=data["lv"], en=data.get("en"))

    @classmethod
    def optional(cls, data: dict[str, str] | None) -> Text | None:
        """The text of an optional field: None where the field is absent."""
        return None if data is None else cls.from_data(data)

    def get(self, language: str) -> str:
        """The text in `language`, falling back to Latvian."""
        return self.en if language == "en" and self.en else self.lv

    def has(self, language: str) -> bool:
        return language == "lv" or bool(self.en)

    def as_dict(self) -> dict[str, str]:
        return {"lv": self.lv, **({"en": self.en} if self.en else {})}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str | None
    phone: str | None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Contact:
        return cls(data.get("name"), data.get("email"), data.get("phone"))


@dataclass(frozen=True)
class Sector:
    id: str
    name: Text
    council: Text
    nace: tuple[str, ...]
    reviewers: tuple[str, ...]


@dataclass(frozen=True)
class Authority:
    id: str
    name: Text
    type: str
    country: str
    sector: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class SigningKey:
    """A provider's registered public key for signing credentials, with the days it may sign on."""

    kid: str
    jwk: dict[str, str] = field(compare=False)
    valid_from: dt.date
    valid_until: dt.date
    revoked: dt.date | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SigningKey:
        return cls(
            kid=data["kid"],
            jwk=dict(data["jwk"]),
            valid_from=dt.date.fromisoformat(data["valid_from"]),
            valid_until=dt.date.fromisoformat(data["valid_until"]),
            revoked=_date(data.get("revoked")),
        )

    @property
    def algorithm(self) -> str:
        """The JWS algorithm the key signs with: ES256 for P-256, EdDSA for Ed25519."""
        return "EdDSA" if self.jwk.get("crv") == "Ed25519" else "ES256"

    def usable_on(self, day: dt.date) -> bool:
        """May sign a credential issued on `day`: within its validity and never revoked."""
        return self.revoked is None and self.valid_from <= day <= self.valid_until


@dataclass(frozen=True)
class Provider:
    id: str
    name: Text
    legal_name: str
    type: str
    registration_number: str
    legal_address: str
    country: str
    contact: Contact
    website: str
    example: bool = False
    region: str | None = None
    education_register_number: str | None = None
    signing_keys: tuple[SigningKey, ...] = ()
    source: str = ""

    @classmethod
    def from_data(cls, data: dict[str, Any], source: str = "") -> Provider:
        return cls(
            id=data["id"],
            name=Text.from_data(data["name"]),
            legal_name=data["legal_name"],
            type=data["type"],
            registration_number=data["registration_number"],
            legal_address=data["legal_address"],
            country=data["country"],
            contact=Contact.from_data(data["contact"]),
            website=data["website"],
            example=bool(data.get("example", False)),
            region=data.get("region"),
            education_register_number=data.get("education_register_number"),
            signing_keys=tuple(SigningKey.from_data(k) for k in data.get("signing_keys", ())),
            source=source,
        )


@dataclass(frozen=True)
class LearningOutcome:
    text: Text
    esco_skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    municipality: str
    address: str | None = None


@dataclass(frozen=True)
class LargerQualification:
    title: Text
    lki: int
    url: str | None = None


@dataclass(frozen=True)
class MicroQualification:
    """One programme description: a micro-qualification of the catalogue."""

    id: str
    version: int
    status: str
    title: Text
    purpose: Text
    sector: str
    awarding_bodies: tuple[str, ...]
    learning_outcomes: tuple[LearningOutcome, ...]
    hours: float
    ects: float | None
    lki: int
    isced_f: str
    assessment_methods: tuple[str, ...]
    assessment_description: Text
    supervision: str | None
    participation_form: str
    qa_type: Text
    authorised_by: str
    # None only for a proposed entry that awaits the council's decision.
    decision: str | None
    decision_date: dt.date | None
    review_due: dt.date | None
    languages: tuple[str, ...]
    duration_amount: int
    duration_unit: str
    cost_type: str
    cost_amount: float | None
    cost_currency: str | None
    funding: Text | None
    on_demand: bool
    starts: tuple[dt.date, ...]
    contact: Contact
    status_reason: Text | None = None
    replaced_by: str | None = None
    prerequisites: Text | None = None
    standalone: bool | None = None  # None: the entry says nothing about stackability
    stacks_into: tuple[str, ...] = ()
    larger_qualification: LargerQualification | None = None
    further_information: Text | None = None
    schedule_times: tuple[str, ...] = ()
    schedule_description: Text | None = None
    locations: tuple[Location, ...] = ()
    homepage: str | None = None
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    # The raw validated document, for exports that mirror the file (open data, diffs).
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_data(cls, data: dict[str, Any], source: str = "") -> MicroQualification:
        stack = data.get("stackability") or {}
        larger = stack.get("qualification")
        schedule = data.get("schedule") or {}
        cost = data["cost"]
        qa = data["quality_assurance"]
        assessment = data["assessment"]
        return cls(
            id=data["id"],
            version=data["version"],
            status=data["status"],
            title=Text.from_data(data["title"]),
            purpose=Text.from_data(data["purpose"]),
            sector=data["sector"],
            awarding_bodies=tuple(data["awarding_bodies"]),
            learning_outcomes=tuple(
                LearningOutcome(Text.from_data(o["text"]), tuple(o.get("esco_skills", ())))
                for o in data["learning_outcomes"]
            ),
            hours=data["workload"]["hours"],
            ects=data["workload"].get("ects"),
            lki=data["level"]["lki"],
            isced_f=data["isced_f"],
            assessment_methods=tuple(assessment["methods"]),
            assessment_description=Text.from_data(assessment["description"]),
            supervision=assessment.get("supervision"),
            participation_form=data["participation_form"],
            qa_type=Text.from_data(qa["type"]),
            authorised_by=qa["authorised_by"],
            decision=qa.get("decision"),
            decision_date=_date(qa.get("decision_date")),
            review_due=_date(qa.get("review_due")),
            languages=tuple(data["languages"]),
            duration_amount=data["duration"]["amount"],
            duration_unit=data["duration"]["unit"],
            cost_type=cost["type"],
            cost_amount=cost.get("amount"),
            cost_currency=cost.get("currency"),
            funding=Text.optional(cost.get("funding")),
            on_demand=data["intakes"]["on_demand"],
            starts=tuple(sorted(dt.date.fromisoformat(d) for d in data["intakes"].get("starts", ()))),
            contact=Contact.from_data(data["contact"]),
            status_reason=Text.optional(data.get("status_reason")),
            replaced_by=data.get("replaced_by"),
            prerequisites=Text.optional(data.get("prerequisites")),
            standalone=stack.get("standalone"),
            stacks_into=tuple(stack.get("stacks_into", ())),
            larger_qualification=(
                LargerQualification(Text.from_data(larger["title"]), larger["lki"], larger.get("url"))
                if larger
                else None
            ),
            further_information=Text.optional(data.get("further_information")),
            schedule_times=tuple(schedule.get("times", ())),
            schedule_description=Text.optional(schedule.get("description")),
            locations=tuple(Location(loc["municipality"], loc.get("address")) for loc in data.get("locations", ())),
            homepage=data.get("homepage"),
            keywords={lang: tuple(words) for lang, words in (data.get("keywords") or {}).items()},
            source=source,
            data=data,
        )

    # Derived facts, computed in one place.

    @property
    def eqf(self) -> int:
        """EQF level: LKI levels map one to one onto EQF levels."""
        return self.lki

    @property
    def eqf_uri(self) -> str:
        return EQF_URI.format(self.eqf)

    @property
    def isced_f_uri(self) -> str:
        return ISCED_F_URI.format(self.isced_f)

    @property
    def proposed(self) -> bool:
        """Awaiting the council's decision: shown in previews only, never published."""
        return self.status == PROPOSED

    @property
    def published(self) -> bool:
        """Listed on the site: active or suspended (withdrawn entries are tombstones, proposals are not approved)."""
        return self.status in ("active", "suspended")

    @property
    def online(self) -> bool:
        return self.participation_form == "online"

    @property
    def volume_of_learning(self) -> str:
        """Workload as an ISO 8601 duration (`PT40H`), as ELM and schema.org expect."""
        hours = int(self.hours) if float(self.hours).is_integer() else self.hours
        return f"PT{hours}H"

    @property
    def workload_band(self) -> str:
        """A coarse band of hours for the finder's facet."""
        if self.hours <= 25:
            return "up-to-25"
        if self.hours <= 80:
            return "26-80"
        if self.hours <= 160:
            return "81-160"
        return "over-160"

    def review_overdue(self, today: dt.date) -> bool:
        return self.published and self.review_due is not None and self.review_due < today

    def upcoming_starts(self, today: dt.date) -> tuple[dt.date, ...]:
        return tuple(d for d in self.starts if d >= today)

    def municipalities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(loc.municipality for loc in self.locations))

    def texts(self) -> Iterator[tuple[str, Text]]:
        """Every human-readable text with a label of where it is, for checks and search."""
        yield "title", self.title
        yield "purpose", self.purpose
        for index, outcome in enumerate(self.learning_outcomes):
            yield f"learning_outcomes[{index}]", outcome.text
        yield "assessment.description", self.assessment_description
        yield "quality_assurance.type", self.qa_type
        for name, value in (
            ("status_reason", self.status_reason),
            ("prerequisites", self.prerequisites),
            ("further_information", self.further_information),
            ("schedule.description", self.schedule_description),
            ("cost.funding", self.funding),
        ):
            if value is not None:
                yield name, value


@dataclass
class Catalogue:
    """The whole validated catalogue, with the indexes every output needs."""

    sectors: dict[str, Sector]
    authorities: dict[str, Authority]
    providers: dict[str, Provider]
    entries: dict[str, MicroQualification]
    maintainers: tuple[str, ...] = ()
    # Proposed entries, kept apart from `entries` so that no published output can list them.
    proposals: dict[str, MicroQualification] = field(default_factory=dict)
    # Provider id -> the status indexes of the credentials it revoked (catalogue/status-lists/).
    revoked: dict[str, frozenset[int]] = field(default_factory=dict)
    # Catalogue-wide relations, computed once on first use: outputs ask for them per entry.
    _relations: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def published_entries(self) -> list[MicroQualification]:
        """Active and suspended entries, in a stable order (sector, then title)."""
        if "published" not in self._relations:
            self._relations["published"] = sorted(
                (e for e in self.entries.values() if e.published),
                key=lambda e: (e.sector, e.title.lv.casefold(), e.id),
            )
        return list(self._relations["published"])

    def built_from(self) -> dict[str, list[str]]:
        """For each entry, the entries that stack into it (the reverse of stacks_into). Do not modify."""
        if "built_from" not in self._relations:
            result: dict[str, list[str]] = {}
            for entry in self.entries.values():
                for target in entry.stacks_into:
                    result.setdefault(target, []).append(entry.id)
            for parts in result.values():
                parts.sort()
            self._relations["built_from"] = result
        return self._relations["built_from"]

    def entries_by_sector(self) -> dict[str, list[MicroQualification]]:
        """Published entries of each sector (computed once). Do not modify."""
        if "by_sector" not in self._relations:
            result: dict[str, list[MicroQualification]] = {sector: [] for sector in self.sectors}
            for entry in self.published_entries():
                result.setdefault(entry.sector, []).append(entry)
            self._relations["by_sector"] = result
        return self._relations["by_sector"]

    def entries_by_provider(self) -> dict[str, list[MicroQualification]]:
        """Published entries of each awarding body (computed once). Do not modify."""
        if "by_provider" not in self._relations:
            result: dict[str, list[MicroQualification]] = {provider: [] for provider in self.providers}
            for entry in self.published_entries():
                for provider in entry.awarding_bodies:
                    result.setdefault(provider, []).append(entry)
            self._relations["by_provider"] = result
        return self._relations["by_provider"]

    def entries_by_level(self) -> dict[int, list[MicroQualification]]:
        """Published entries of each LKI level, levels in order (computed once). Do not modify."""
        if "by_level" not in self._relations:
            result: dict[int, list[MicroQualification]] = {}
            for entry in self.published_entries():
                result.setdefault(entry.lki, []).append(entry)
            self._relations["by_level"] = dict(sorted(result.items()))
        return self._relations["by_level"]

    def is_example(self, entry: MicroQualification) -> bool:
        """An entry awarded by a fictional example provider."""
        return any(self.providers[p].example for p in entry.awarding_bodies if p in self.providers)
