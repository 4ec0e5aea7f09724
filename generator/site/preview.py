"""The local preview's web server (`mqcat serve`): the built site, or the problems, and reloading.

The preview always answers. While the last build failed, every page shows the
problems that stopped it (file, line, column, field, message, hint) instead of
a site that no longer matches the files; once a rebuild succeeds the site is
back. Every HTML page gets a small script that asks the server, once a second,
which build it is on and reloads the page when a new build (good or failed)
is there. Nothing is written into the built site itself, and nothing is loaded
from anywhere but the preview server.
"""

from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..escaping import html_text
from ..problems import Problem

GENERATION_PATH = "/__mqcat__/generation"

# Asks for the build generation every second; a different one reloads the page.
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){fetch('" + GENERATION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.json()}).then(function(d){if(seen===null){seen=d.generation}"
    "else if(d.generation!==seen){location.reload();return}setTimeout(poll,1000)})"
    ".catch(function(){setTimeout(poll,2000)})}poll()})();</script>"
)


@dataclass
class PreviewState:
    """What the server shows: the generation of the last build and, when it failed, why."""

    generation: int = 0
    problems: list[Problem] = field(default_factory=list)
    message: str = ""  # a failure that is not about a catalogue file (MkDocs, git)
    failed: bool = False
    # False while the pages of an incremental build are served and its open data is still being written.
    complete: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def succeeded(self, complete: bool = True) -> None:
        with self.lock:
            self.problems, self.message, self.failed, self.complete = [], "", False, complete
            self.generation += 1

    def completed(self) -> None:
        """The open data of the last build is written: the whole site matches the catalogue."""
        with self.lock:
            self.complete = True

    def failed_with(self, problems: list[Problem], message: str = "") -> None:
        with self.lock:
            self.problems, self.message, self.failed, self.complete = list(problems), message, True, True
            self.generation += 1


def error_page(problems: list[Problem], message: str = "") -> str:
    """A self-contained page listing the problems that stopped the build, every value escaped."""
    rows = "".join(
        "<tr>"
        f"<td><code>{html_text(p.file)}</code></td><td>{p.line}</td><td>{p.column}</td>"
        f"<td><code>{html_text(p.field)}</code></td><td>{html_text(p.severity.value)}</td>"
        f"<td>{html_text(p.message)}</td><td>{html_text(p.hint)}</td>"
        "</tr>"
        for p in sorted(problems)
    )
    errors = sum(1 for p in problems if p.severity.value == "error")
    table = (
        "<table><thead><tr><th>File</th><th>Line</th><th>Column</th><th>Field</th><th>Kind</th>"
        f"<th>Problem</th><th>How to fix it</th></tr></thead><tbody>{rows}</tbody></table>"
        if problems
        else ""
    )
    said = f"<pre>{html_text(message)}</pre>" if message else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>The preview could not be built</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1b1b;background:#fff}"
        "h1{font-size:1.5rem;color:#8a1c1c}table{border-collapse:collapse;width:100%}"
        "th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}"
        "th{background:#f2f2f2}code,pre{font-family:ui-monospace,monospace;white-space:pre-wrap}"
        "@media (prefers-color-scheme:dark){body{background:#161616;color:#eee}th{background:#2a2a2a}"
        "h1{color:#ff8f8f}}</style></head><body><main>"
        "<h1>The preview could not be built</h1>"
        f"<p>{errors} error(s) stop the build. Fix them and save the file: this page reloads by itself "
        "when the preview has been built again. (The same list is in the terminal, and "
        "<code>mqcat validate</code> prints it too.)</p>"
        f"{table}{said}</main>{RELOAD_SCRIPT}</body></html>"
    )


def handler(site_dir: Path, state: PreviewState) -> type[http.server.SimpleHTTPRequestHandler]:
    """A request handler class that serves `site_dir`, or the problems, with the reload script."""

    class PreviewHandler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Rebuilds swap the folder; serve through its path so each request sees the current tree.
            super().__init__(*args, directory=str(site_dir), **kwargs)

        def do_GET(self) -> None:  # the name http.server calls
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == GENERATION_PATH:
                with state.lock:
                    body = json.dumps(
                        {"generation": state.generation, "failed": state.failed, "complete": state.complete}
                    )
                self._send(200, "application/json", body)
                return
            with state.lock:
                failed, problems, message = state.failed, list(state.problems), state.message
            if failed and _is_page(path):
                self._send(503, "text/html; charset=utf-8", error_page(problems, message))
                return
            target = Path(self.translate_path(path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file() and target.resolve().is_relative_to(site_dir.resolve()):
                html = target.read_text(encoding="utf-8")
                head, tail = html.rsplit("</body>", 1) if "</body>" in html else (html, "")
                self._send(200, "text/html; charset=utf-8", head + RELOAD_SCRIPT + "</body>" + tail)
                return
            super().do_GET()

        def _send(self, status: int, content_type: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # the signature http.server calls
            pass  # the terminal is for build results, not for every request

    return PreviewHandler


def _is_page(path: str) -> bool:
    """A request for a page (not a stylesheet, script, image or data file)."""
    name = path.rsplit("/", 1)[-1]
    return not name or name.endswith(".html") or "." not in name
