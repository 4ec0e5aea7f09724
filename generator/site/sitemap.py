"""One sitemap for both languages, with hreflang alternates, and robots.txt pointing to it.

MkDocs writes a sitemap per language build; this writer replaces the root one
with a sitemap of every page in every language, each page linked to its
counterparts (`xhtml:link rel="alternate" hreflang`), as search engines expect
for multilingual sites.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.etree import ElementTree

from ..context import ROBOTS_FILE, SITEMAP_FILE, BuildContext
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..model import Catalogue

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def _pages(site_dir: Path, ctx: BuildContext) -> list[str]:
    """Paths of the default language's pages (`''`, `transport-logistics/x/`), from the rendered site."""
    others = {site_dir / ctx.prefix(language) for language in LANGUAGES if language != DEFAULT_LANGUAGE}
    pages = []
    for index in site_dir.rglob("index.html"):
        folder = index.parent
        if folder in others or any(other in folder.parents for other in others):
            continue
        relative = folder.relative_to(site_dir).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return sorted(pages)


def write_sitemap(catalogue: Catalogue, site_dir: Path, ctx: BuildContext) -> None:
    """Write sitemap.xml (and .gz) at the site root for all languages, and robots.txt."""
    ElementTree.register_namespace("", SITEMAP)
    ElementTree.register_namespace("xhtml", XHTML)
    changed = {ctx.entry_path(entry): ctx.changed(entry) for entry in catalogue.entries.values()}
    # A preview's proposals have pages but are not part of the catalogue (the publish build has none).
    proposals = {ctx.entry_path(entry) for entry in catalogue.proposals.values()}
    root = ElementTree.Element(f"{{{SITEMAP}}}urlset")
    for path in _pages(site_dir, ctx):
        if path in proposals:
            continue
        for language in LANGUAGES:
            url = ElementTree.SubElement(root, f"{{{SITEMAP}}}url")
            ElementTree.SubElement(url, f"{{{SITEMAP}}}loc").text = ctx.url(path, language)
            if path in changed:
                ElementTree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = changed[path].isoformat()
            for alternate in LANGUAGES:
                ElementTree.SubElement(
                    url, f"{{{XHTML}}}link", rel="alternate", hreflang=alternate, href=ctx.url(path, alternate)
                )
    content = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    (site_dir / SITEMAP_FILE).write_bytes(content)
    (site_dir / f"{SITEMAP_FILE}.gz").write_bytes(gzip.compress(content, mtime=0))
    (site_dir / ROBOTS_FILE).write_text(
        f"User-agent: *\nAllow: /\nSitemap: {ctx.url(SITEMAP_FILE)}\n", encoding="utf-8"
    )
