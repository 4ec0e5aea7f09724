"""One sitemap for both languages, with hreflang alternates, and robots.txt pointing to it.

MkDocs writes a sitemap per language build; this writer replaces the root one
with a sitemap of every page in every language, each page linked to its
counterparts (`xhtml:link rel="alternate" hreflang`), as search engines expect
for multilingual sites.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from xml.etree import ElementTree

from ..context import ROBOTS_FILE, SITEMAP_FILE, BuildContext
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..model import Catalogue

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def rendered_pages(site_dir: Path, ctx: BuildContext) -> list[str]:
    """Paths of the default language's pages (`''`, `transport-logistics/x/`), found in the rendered site.

    For a site assembled from shards; a build knows its pages (compile.Compiled) and does not
    walk the site (at 100,000 entries, 200,000 folders read back from disk).
    """
    others = {ctx.prefix(language).rstrip("/") for language in LANGUAGES if language != DEFAULT_LANGUAGE}
    pages = []
    for folder, subfolders, names in os.walk(site_dir):
        relative = Path(folder).relative_to(site_dir).as_posix()
        if relative == ".":
            subfolders[:] = [name for name in subfolders if name not in others]
        if "index.html" in names:
            pages.append("" if relative == "." else relative + "/")
    return sorted(pages)


def write_sitemap(catalogue: Catalogue, site_dir: Path, ctx: BuildContext, pages: list[str] | None = None) -> None:
    """Write sitemap.xml (and .gz) at the site root for all languages, and robots.txt.

    `pages`: the paths of the default language's pages; found in the site when None.
    """
    ElementTree.register_namespace("", SITEMAP)
    ElementTree.register_namespace("xhtml", XHTML)
    changed = {ctx.entry_path(entry): ctx.changed(entry) for entry in catalogue.entries.values()}
    # A preview's proposals have pages but are not part of the catalogue (the publish build has none).
    proposals = {ctx.entry_path(entry) for entry in catalogue.proposals.values()}
    root = ElementTree.Element(f"{{{SITEMAP}}}urlset")
    for path in sorted(pages) if pages is not None else rendered_pages(site_dir, ctx):
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
