"""What every output of one build shares: the public address, the date, change dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from .i18n import DEFAULT_LANGUAGE
from .model import MicroQualification, Provider

API_VERSION = "v1"
CALENDAR_FILE = "intakes.ics"
STATISTICS_PATH = "statistics/"
COMPARE_PATH = "compare/"


@dataclass(frozen=True)
class BuildContext:
    """Settings and facts for one build of the site and its open data."""

    site_url: str  # absolute, ends with "/"
    today: dt.date
    # Entry id -> date of the last commit that changed its file (or its approval date).
    last_changed: Mapping[str, dt.date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.site_url.endswith("/"):
            object.__setattr__(self, "site_url", self.site_url + "/")

    def prefix(self, language: str) -> str:
        """Path prefix of a language's pages: '' for Latvian, 'en/' for English."""
        return "" if language == DEFAULT_LANGUAGE else f"{language}/"

    def page_path(self, path: str, language: str = DEFAULT_LANGUAGE) -> str:
        """Site-relative path of a page (`transport-logistics/` -> `en/transport-logistics/`)."""
        return self.prefix(language) + path

    def url(self, path: str, language: str = DEFAULT_LANGUAGE) -> str:
        """Absolute URL of a page."""
        return self.site_url + self.page_path(path, language)

    def entry_path(self, entry: MicroQualification) -> str:
        return f"{entry.sector}/{entry.id}/"

    def entry_url(self, entry: MicroQualification, language: str = DEFAULT_LANGUAGE) -> str:
        return self.url(self.entry_path(entry), language)

    def calendar_path(self, entry: MicroQualification | None = None, sector: str | None = None) -> str:
        """Path, from a language's root, of an iCalendar feed of intakes: one entry's, one sector's or all."""
        if entry is not None:
            return self.entry_path(entry) + CALENDAR_FILE
        if sector is not None:
            return f"{sector}/{CALENDAR_FILE}"
        return CALENDAR_FILE

    def provider_url(self, provider: Provider, language: str = DEFAULT_LANGUAGE) -> str:
        return self.url(f"providers/{provider.id}/", language)

    @property
    def site_did(self) -> str:
        """The did:web of the site's root: the host (a port as %3A) and the path segments, joined by colons."""
        parts = urlsplit(self.site_url)
        segments = [quote(s, safe="") for s in parts.path.split("/") if s]
        return ":".join(["did:web", quote(parts.netloc, safe=""), *segments])

    def provider_did(self, provider_id: str) -> str:
        """A provider's DID (`did:web:host:providers:<id>`), resolved at `providers/<id>/did.json`."""
        return f"{self.site_did}:providers:{provider_id}"

    def api_path(self, path: str) -> str:
        """Site-relative path of an open-data file (`entries/x.json` -> `api/v1/entries/x.json`)."""
        return f"api/{API_VERSION}/{path}"

    def api_url(self, path: str) -> str:
        return self.site_url + self.api_path(path)

    def changed(self, entry: MicroQualification) -> dt.date:
        return self.last_changed.get(entry.id) or entry.decision_date or self.today
