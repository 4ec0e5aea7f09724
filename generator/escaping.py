"""Escaping contributor text for each output context.

Contributor text is untrusted: it is never interpreted as Markdown or HTML and
every output context gets its own escaping.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import urlsplit

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: object) -> str:
    """Escape for HTML text and quoted attribute values."""
    return html.escape(str(value), quote=True)


def json_for_script(value: Any) -> str:
    """JSON that is safe inside <script type="application/ld+json">: no `</script>`, no `<!--`."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


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
