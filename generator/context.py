"""The layout of the site and its open data, and what every output of one build shares.

One place names every address: the pages (relative to a language's root; Latvian
at the site's root, other languages under `<language>/`) and the open-data files
(relative to `api/<API_VERSION>/`). `BuildContext` turns them into site-relative
paths and absolute URLs for one build. Outputs ask here; none builds a path of
another output itself. The site's templates receive finished links, from their
language's root (`BuildContext.link`), and only put MkDocs' base_url before them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .i18n import DEFAULT_LANGUAGE, LANGUAGES, other_language
from .model import MicroQualification, Provider

API_VERSION = "v1"

# Pages and files of a language's root.
FINDER_PATH = "finder/"
LEVELS_PATH = "levels/"
PROVIDERS_PATH = "providers/"
STATISTICS_PATH = "statistics/"
COMPARE_PATH = "compare/"
VERIFY_PATH = "verify/"
CALENDAR_FILE = "intakes.ics"
FEED_FILE = "feed.atom"
# At the site's root, for both languages.
SITEMAP_FILE = "sitemap.xml"
ROBOTS_FILE = "robots.txt"
# Our scripts and stylesheets, in every language's root (generator/site/assets/).
ASSETS_PATH = "assets/"
# lunr.js, for the finder, from the site's root (one copy for both languages).
LUNR_JS_PATH = f"{ASSETS_PATH}javascripts/lunr.js"
# Our own prose pages (about, accessibility, ...): one Markdown file each, the same names in every language.
PROSE_PAGES = Path(__file__).resolve().parent / "site" / "content" / DEFAULT_LANGUAGE
# Top-level names the site's own pages and files take (our prose pages, MkDocs and
# Material's folders, the API, the languages): a sector, whose pages are `<sector>/`,
# must not take one.
RESERVED_PATHS = frozenset(
    {
        *(path.rstrip("/") for path in (FINDER_PATH, LEVELS_PATH, PROVIDERS_PATH, STATISTICS_PATH)),
        *(path.rstrip("/") for path in (COMPARE_PATH, VERIFY_PATH)),
        *(page.stem for page in PROSE_PAGES.glob("*.md")),
        *("search", "assets", "stylesheets", "javascripts"),
        *("api", "schema", "status-lists"),
        *(language for language in LANGUAGES if language != DEFAULT_LANGUAGE),
    }
)


def sector_path(sector_id: str) -> str:
    return f"{sector_id}/"


def provider_path(provider_id: str) -> str:
    return f"{PROVIDERS_PATH}{provider_id}/"


def asset_path(name: str) -> str:
    """One of our scripts or stylesheets (`finder.js` -> `assets/finder.js`)."""
    return f"{ASSETS_PATH}{name}"


def prose_path(name: str, section: str = "") -> str:
    """One of our prose pages (`about` -> `about/`), or a section of it (`about/#how-to-submit`)."""
    return f"{name}/#{section}" if section else f"{name}/"


def level_path(lki: int) -> str:
    return f"{LEVELS_PATH}{lki}/"


# A long list of entries (a sector's, a level's, a provider's) is shown LISTING_SIZE cards to
# a page: `levels/4/`, then `levels/4/page/2/`, ... Under a sector's folder that name would be
# an entry's page, so no entry may take it as its id (rules.check_entry).
LISTING_SIZE = 50
LISTING_PAGE = "page"


def listing_path(path: str, number: int) -> str:
    """Page `number` (from 1) of the list whose first page is at `path`."""
    return path if number == 1 else f"{path}{LISTING_PAGE}/{number}/"


def source_file(path: str, index: bool = False) -> str:
    """The Markdown file, relative to a language's docs/, that MkDocs renders at the page `path`.

    `levels/3/` is `levels/3.md`; a folder's own page (`index`, and the home page) is its
    `index.md`: `levels/` is `levels/index.md`.
    """
    return f"{path}index.md" if index or not path else f"{path.removesuffix('/')}.md"


# The finder's data, beside its page (assets/finder.js reads them from there).
FINDER_RECORDS = f"{FINDER_PATH}entries.json"
FINDER_INDEX_DIR = f"{FINDER_PATH}index/"
# A bucket's file, with `{bucket}` for its number: finder.js fills it in the same way.
FINDER_BUCKET = f"{FINDER_INDEX_DIR}{{bucket}}.json"


def finder_bucket_path(bucket: int) -> str:
    """Bucket `bucket` of the finder's index."""
    return FINDER_BUCKET.format(bucket=bucket)


# Open-data files, relative to api/<API_VERSION>/ (`api_file` gives their site-relative path).
CATALOGUE_JSON = "catalogue.json"
CATALOGUE_CSV = "catalogue.csv"
VERSIONS_MANIFEST = "versions.json"
ELM_DATASET = "elm/dataset.jsonld"


def api_file(path: str) -> str:
    """Site-relative path of an open-data file (`entries/x.json` -> `api/v1/entries/x.json`)."""
    return f"api/{API_VERSION}/{path}"


ENTRIES_JSON_DIR = "entries/"


def entry_json_path(entry_id: str) -> str:
    """The living description of an entry."""
    return f"{ENTRIES_JSON_DIR}{entry_id}.json"


def version_path(entry_id: str, version: int) -> str:
    """One immutable version of an entry (`entries/<id>/v<version>.json`)."""
    return f"entries/{entry_id}/v{version}.json"


def schema_path(name: str) -> str:
    return f"schema/{name}"


def elm_path(entry_id: str) -> str:
    """An entry's Europass (ELM v3) description."""
    return f"elm/{entry_id}.jsonld"


def _registry_path(kind: str, name: str, suffix: str = ".json") -> str:
    """A file of the registry that verifiers read: `registry/<kind>/<name><suffix>`."""
    return f"registry/{kind}/{name}{suffix}"


def issuer_record_path(provider_id: str) -> str:
    """A provider's keys with their validity and revocation (the registry of issuers)."""
    return _registry_path("issuers", provider_id)


def issuer_jwks_path(provider_id: str) -> str:
    """A provider's usable public keys as a JWKS, beside its issuer record."""
    return _registry_path("issuers", provider_id, ".jwks.json")


def entry_facts_path(entry_id: str) -> str:
    """What a verifier needs of an entry: its awarding bodies and its states in time."""
    return _registry_path("entries", entry_id)


def status_list_path(provider_id: str) -> str:
    """A provider's revocation list."""
    return _registry_path("status", provider_id)


def did_document_path(provider_id: str) -> str:
    """A provider's did:web document, from the site's root (where a did:web resolver looks)."""
    return f"{provider_path(provider_id)}did.json"


def ob3_path(entry_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    """An entry's Open Badges 3.0 Achievement in one language (the default language without a suffix)."""
    suffix = "" if language == DEFAULT_LANGUAGE else f".{language}"
    return f"ob3/{entry_id}{suffix}.json"


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

    def link(self, site_path: str, language: str) -> str:
        """A site-relative path as a link from a language's root (`api/v1/x.json` -> `../api/v1/x.json` in English).

        MkDocs gives templates the root of the page's language (`base_url`): a template
        writes that root, a slash and a link from here, and nothing else.
        """
        return "../" * self.prefix(language).count("/") + site_path

    def template_links(self, language: str) -> dict[str, str]:
        """The links every page of a language has (header, footer, head), finished, from the language's root."""
        other = other_language(language)
        return {
            "finder": FINDER_PATH,
            "accessibility": prose_path("accessibility"),
            "about": prose_path("about"),
            "open_data": self.link(self.api_path(CATALOGUE_JSON), language),
            "feed": self.link(self.page_path(FEED_FILE, language), language),
            # The other language's home page: where the language switch leads from a page without a
            # counterpart (MkDocs' 404 page); the others have theirs in `page_links`.
            "other_language": self.link(self.page_path("", other), language),
        }

    def page_links(self, path: str, language: str) -> dict[str, Any]:
        """The links of one page to itself: its counterpart in the other language, and its URL in each language."""
        other = other_language(language)
        alternates = {lang: self.url(path, lang) for lang in LANGUAGES}
        return {
            "other_language": self.link(self.page_path(path, other), language),
            # Ours and the x-default in the order of the page's <link rel="alternate">s; the default
            # language, at the site's root, is the x-default.
            "alternates": {**alternates, "x-default": alternates[DEFAULT_LANGUAGE]},
        }

    def entry_path(self, entry: MicroQualification) -> str:
        return f"{sector_path(entry.sector)}{entry.id}/"

    def entry_url(self, entry: MicroQualification, language: str = DEFAULT_LANGUAGE) -> str:
        return self.url(self.entry_path(entry), language)

    def calendar_path(self, entry: MicroQualification | None = None, sector: str | None = None) -> str:
        """Path, from a language's root, of an iCalendar feed of intakes: one entry's, one sector's or all."""
        if entry is not None:
            return self.entry_path(entry) + CALENDAR_FILE
        if sector is not None:
            return sector_path(sector) + CALENDAR_FILE
        return CALENDAR_FILE

    def provider_url(self, provider: Provider, language: str = DEFAULT_LANGUAGE) -> str:
        return self.url(provider_path(provider.id), language)

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
        return api_file(path)

    def api_url(self, path: str) -> str:
        return self.site_url + self.api_path(path)

    def changed(self, entry: MicroQualification) -> dt.date:
        return self.last_changed.get(entry.id) or entry.decision_date or self.today
