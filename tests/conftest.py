"""Shared constants and fixtures: the shipped catalogue, writable copies of it, the built site.

The other shared helpers: tests/git_support.py (real git repositories),
tests/a11y_support.py (serving a site and driving it in Chromium, axe-core),
tests/html_support.py (reading built pages).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalogue import load_catalogue
from generator.context import BuildContext
from generator.model import Catalogue

# Browser fixtures (`browser`, `served_site`) for every test module.
pytest_plugins = ["tests.a11y_support"]

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = REPO_ROOT / "catalogue"
TODAY = dt.date(2026, 11, 29)
SITE_URL = "https://mqcat.example.org/"
API = Path("api") / "v1"  # the open-data API inside a built site


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives Chromium is a browser test, marked or not, so `-m "not browser"` leaves it out.

    Runs before pytest's own `-m` selection. (One unmarked test once opened Chromium in `make test-fast`.)
    """
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped sample catalogue, validated."""
    return load_catalogue(CATALOGUE_DIR)


@pytest.fixture(scope="session")
def context() -> BuildContext:
    return BuildContext(site_url="https://mqcat.example.org/", today=TODAY)


@pytest.fixture()
def catalogue_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalogue folder; returns its catalogue/ path."""
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    return target


def build_site(work: Path, catalogue_dir: Path = CATALOGUE_DIR) -> Path:
    """Build a catalogue exactly as `mqcat build` does, into `work`/site (source in `work`/site-src)."""
    from generator.site.build import build

    site = work / "site"
    build(REPO_ROOT, site, site_url=SITE_URL, today=TODAY, source_dir=work / "site-src", catalogue_dir=catalogue_dir)
    return site


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """A folder that `make(folder)` fills once per test run, shared by every pytest-xdist worker.

    For what takes seconds to make and is only read afterwards (a built site): the first
    worker to ask makes it while the others wait on a lock, then all read the same folder.
    A `make` that fails leaves nothing, and the next worker to ask tries again.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder = root / "made-once" / name
    folder.parent.mkdir(exist_ok=True)
    done = folder.with_name(f"{name}.done")
    with (folder.with_name(f"{name}.lock")).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                make(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalogue built once per test run, exactly as `mqcat build` does."""
    return made_once(tmp_path_factory, "built", build_site) / "site"
