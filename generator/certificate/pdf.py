"""PDF certificates through WeasyPrint, an optional extra (`pip install 'mqcat[pdf]'`).

WeasyPrint needs the Pango library of the operating system; where either is
missing, `pdf_unavailable()` says why and the HTML certificates are still
written (any browser prints them to PDF on A4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

INSTALL_HINT = "install the extra with: pip install 'mqcat[pdf]' (WeasyPrint also needs the Pango library)"


class PdfUnavailable(Exception):
    """WeasyPrint cannot be used here."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except ImportError as error:  # OSError too: WeasyPrint raises it when Pango is missing
        raise PdfUnavailable(f"WeasyPrint is not installed ({error})") from None
    except OSError as error:
        raise PdfUnavailable(f"WeasyPrint cannot load a system library ({error})") from None
    return weasyprint


def pdf_unavailable() -> str | None:
    """Why PDF output is not possible here, or None when it is."""
    try:
        _weasyprint()
    except PdfUnavailable as error:
        return f"{error}; {INSTALL_HINT}"
    return None


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    # A certificate is self-contained: never let the renderer fetch a URL or read a local file.
    raise ValueError(f"certificates load no external resources ({url})")


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of a certificate page, and its number of pages (1 is what the stylesheet aims for)."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetching).render()
    return document.write_pdf(), len(document.pages)


def write_pdf(html: str, path: Path) -> int:
    """Write the PDF of a certificate page to `path`; return its number of pages."""
    data, pages = render_pdf(html)
    path.write_bytes(data)
    return pages
