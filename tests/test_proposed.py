"""A provider proposes, the council decides: the `proposed` state and the decision fields.

A proposed entry is valid without a decision, is previewed with a "proposed,
not approved" banner, and never reaches anything that is published: open data,
feeds, the finder, the interop exports, certificates. The publish build refuses it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.catalogue import validate
from generator.cli import main
from generator.site.build import build

from .conftest import REPO_ROOT, SITE_URL, TODAY, made_once
from .html_support import parse

FORKLIFT = "transport-logistics/forklift-safe-operation.yaml"
PROPOSAL_ID = "forklift-refresher-training"
PROPOSAL = f"transport-logistics/{PROPOSAL_ID}.yaml"
DATA = Path(__file__).resolve().parent / "data"


def _without_decision(text: str) -> str:
    return re.sub(r"\n  (decision|decision_date|review_due): [^\n]*", "", text)


def add_proposal(catalogue_dir: Path, *, provider: str | None = None) -> Path:
    """A copy of the forklift entry under a new id, as a provider submits it: proposed, no decision."""
    text = (catalogue_dir / FORKLIFT).read_text(encoding="utf-8")
    text = text.replace("id: forklift-safe-operation", f"id: {PROPOSAL_ID}").replace(
        "status: active", "status: proposed"
    )
    if provider is not None:
        text = re.sub(r"awarding_bodies:\n(  - [^\n]*\n)+", f"awarding_bodies:\n  - {provider}\n", text)
    path = catalogue_dir / PROPOSAL
    path.write_text(_without_decision(text), encoding="utf-8")
    return path


def add_real_provider(catalogue_dir: Path) -> str:
    """A provider that is not fictional sample data (no `example: true`)."""
    text = (catalogue_dir / "providers/example-vocational-school.yaml").read_text(encoding="utf-8")
    text = text.replace("id: example-vocational-school", "id: ventspils-training-centre").replace("example: true\n", "")
    (catalogue_dir / "providers/ventspils-training-centre.yaml").write_text(text, encoding="utf-8")
    return "ventspils-training-centre"


def set_decision(path: Path, decision: str, provider: str | None = None) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n  decision: [^\n]*", f"\n  decision: {json.dumps(decision, ensure_ascii=False)}", text)
    if provider is not None:
        text = re.sub(r"awarding_bodies:\n(  - [^\n]*\n)+", f"awarding_bodies:\n  - {provider}\n", text)
    path.write_text(text, encoding="utf-8")


# --- Validation -----------------------------------------------------------------------------------


def test_a_proposed_entry_is_valid_without_decision_fields(catalogue_copy: Path) -> None:
    add_proposal(catalogue_copy)
    result = validate(catalogue_copy)
    assert result.errors == []
    assert result.catalogue is not None
    assert PROPOSAL_ID in result.catalogue.proposals


def test_a_proposal_is_never_among_the_catalogue_entries(catalogue_copy: Path) -> None:
    add_proposal(catalogue_copy)
    catalogue = validate(catalogue_copy).catalogue
    assert catalogue is not None
    assert PROPOSAL_ID not in catalogue.entries
    assert PROPOSAL_ID not in {e.id for e in catalogue.published_entries()}


@pytest.mark.parametrize("status", ["active", "suspended", "withdrawn"])
def test_an_entry_that_is_not_proposed_needs_each_decision_field(catalogue_copy: Path, status: str) -> None:
    path = add_proposal(catalogue_copy)
    path.write_text(path.read_text(encoding="utf-8").replace("status: proposed", f"status: {status}"), "utf-8")
    found = [p for p in validate(catalogue_copy, only={path}).errors if p.field.startswith("quality_assurance.")]
    assert sorted(p.field for p in found) == [
        "quality_assurance.decision",
        "quality_assurance.decision_date",
        "quality_assurance.review_due",
    ]
    assert all("mqcat approve" in p.hint and "proposed" in p.hint for p in found)


@pytest.mark.parametrize(
    "decision",
    ["MELNRAKSTS", "Melnraksts Nr. 1", "TODO", "draft 3/2026", "TBD", "Protokols Nr. XXX", "Example Nr. 5", "pending"],
)
def test_a_placeholder_decision_is_an_error(catalogue_copy: Path, decision: str) -> None:
    provider = add_real_provider(catalogue_copy)
    path = catalogue_copy / FORKLIFT
    set_decision(path, decision, provider)
    found = [p for p in validate(catalogue_copy, only={path}).errors if p.field == "quality_assurance.decision"]
    assert len(found) == 1, [p.text() for p in found]
    assert "does not look like the council's decision" in found[0].message
    assert "mqcat approve" in found[0].hint


def test_a_decision_reference_of_the_council_is_accepted(catalogue_copy: Path) -> None:
    provider = add_real_provider(catalogue_copy)
    path = catalogue_copy / FORKLIFT
    set_decision(path, "Protokols Nr. 5/2025, 2. p.", provider)
    assert validate(catalogue_copy, only={path}).errors == []


def test_shipped_sample_data_may_carry_example_markers(catalogue_copy: Path) -> None:
    text = (catalogue_copy / FORKLIFT).read_text(encoding="utf-8")
    assert "PIEMĒRS" in text  # the sample decision says it is an example, on purpose
    assert validate(catalogue_copy).errors == []


def test_publish_validation_refuses_a_proposal(catalogue_copy: Path) -> None:
    path = add_proposal(catalogue_copy)
    result = validate(catalogue_copy, publish=True)
    assert result.catalogue is None
    (problem,) = result.errors
    assert problem.file.endswith(PROPOSAL) and problem.field == "status"
    assert "cannot be published" in problem.message
    assert problem.line == path.read_text(encoding="utf-8").splitlines().index("status: proposed") + 1


# --- Build: preview and publication -----------------------------------------------------------------


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalogue plus one proposal, built as a preview (`mqcat build`, `mqcat serve`)."""

    def make(work: Path) -> None:
        catalogue = work / "catalogue"
        shutil.copytree(REPO_ROOT / "catalogue", catalogue)
        add_proposal(catalogue)
        site = work / "site"
        build(REPO_ROOT, site, site_url=SITE_URL, today=TODAY, source_dir=work / "src", catalogue_dir=catalogue)

    return made_once(tmp_path_factory, "preview", make) / "site"


@pytest.mark.parametrize(
    ("page", "title", "awaiting"),
    [
        (
            "transport-logistics/forklift-refresher-training/index.html",
            "Piedāvāta, nav apstiprināta",
            "Gaida padomes lēmumu",
        ),
        (
            "en/transport-logistics/forklift-refresher-training/index.html",
            "Proposed, not approved",
            "Awaiting the council's decision",
        ),
    ],
)
def test_preview_shows_the_proposal_with_a_banner_and_no_decision(
    preview: Path, page: str, title: str, awaiting: str
) -> None:
    html = parse(preview / page)
    banner = [e for e in html.find("section") if "mq-notice--proposed" in e.attrs.get("class", "")]
    assert banner, "no proposed banner"
    assert title in html.text and awaiting in html.text
    assert "protokols Nr. 5/2025" not in html.text  # no decision shown (the copy has none)
    assert not html.find("script", type="application/ld+json")


def test_preview_home_lists_proposals_apart_from_approvals(preview: Path) -> None:
    html = parse(preview / "index.html")
    assert "Piedāvātās, neapstiprinātās" in html.text
    assert f"transport-logistics/{PROPOSAL_ID}/" in " ".join(html.links())


def test_a_proposal_is_in_no_published_output(preview: Path) -> None:
    outputs = [
        p for p in preview.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonld", ".csv", ".xml", ".txt")
    ]
    # MkDocs' own sitemap of the second language lists every page it rendered; the root sitemap is ours.
    outputs = [
        p for p in outputs if p.relative_to(preview).as_posix() not in ("en/sitemap.xml", "search/search_index.json")
    ]
    assert any(p.name == "catalogue.json" for p in outputs)
    leaking = [p.relative_to(preview).as_posix() for p in outputs if PROPOSAL_ID in p.read_text(encoding="utf-8")]
    assert leaking == []
    assert not (preview / f"api/v1/entries/{PROPOSAL_ID}.json").exists()


def test_a_proposal_is_not_in_the_theme_search_index(preview: Path) -> None:
    index = preview / "search" / "search_index.json"
    if index.exists():
        assert PROPOSAL_ID not in index.read_text(encoding="utf-8")


def test_publish_build_refuses_a_proposal_and_writes_nothing(catalogue_copy: Path, tmp_path: Path) -> None:
    add_proposal(catalogue_copy)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--publish", "--site-dir", str(tmp_path / "out")],
        cwd=catalogue_copy.parent,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert f"catalogue/{PROPOSAL}:" in done.stderr and "cannot be published" in done.stderr
    assert not (tmp_path / "out").exists()


def test_publish_workflow_builds_in_publish_mode() -> None:
    workflow = (REPO_ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    assert re.search(r"run: mqcat build --publish\b", workflow)


# --- Certificates -----------------------------------------------------------------------------------


def test_certificate_refuses_a_proposal(
    catalogue_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_proposal(catalogue_copy)
    status = main(
        [
            "certificate",
            PROPOSAL_ID,
            "--learner",
            str(DATA / "learners.csv"),
            "--out",
            str(tmp_path / "out"),
            "--site-url",
            SITE_URL,
            "--catalogue",
            str(catalogue_copy),
        ]
    )
    assert status == 1
    assert "proposed, not approved" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- Published versions ----------------------------------------------------------------------------


def test_a_proposal_on_the_main_line_is_not_a_published_version(tmp_path: Path) -> None:
    """Even when a rebase put the provider's proposal commit on main, only the approved state is a version."""
    from generator.catalogue import load_catalogue
    from generator.context import BuildContext
    from generator.versions import write_versions

    from .git_support import catalogue_repository, commit

    repo = catalogue_repository(tmp_path / "repo")
    path = add_proposal(repo / "catalogue")
    commit(repo, "Propose", "2026-02-01T12:00:00+02:00")
    text = path.read_text(encoding="utf-8").replace("status: proposed", "status: active")
    text = text.replace(
        "  authorised_by: transport-logistics-council\n",
        '  authorised_by: transport-logistics-council\n  decision: "PIEMĒRS: Nr. 7/2026"\n'
        "  decision_date: 2026-02-10\n  review_due: 2029-02-10\n",
    )
    path.write_text(text, encoding="utf-8")
    commit(repo, "Approve", "2026-02-11T12:00:00+02:00")
    site = tmp_path / "site"
    write_versions(load_catalogue(repo / "catalogue"), site, BuildContext(SITE_URL, TODAY), repo)
    manifest = json.loads((site / "api/v1/versions.json").read_text(encoding="utf-8"))
    [version] = manifest["entries"][PROPOSAL_ID]["versions"]
    assert version["published"] == "2026-02-11"
    published = json.loads((site / f"api/v1/entries/{PROPOSAL_ID}/v1.json").read_text(encoding="utf-8"))
    assert published["entry"]["status"] == "active"


@pytest.mark.browser
@pytest.mark.parametrize(
    "page_path",
    ["transport-logistics/forklift-refresher-training/", "en/transport-logistics/forklift-refresher-training/", ""],
)
def test_preview_of_a_proposal_has_no_serious_wcag_violations(preview: Path, browser: Any, page_path: str) -> None:
    from .a11y_support import describe_violations, serious_violations, serve, settle

    with serve(preview) as url:
        page = browser.new_page()
        page.goto(url + page_path)
        settle(page)
        banner = page.locator(".mq-notice--proposed")
        assert banner.count() == 1 and banner.first.is_visible()
        violations = serious_violations(page)
        page.close()
    assert violations == [], describe_violations(violations)
