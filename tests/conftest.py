"""Shared fixtures: the shipped catalogue, and writable copies of it."""

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
SHARED_DIR = REPO_ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 29)


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


SITE_URL = "https://mqcat.example.org/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalogue built once per test session, exactly as `mqcat build` does."""
    from generator.site.build import build

    work = tmp_path_factory.mktemp("built")
    site = work / "site"
    build(REPO_ROOT, site, site_url=SITE_URL, today=TODAY, source_dir=work / "site-src")
    return site
