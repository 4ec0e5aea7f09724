"""`mqcat serve`: a local preview that rebuilds when a catalogue file changes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_serve_previews_and_rebuilds_on_change(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "catalogue", tmp_path / "catalogue")
    shutil.copy2(REPO_ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    port = _free_port()
    server = _start(tmp_path, port)
    try:
        entry_file = next((tmp_path / "catalogue" / "transport-logistics").glob("*.yaml"))
        url = f"http://127.0.0.1:{port}/transport-logistics/{entry_file.stem}/"
        assert _wait_for(lambda: _get(url) is not None, 180), "the preview did not come up"
        text = entry_file.read_text(encoding="utf-8")
        old_title = text.split("title:\n  lv: ", 1)[1].split("\n", 1)[0].strip('"')
        entry_file.write_text(text.replace(old_title, "Pārbaudes nosaukums", 1), encoding="utf-8")
        assert _wait_for(lambda: "Pārbaudes nosaukums" in (_get(url) or ""), 180), "the preview was not rebuilt"
        # A broken file: the browser shows the problem, where it is and how to fix it.
        entry_file.write_text(text + "titel: x\n", encoding="utf-8")
        assert _wait_for(lambda: "could not be built" in _error_page(url), 180), "no error page"
        page = _error_page(url)
        assert f"catalogue/transport-logistics/{entry_file.name}" in page
        assert "unknown field &#x27;titel&#x27;" in page or "unknown field &#39;titel&#39;" in page
        assert "did you mean" in page
        # Fixed again: the site is back.
        entry_file.write_text(text, encoding="utf-8")
        assert _wait_for(lambda: _get(url) is not None, 180), "the site did not come back"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Serving the preview" in output


def _error_page(url: str) -> str:
    """The body of a 503 answer (the error page), or ''."""
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8") if error.code == 503 else ""
    except OSError:
        return ""
    return ""


def _start(folder: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(port)],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_serve_serves_the_problems_when_the_first_build_fails(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "catalogue", tmp_path / "catalogue")
    shutil.copy2(REPO_ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    entry_file = tmp_path / "catalogue" / "transport-logistics" / "forklift-safe-operation.yaml"
    entry_file.write_text(entry_file.read_text(encoding="utf-8").replace("  eqf: 2", "  eqf: 3"), encoding="utf-8")
    port = _free_port()
    server = _start(tmp_path, port)
    try:
        url = f"http://127.0.0.1:{port}/"
        assert _wait_for(lambda: "could not be built" in _error_page(url), 180), "no error page"
        page = _error_page(url)
        for expected in ("forklift-safe-operation.yaml", "<td>37</td>", "level.eqf", "set `eqf: 2`"):
            assert expected in page, expected
        assert "<script>" in page and "http" not in page.split("<script>", 1)[1]  # reloads from this server only
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.browser
def test_an_open_page_reloads_by_itself_after_a_rebuild(tmp_path: Path, browser: Any) -> None:
    shutil.copytree(REPO_ROOT / "catalogue", tmp_path / "catalogue")
    shutil.copy2(REPO_ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    entry_file = tmp_path / "catalogue" / "transport-logistics" / "forklift-safe-operation.yaml"
    port = _free_port()
    server = _start(tmp_path, port)
    try:
        url = f"http://127.0.0.1:{port}/transport-logistics/forklift-safe-operation/"
        assert _wait_for(lambda: _get(url) is not None, 180), "the preview did not come up"
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url)
        text = entry_file.read_text(encoding="utf-8")
        entry_file.write_text(text.replace("Droša iekrāvēja vadīšana noliktavā", "Jauns nosaukums", 1), "utf-8")
        page.wait_for_function("document.body.innerText.includes('Jauns nosaukums')", timeout=180_000)
        entry_file.write_text(text.replace("  eqf: 2", "  eqf: 3"), encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('could not be built')", timeout=180_000)
        assert "level.eqf" in page.inner_text("body")
        assert all(r.startswith(f"http://127.0.0.1:{port}/") for r in requests)
        page.close()
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_serve_sees_an_edit_but_not_a_bytecode_cache(tmp_path: Path) -> None:
    from generator.commands.serve import _snapshot

    (tmp_path / "__pycache__").mkdir()
    entry = tmp_path / "entry.yaml"
    entry.write_text("id: a\n", encoding="utf-8")
    before = _snapshot([tmp_path])
    (tmp_path / "__pycache__" / "compile.cpython-311.pyc").write_bytes(b"\0")
    assert _snapshot([tmp_path]) == before
    os.utime(entry, ns=(0, 1_000_000_000))
    assert _snapshot([tmp_path]) != before
