"""Shared constants and fixtures: the shipped catalogue, writable copies of it, the built site.

The other shared helpers: tests/git_support.py (real git repositories),
tests/a11y_support.py (serving a site and driving it in Chromium, axe-core),
tests/html_support.py (reading built pages).
"""

from __future__ import annotations

import datetime as dt
import shutil
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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalogue built once per test session, exactly as `mqcat build` does."""
    return build_site(tmp_path_factory.mktemp("built"))
