"""Serving a built site on 127.0.0.1 and looking at it in headless Chromium.

For the accessibility tests (tests/test_accessibility.py) and any other test that
drives the site in a browser. tests/conftest.py loads this module as a pytest
plugin, so its fixtures are available to every test module:

* `served_site` (session): the sample catalogue built once (conftest's
  `built_site`), served over HTTP; the value is the base URL, ending in "/".
* `browser` (session): Debian's Chromium, headless, without network side trips.
* `serve(directory)`: a context manager that serves any other folder.
* `AXE_TAGS`, `serious_violations(page)`: axe-core restricted to WCAG 2.0/2.1 A and AA.
* `FOCUS_JS`, `TABBABLE_JS`: what the focused element shows, and which elements
  a keyboard user should be able to reach.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on a free port of 127.0.0.1; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served_site(built_site: Path) -> Iterator[str]:
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def settle(page: Any) -> None:
    """Wait until the page has loaded and no CSS transition or animation is still running."""
    page.wait_for_load_state("load")
    # Material reacts to focus and to the palette a frame later: let two frames pass first.
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")


@functools.lru_cache(maxsize=1)
def _axe() -> Any:
    """axe-core, read from its package once."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations of impact serious or critical on the page."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = _axe().run(page, options=options)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """The violations as lines a person can act on: rule, impact, element, what axe says."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


# The element that shows an element's focus: itself, or, for a control drawn invisible
# (Material's palette switch: zero-size radio buttons), the label shown beside it.
_SHOWN_JS = """el => {
  const box = el.getBoundingClientRect();
  if (!el.checkVisibility() || (box.width * box.height > 0 && getComputedStyle(el).opacity !== '0')) return el;
  const next = el.nextElementSibling;
  if (next && next.tagName === 'LABEL' && !next.hidden) return next;
  return (el.parentElement && el.parentElement.querySelector(':scope > label:not([hidden])')) || el;
}"""

# Every element a keyboard user should reach with Tab: focusable, rendered, not disabled;
# radio buttons count once per group (Tab enters a group, the arrow keys move inside it).
# Each gets a data-mq-tab number, so that the Tab walk can say which one it reached.
TABBABLE_JS = """() => {
  const shown = SHOWN_JS;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex], [contenteditable]';
  const groups = new Set();
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || el.tabIndex < 0 || el.closest('[inert]')) continue;
    if (!shown(el).checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    if (el.type === 'radio' && el.name) {
      if (groups.has(el.name)) continue;
      groups.add(el.name);
      document.querySelectorAll(`input[type=radio][name="${el.name}"]`).forEach(r => r.dataset.mqTab = found.length);
    }
    el.dataset.mqTab = found.length;
    found.push((el.tagName + ' ' + (el.getAttribute('aria-label') || el.textContent || el.name || '')).trim().replace(/\\s+/g, ' ').slice(0, 60));
  }
  return found;
}""".replace("SHOWN_JS", _SHOWN_JS)

# What the focused element shows: its number from TABBABLE_JS, a name, the focus ring
# (outline or box-shadow) and the contrast of the ring against what lies behind it, and
# whether the element (or the label that shows it, see _SHOWN_JS) is on screen and not
# covered by anything. An outline drawn inside (negative offset) is judged against the
# element's own background, one drawn outside against its parent's.
FOCUS_JS = """() => {
  const shown_for = SHOWN_JS;
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, below) => top.slice(0, 3).map((v, i) => v * top[3] + below[i] * (1 - top[3])).concat([1]);
  const luminance = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  const backdrop = start => { const layers = [];
    for (let n = start; n && n.nodeType === 1; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let colour = [255, 255, 255, 1]; for (const layer of layers.reverse()) colour = over(layer, colour); return colour; };
  const active = document.activeElement;
  if (!active || active === document.body) return {tab: null, name: 'BODY'};
  const shown = shown_for(active);
  shown.scrollIntoView({block: 'center', inline: 'nearest'});
  const style = getComputedStyle(shown);
  const rect = shown.getBoundingClientRect();
  const x = Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(rect.top + rect.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  let ratio = null;
  if (ring && style.outlineStyle !== 'auto') {
    const colour = parse(style.outlineColor);
    const behind = backdrop(parseFloat(style.outlineOffset) < 0 ? shown : shown.parentElement);
    ratio = colour ? contrast(over(colour, behind), behind) : null;
  }
  return {
    tab: active.dataset.mqTab === undefined ? null : Number(active.dataset.mqTab),
    name: (active.tagName + ' ' + (active.getAttribute('aria-label') || active.textContent || active.name || '')).trim().replace(/\\s+/g, ' ').slice(0, 60),
    ring: ring || style.boxShadow !== 'none',
    ratio: ratio,
    onScreen: shown.checkVisibility({visibilityProperty: true, opacityProperty: true}) && rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.left < innerWidth && rect.bottom > 0 && rect.top < innerHeight,
    uncovered: !!hit && (hit === shown || shown.contains(hit) || hit.contains(shown) || (shown.tagName === 'LABEL' && hit.closest('label') === shown)),
  };
}""".replace("SHOWN_JS", _SHOWN_JS)
