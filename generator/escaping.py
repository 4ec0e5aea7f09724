"""Escaping contributor text for each output context.

Contributor text is untrusted: it is never interpreted as Markdown or HTML and
every output context gets its own escaping.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import urlsplit

# (character, JSON escape) pairs; chained str.replace is much faster than str.translate here.
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: object) -> str:
    """Escape for HTML text and quoted attribute values."""
    return html.escape(str(value), quote=True)


def json_for_script(value: Any) -> str:
    """JSON that is safe inside <script type="application/ld+json">: no `</script>`, no `<!--`."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _SCRIPT_SAFE:
        text = text.replace(char, escape)
    return text


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_link(url: str | None) -> str | None:
    """The URL if it may become a link (https: or mailto:), otherwise None."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("https", "mailto") and not any(c in url for c in "\x00\r\n\t <>\"'`") else None
