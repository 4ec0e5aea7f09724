"""Certificates: what a printed certificate shows, how learner lists are checked, `mqcat certificate`."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno

from generator.certificate import Learner, LearnerFileError, load_learners, render_certificate_html
from generator.certificate import pdf as pdf_module
from generator.certificate.render import certificate_url, qr_svg, render_certificate_page
from generator.cli import main
from generator.context import BuildContext, version_path
from generator.formatting import Labels, level, workload
from generator.i18n import label
from generator.model import Catalogue, MicroQualification, Text

from .conftest import SITE_URL

DATA = Path(__file__).resolve().parent / "data"


class _Page(HTMLParser):
    """The visible text of an HTML fragment, the tags it has, and the QR code's SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.tags: list[str] = []
        self.svg_paths: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "path":
            self.svg_paths.append(dict(attrs).get("d") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def flat(value: str) -> str:
    return " ".join(value.split())


@pytest.fixture(scope="module")
def entry(catalogue: Catalogue) -> MicroQualification:
    """A published entry with the optional elements a certificate may show."""
    candidates = [e for e in catalogue.published_entries() if e.prerequisites and e.supervision]
    return (candidates or catalogue.published_entries())[0]


@pytest.fixture(scope="module")
def learner() -> Learner:
    return Learner("Anna Bērziņa", "010190-12345", dt.date(2026, 11, 20), "Rīga", "9 (teicami)")


def with_entry(catalogue: Catalogue, entry: MicroQualification) -> Catalogue:
    return Catalogue(
        catalogue.sectors,
        catalogue.authorities,
        catalogue.providers,
        {**catalogue.entries, entry.id: entry},
        catalogue.maintainers,
    )


def run_cli(*args: str) -> int:
    return main(["certificate", *args, "--site-url", SITE_URL])


# --- What a certificate shows -------------------------------------------------------------------


def test_certificate_shows_every_element_annex_i_and_the_seed_require(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification, learner: Learner
) -> None:
    text = parse(render_certificate_html(entry, catalogue, context, "lv", learner)).text
    authority = catalogue.authorities[entry.authorised_by]
    expected = [
        entry.title.lv,
        entry.title.en,  # title
        entry.purpose.lv,  # purpose
        *(o.text.lv for o in entry.learning_outcomes),  # learning outcomes
        *(o.text.en for o in entry.learning_outcomes if o.text.en),
        workload(entry, Labels("lv")),  # workload: hours, ECTS
        level(entry, Labels("lv")),  # level: LKI / EQF
        entry.assessment_description.lv,  # type of assessment
        *(label("lv", f"assessment_method.{m}") for m in entry.assessment_methods),
        label("lv", f"participation_form.{entry.participation_form}"),  # form of participation
        entry.qa_type.lv,  # type of quality assurance
        authority.name.lv,
        entry.decision,
        entry.decision_date.isoformat(),  # authorising body, decision
        learner.name,
        learner.identifier,  # the learner's identification
        learner.issue_date.isoformat(),
        learner.issue_place or "",  # date and place of issue
        learner.grade or "",  # grade
    ]
    for provider_id in entry.awarding_bodies:  # awarding bodies: legal data, contacts
        provider = catalogue.providers[provider_id]
        expected += [provider.legal_name, provider.registration_number, provider.legal_address]
        expected += [c for c in (provider.contact.email, provider.contact.phone) if c]
    if entry.prerequisites:
        expected.append(entry.prerequisites.lv)
    if entry.supervision:
        expected.append(label("lv", f"supervision.{entry.supervision}"))
    missing = [value for value in expected if flat(value) not in text]
    assert not missing


def test_every_element_is_labelled_in_latvian_and_english(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification, learner: Learner
) -> None:
    text = parse(render_certificate_html(entry, catalogue, context, "lv", learner)).text
    # Field terms are shared with the entry pages (facts.*, qa.*); the rest are the certificate's own.
    keys = [
        "certificate.heading",
        "certificate.name",
        "certificate.identifier",
        "facts.purpose",
        "facts.learning_outcomes",
        "facts.workload",
        "facts.level",
        "facts.assessment",
        "facts.participation",
        "facts.quality_assurance",
        "facts.providers",
        "certificate.registration_number",
        "certificate.address",
        "certificate.contacts",
        "qa.authority",
        "qa.decision",
        "qa.approved",
        "certificate.issue_date",
        "certificate.issue_place",
        "certificate.grade",
    ]
    for key in keys:
        for language in ("lv", "en"):
            assert flat(label(language, key)) in text, (key, language)


def test_latvian_comes_first_and_english_below(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    html = render_certificate_html(entry, catalogue, context, "lv")
    assert html.startswith('<section class="mq-certificate')
    assert 'lang="lv"' in html.split(">", 1)[0]
    assert html.index(entry.title.lv) < html.index(entry.title.en)
    assert f'<span class="mq-cert-secondary" lang="en">{entry.title.en}' in html


def test_an_english_first_certificate_swaps_the_order(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    html = render_certificate_html(entry, catalogue, context, "en")
    assert html.index(entry.title.en) < html.index(entry.title.lv)
    assert f'<span class="mq-cert-secondary" lang="lv">{entry.title.lv}' in html


def test_without_a_learner_the_learner_fields_are_marked_placeholders(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    html = render_certificate_html(entry, catalogue, context, "en")
    text = parse(html).text
    for key in ("name", "identifier", "issue_date", "issue_place", "grade"):
        assert label("en", f"certificate.placeholder.{key}") in text
        assert label("lv", f"certificate.placeholder.{key}") in text
    assert html.count('class="mq-cert-placeholder"') == 5
    assert "[holder's name]" in text


def test_hostile_learner_text_is_escaped(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    hostile = Learner(
        '<script>alert("x")</script>',
        '=HYPERLINK("http://evil")',
        dt.date(2026, 11, 20),
        "<img src=x onerror=alert(1)>",
        "</dd><b>10</b>",
    )
    page = parse(render_certificate_page(entry, catalogue, context, hostile))
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    text = page.text
    for value in (hostile.name, hostile.identifier, hostile.issue_place or "", hostile.grade or ""):
        assert value in text  # shown exactly as written, as text


def test_hostile_catalogue_text_is_escaped(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    hostile = replace(
        entry, title=Text("<script>alert(1)</script>", "<iframe src=x>"), decision='"><svg onload=alert(1)>'
    )
    page = parse(render_certificate_html(hostile, with_entry(catalogue, hostile), context, "lv"))
    assert "script" not in page.tags and "iframe" not in page.tags
    assert page.tags.count("svg") == 1  # only the QR code
    assert "<script>alert(1)</script>" in page.text and '"><svg onload=alert(1)>' in page.text


def test_qr_code_encodes_the_entry_page_with_the_certified_version(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    url = certificate_url(entry, context)
    assert url == f"{context.entry_url(entry)}?v={entry.version}"
    page = parse(render_certificate_html(entry, catalogue, context, "lv"))
    assert page.tags.count("svg") == 1
    # segno cannot decode; the same encoder drawing the same modules proves the data is the URL.
    # A specimen (no learner) uses the quick fixed mask; an issued certificate the best one.
    expected = parse(qr_svg(url, "x", quick=True)).svg_paths
    assert page.svg_paths == expected
    assert (
        page.svg_paths != parse(qr_svg(f"{context.entry_url(entry)}?v={entry.version + 1}", "x", quick=True)).svg_paths
    )


@pytest.mark.parametrize("quick", [True, False])
@pytest.mark.parametrize(
    "data",
    ["https://mqcat.example.org/it/x/?v=2", "https://mqcat.example.org/verify/#" + "t0K3n" * 60, "ā ü 1"],
)
def test_the_qr_code_is_the_drawing_segno_makes_of_its_modules(data: str, quick: bool) -> None:
    # render.py draws the path itself (faster); it must be segno's own SVG of the same code, byte for byte.
    code = segno.make(data, error="m", micro=False, mask=0 if quick else None)
    drawn = code.svg_inline(scale=1, border=2, omitsize=True, svgclass="mq-cert-qr-code", lineclass=None)
    svg = qr_svg(data, "Kods & <title>", quick=quick)
    assert svg == drawn.replace("<svg ", '<svg role="img" ', 1).replace(
        ">", "><title>Kods &amp; &lt;title&gt;</title>", 1
    )


def test_certificate_names_the_versioned_record(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    text = parse(render_certificate_html(entry, catalogue, context, "lv")).text
    assert context.api_url(f"entries/{entry.id}/v{entry.version}.json") in text
    assert f"{entry.id} · v{entry.version}" in text


def test_example_entries_carry_a_specimen_notice(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification
) -> None:
    text = parse(render_certificate_html(entry, catalogue, context, "lv")).text
    assert (label("lv", "certificate.example_notice") in text) == catalogue.is_example(entry)


def test_the_page_is_a_self_contained_a4_document(
    catalogue: Catalogue, context: BuildContext, entry: MicroQualification, learner: Learner
) -> None:
    page = render_certificate_page(entry, catalogue, context, learner)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="lv">' in page
    assert "size: A4" in page
    assert not re.search(r"""(src|href)=["'](?!https://)""", page)  # no local or relative resources


def test_the_certificate_fits_one_a4_page(catalogue: Catalogue, context: BuildContext, learner: Learner) -> None:
    pytest.importorskip("weasyprint")
    longest = max(
        catalogue.published_entries(),
        key=lambda e: len(parse(render_certificate_html(e, catalogue, context, "lv", learner)).text),
    )
    _, pages = pdf_module.render_pdf(render_certificate_page(longest, catalogue, context, learner))
    assert pages == 1


# --- Learner lists ------------------------------------------------------------------------------


def test_csv_and_yaml_learner_lists_load_the_same_learners() -> None:
    from_csv = load_learners(DATA / "learners.csv")
    from_yaml = load_learners(DATA / "learners.yaml")

    def strip(learners: list[Learner]) -> list[tuple[object, ...]]:
        return [(x.name, x.identifier, x.issue_date, x.issue_place, x.grade) for x in learners]

    assert strip(from_csv)[: len(from_yaml)] == strip(from_yaml)
    assert from_csv[0] == Learner(
        "Anna Bērziņa", "010190-12345", dt.date(2026, 11, 20), "Rīga", "9 (teicami)", source=from_csv[0].source, line=2
    )


def test_a_semicolon_separated_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text("name;identifier;issue_date\nAnna;A1;2026-11-20\n", encoding="utf-8-sig")
    assert [learner.name for learner in load_learners(path)] == ["Anna"]


BAD_FILES = [
    ("missing-name.csv", "name,identifier,issue_date\n,A1,2026-11-20\n", ":2:1:", "name", "name is missing"),
    (
        "missing-id.csv",
        "name,identifier,issue_date\nAnna,,2026-11-20\n",
        ":2:2:",
        "identifier",
        "identifier is missing",
    ),
    ("bad-date.csv", "name,identifier,issue_date\nAnna,A1,2026-02-30\n", ":2:3:", "issue_date", "is not a date"),
    ("dotted-date.csv", "name,identifier,issue_date\nAnna,A1,20.11.2026\n", ":2:3:", "issue_date", "is not a date"),
    ("no-date-column.csv", "name,identifier\nAnna,A1\n", ":1:1:", "issue_date", "no 'issue_date' column"),
    ("typo.csv", "name,identifier,issue_date,grde\nAnna,A1,2026-11-20,9\n", ":1:4:", "grde", "did you mean 'grade'"),
    (
        "duplicate.csv",
        "name,identifier,issue_date\nAnna,A1,2026-11-20\nAnna B,A1,2026-11-20\n",
        ":3:2:",
        "identifier",
        "already used on line 2",
    ),
    ("missing-date.yaml", "- name: Anna\n  identifier: A1\n", ":1:3:", "[0].issue_date", "issue_date is missing"),
    (
        "bad-date.yaml",
        "- name: Anna\n  identifier: A1\n  issue_date: 2026-13-01\n",
        ":3:15:",
        "[0].issue_date",
        "is not a date",
    ),
    (
        "number-id.yaml",
        "- name: Anna\n  identifier: 12345\n  issue_date: 2026-11-20\n",
        ":2:15:",
        "[0].identifier",
        "must be text",
    ),
    ("not-a-list.yaml", "name: Anna\n", ":1:1:", "", "must be a list of learners"),
    ("invisible.csv", "name,identifier,issue_date\nAn\u202ena,A1,2026-11-20\n", ":2:1:", "name", "U+202E"),
]


@pytest.mark.parametrize(
    ("name", "content", "position", "field", "message"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_a_bad_learner_file_is_refused_naming_file_line_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    entry: MicroQualification,
    name: str,
    content: str,
    position: str,
    field: str,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    status = run_cli(entry.id, "--learner", str(path), "--out", str(tmp_path / "out"))
    error = capsys.readouterr().err
    assert status == 1
    line = next(text for text in error.splitlines() if message in text)
    assert f"{name}{position}" in line
    assert f": {field}: " in line if field else " error: " in line
    assert "no certificate was written" in error
    assert not (tmp_path / "out").exists()


def test_the_loader_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text("name,identifier,issue_date\n,A1,2026-11-20\nBen,,x\n", encoding="utf-8")
    with pytest.raises(LearnerFileError) as raised:
        load_learners(path)
    assert [(p.line, p.field) for p in raised.value.problems] == [(2, "name"), (3, "identifier"), (3, "issue_date")]


# --- mqcat certificate ----------------------------------------------------------------------------


def test_the_command_writes_a_certificate_and_a_credential_per_learner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: MicroQualification
) -> None:
    out = tmp_path / "out"
    assert run_cli(entry.id, "--learner", str(DATA / "learners.csv"), "--out", str(out)) == 0
    learners = load_learners(DATA / "learners.csv")
    html_files = sorted(out.glob("*.html"))
    json_files = sorted(out.glob("*.json"))
    assert len(html_files) == len(json_files) == len(learners)
    assert html_files[0].name == "001-anna-berzina.html"
    for path, learner in zip(html_files, learners, strict=True):
        assert learner.name in parse(path.read_text(encoding="utf-8")).text
    credential = json.loads(json_files[0].read_text(encoding="utf-8"))
    assert credential["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert credential["credentialSubject"]["achievement"]["id"] == f"{SITE_URL}api/v1/ob3/{entry.id}.json"
    assert "proof" not in credential
    assert f"{len(learners)} certificate(s)" in capsys.readouterr().out


def test_the_command_reads_yaml_learner_lists(tmp_path: Path, entry: MicroQualification) -> None:
    assert run_cli(entry.id, "--learner", str(DATA / "learners.yaml"), "--out", str(tmp_path)) == 0
    assert len(list(tmp_path.glob("*.html"))) == len(load_learners(DATA / "learners.yaml"))


def test_the_command_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: MicroQualification
) -> None:
    args = (entry.id, "--learner", str(DATA / "learners.yaml"), "--out", str(tmp_path))
    assert run_cli(*args) == 0
    first = (tmp_path / "001-anna-berzina.json").read_text(encoding="utf-8")
    assert run_cli(*args) == 1
    assert "already exist" in capsys.readouterr().err
    assert (tmp_path / "001-anna-berzina.json").read_text(encoding="utf-8") == first
    assert run_cli(*args, "--force") == 0
    assert (tmp_path / "001-anna-berzina.json").read_text(encoding="utf-8") != first  # a new credential id


def test_an_unknown_entry_id_gives_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: MicroQualification
) -> None:
    status = run_cli(entry.id[:-1], "--learner", str(DATA / "learners.csv"), "--out", str(tmp_path / "out"))
    error = capsys.readouterr().err
    assert status == 2
    assert f"no micro-qualification with the id '{entry.id[:-1]}'" in error
    assert f"did you mean '{entry.id}'?" in error
    assert not (tmp_path / "out").exists()


def test_a_withdrawn_entry_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], catalogue: Catalogue) -> None:
    withdrawn = next((e for e in catalogue.entries.values() if not e.published), None)
    if withdrawn is None:
        pytest.skip("the sample catalogue has no withdrawn entry")
    status = run_cli(withdrawn.id, "--learner", str(DATA / "learners.csv"), "--out", str(tmp_path / "out"))
    assert status == 1
    assert f"'{withdrawn.id}' is withdrawn" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_issue_date_before_the_approval_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: MicroQualification
) -> None:
    path = tmp_path / "early.csv"
    early = entry.decision_date - dt.timedelta(days=1)
    path.write_text(f"name,identifier,issue_date\nAnna,A1,{early}\n", encoding="utf-8")
    assert run_cli(entry.id, "--learner", str(path), "--out", str(tmp_path / "out")) == 1
    assert "early.csv:2:1: error: issue_date: " in capsys.readouterr().err


def test_pdf_unavailable_is_reported_and_the_rest_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, entry: MicroQualification
) -> None:
    monkeypatch.setattr(
        "generator.commands.certificate.pdf_unavailable",
        lambda: "WeasyPrint is not installed; install the extra with: pip install 'mqcat[pdf]'",
    )
    assert run_cli(entry.id, "--learner", str(DATA / "learners.yaml"), "--out", str(tmp_path), "--pdf") == 0
    assert "PDF skipped: WeasyPrint is not installed" in capsys.readouterr().err
    assert list(tmp_path.glob("*.html")) and not list(tmp_path.glob("*.pdf"))


def test_pdf_files_are_written_where_weasyprint_is_installed(tmp_path: Path, entry: MicroQualification) -> None:
    pytest.importorskip("weasyprint")
    learners = tmp_path / "one.csv"
    learners.write_text("name,identifier,issue_date\nAnna Bērziņa,A1,2026-11-20\n", encoding="utf-8")
    assert run_cli(entry.id, "--learner", str(learners), "--out", str(tmp_path / "out"), "--pdf") == 0
    assert (tmp_path / "out" / "001-anna-berzina.pdf").read_bytes().startswith(b"%PDF")


def test_the_default_output_folder_keeps_itself_out_of_git(catalogue_copy: Path, entry: MicroQualification) -> None:
    status = main(
        [
            "certificate",
            entry.id,
            "--learner",
            str(DATA / "learners.yaml"),
            "--catalogue",
            str(catalogue_copy),
            "--site-url",
            SITE_URL,
        ]
    )
    assert status == 0
    folder = catalogue_copy.parent / "certificates"
    assert len(list((folder / entry.id).glob("*.html"))) == 2
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_a_malformed_version_digest_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: MicroQualification
) -> None:
    status = run_cli(
        entry.id, "--learner", str(DATA / "learners.csv"), "--out", str(tmp_path), "--version-digest", "md5-xyz"
    )
    assert status == 2
    assert "is not an SRI digest" in capsys.readouterr().err


def test_the_version_digest_ties_the_credentials_to_the_versioned_record(
    tmp_path: Path, entry: MicroQualification
) -> None:
    digest = "sha384-" + "Q" * 64
    assert (
        run_cli(entry.id, "--learner", str(DATA / "learners.yaml"), "--out", str(tmp_path), "--version-digest", digest)
        == 0
    )
    credential = json.loads((tmp_path / "001-anna-berzina.json").read_text(encoding="utf-8"))
    assert credential["relatedResource"][0] == {
        "id": f"{SITE_URL}api/v1/entries/{entry.id}/v{entry.version}.json",
        "digestSRI": digest,
        "mediaType": "application/json",
    }


def test_the_versions_manifest_supplies_the_digest_of_the_certified_version(
    tmp_path: Path, entry: MicroQualification
) -> None:
    from generator import versions

    digest = versions.digest_sri(versions.canonical_bytes(entry.id, entry.version, entry.data))
    manifest = tmp_path / "versions.json"
    manifest.write_text(
        json.dumps(
            {
                "entries": {
                    entry.id: {
                        "versions": [
                            {
                                "version": entry.version,
                                "url": f"{SITE_URL}api/v1/{version_path(entry.id, entry.version)}",
                                "digestSRI": digest,
                            }
                        ]
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    assert (
        run_cli(
            entry.id,
            "--learner",
            str(DATA / "learners.yaml"),
            "--out",
            str(tmp_path / "out"),
            "--versions",
            str(manifest),
        )
        == 0
    )
    credential = json.loads((tmp_path / "out" / "001-anna-berzina.json").read_text(encoding="utf-8"))
    assert credential["relatedResource"][0]["digestSRI"] == digest


def test_a_version_missing_from_the_manifest_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: MicroQualification
) -> None:
    manifest = tmp_path / "versions.json"
    manifest.write_text(json.dumps({"entries": {entry.id: {"versions": []}}}), encoding="utf-8")
    assert (
        run_cli(
            entry.id,
            "--learner",
            str(DATA / "learners.yaml"),
            "--out",
            str(tmp_path / "out"),
            "--versions",
            str(manifest),
        )
        == 2
    )
    assert f"version {entry.version} of '{entry.id}' is not listed" in capsys.readouterr().err
