"""Escaping contributor text for each output context.

Contributor text is untrusted: it is never interpreted as Markdown or HTML and
every output context gets its own escaping.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

# (character, JSON escape) pairs; chained str.replace is much faster than str.translate here.
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP CSV injection).
# A reader that splits on another separator than ours (`;` in Latvian spreadsheets, tab, `|`,
# or a line break) starts a cell after each such separator too, even inside our quotes:
# neutralise there as well.
# Zero-width at the start and after each separator, so that a tab (both a separator and a
# formula start) is handled at every step: "a\t\t=1" -> "a\t'\t'=1".
_FORMULA = re.compile("(?:^|(?<=[;,\t|\r\n]))( *)(?=[=+\\-@\t\r])")


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
    """A CSV cell that no spreadsheet runs as a formula, whichever separator it splits on.

    An apostrophe goes before `=`, `+`, `-`, `@`, a tab or a carriage return at the start
    of the text and after any separator a spreadsheet might use (`;`, `,`, tab, `|`, line break),
    spaces between them allowed: `Rīga;=1+2` becomes `Rīga;'=1+2`.
    """
    text = "" if value is None else str(value)
    return _FORMULA.sub(r"\1'", text)


def safe_link(url: str | None) -> str | None:
    """The URL if it may become a link (https: or mailto:), otherwise None."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("https", "mailto") and not any(c in url for c in "\x00\r\n\t <>\"'`") else None
