"""build.Renderer: MkDocs for each language, at most `jobs` at once, and what it does when one fails.

MkDocs itself is replaced by a small Python process that logs when it starts and ends (the
real one is run by every test that builds a site; test_shards builds one part with jobs=1).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.site import build as build_module
from generator.site.build import BuildFailed, Renderer

FAKE_MKDOCS = """
import sys, time
from pathlib import Path
log, name, out, wait_for, status = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4], int(sys.argv[5])
with log.open("a") as f:
    f.write(f"start {name}\\n")
out.mkdir(parents=True, exist_ok=True)
(out / "index.html").write_text(name)
# Wait (at most a minute) for the log line `wait_for`: proof that another language runs meanwhile.
deadline = time.monotonic() + 60
while wait_for and wait_for not in log.read_text().splitlines():
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.01)
print(f"{name} says goodbye")
with log.open("a") as f:
    f.write(f"end {name}\\n")
sys.exit(status)
"""


WAITS_FOR: dict[str, str] = {}  # language -> the log line its fake MkDocs waits for before it ends


@pytest.fixture
def fake_mkdocs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Replace MkDocs with FAKE_MKDOCS; a config's folder name is its language, `fail` in it fails."""
    log = tmp_path / "log"
    log.touch()
    WAITS_FOR.clear()

    def start(config: Path, out: Path) -> subprocess.Popen[str]:
        name = config.parent.name
        status = 1 if "fail" in name else 0
        return subprocess.Popen(
            [sys.executable, "-c", FAKE_MKDOCS, str(log), name, str(out), WAITS_FOR.get(name, ""), str(status)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    monkeypatch.setattr(build_module, "_mkdocs", start)
    return log


def configs(tmp_path: Path, *languages: str) -> list[Path]:
    return [tmp_path / "src" / language / "mkdocs.yml" for language in languages]


def test_one_job_renders_the_languages_one_after_the_other(fake_mkdocs: Path, tmp_path: Path) -> None:
    renderer = Renderer(tmp_path / "site", jobs=1)
    for config in configs(tmp_path, "lv", "en", "de"):
        renderer.start(config)
    renderer.finish()
    # Each language ends before the next starts, in the order started.
    assert fake_mkdocs.read_text().split("\n")[:-1] == [
        "start lv",
        "end lv",
        "start en",
        "end en",
        "start de",
        "end de",
    ]
    assert (tmp_path / "site" / "index.html").read_text() == "lv"
    assert (tmp_path / "site" / "en" / "index.html").read_text() == "en"
    assert (tmp_path / "site" / "de" / "index.html").read_text() == "de"


def test_without_a_limit_every_language_starts_at_once(fake_mkdocs: Path, tmp_path: Path) -> None:
    # Each waits until the other has started: they end only if both run at once (with jobs=1 they fail).
    WAITS_FOR.update(lv="start en", en="start lv")
    renderer = Renderer(tmp_path / "site")
    for config in configs(tmp_path, "lv", "en"):
        renderer.start(config)
    renderer.finish()
    assert sorted(fake_mkdocs.read_text().split("\n")[2:]) == ["", "end en", "end lv"]


@pytest.mark.parametrize("jobs", [None, 1])
def test_a_failed_language_fails_the_render_with_what_mkdocs_said(
    fake_mkdocs: Path, tmp_path: Path, jobs: int | None
) -> None:
    renderer = Renderer(tmp_path / "site", jobs=jobs)
    for config in configs(tmp_path, "lv", "en-fail"):
        renderer.start(config)
    with pytest.raises(BuildFailed) as failed:
        renderer.finish()
    assert "en-fail/mkdocs.yml" in str(failed.value)
    assert "en-fail says goodbye" in str(failed.value)
    assert "lv says" not in str(failed.value)
    # What the other languages wrote beside the site is gone; the first language's folder is the caller's.
    assert not (tmp_path / "site.en-fail").exists()


def test_cancel_stops_the_running_language_and_the_waiting_ones(fake_mkdocs: Path, tmp_path: Path) -> None:
    WAITS_FOR["lv"] = "never written"
    renderer = Renderer(tmp_path / "site", jobs=1)
    for config in configs(tmp_path, "lv", "en"):
        renderer.start(config)
    deadline = time.monotonic() + 60
    while "start lv" not in fake_mkdocs.read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    renderer.cancel()
    assert "start en" not in fake_mkdocs.read_text()
    assert "end lv" not in fake_mkdocs.read_text()
    assert not (tmp_path / "site.en").exists()
