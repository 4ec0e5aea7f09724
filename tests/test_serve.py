"""`mqcat serve`: a local preview that rebuilds when a catalogue file changes."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        entry_file = next((tmp_path / "catalogue" / "transport-logistics").glob("*.yaml"))
        url = f"http://127.0.0.1:{port}/transport-logistics/{entry_file.stem}/"
        assert _wait_for(lambda: _get(url) is not None, 180), "the preview did not come up"
        text = entry_file.read_text(encoding="utf-8")
        old_title = text.split("title:\n  lv: ", 1)[1].split("\n", 1)[0].strip('"')
        entry_file.write_text(text.replace(old_title, "Pārbaudes nosaukums", 1), encoding="utf-8")
        assert _wait_for(lambda: "Pārbaudes nosaukums" in (_get(url) or ""), 180), "the preview was not rebuilt"
        # A broken file keeps the last good site online.
        entry_file.write_text(text + "titel: x\n", encoding="utf-8")
        time.sleep(3)
        assert "Pārbaudes nosaukums" in (_get(url) or "")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Serving the preview" in output
