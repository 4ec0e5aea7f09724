"""ELM v3 (LOQ) and Open Badges 3.0 exports, validated offline with the official artifacts.

The shapes, contexts and the OB 3.0 JSON Schema live in tests/data/interop/ (see its
README for their sources and licences): remote contexts are replaced by the local files, the
two Java-only regexes of the LOQ shapes by Python ones, and ELM.ttl is never used
as an ontology graph. Every check also asserts that the typed nodes it is about
exist, so that a conforming result cannot be vacuous.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pyshacl
import pytest
import referencing
import referencing.jsonschema
from rdflib import RDF, Graph, Literal, Namespace
from rdflib.namespace import SH

from generator.certificate.learners import Learner
from generator.context import BuildContext
from generator.interop import elm, ob3
from generator.model import Catalogue, MicroQualification, Text

INTEROP = Path(__file__).resolve().parent / "data" / "interop"
ELM_DIR = INTEROP / "elm"
OB3_DIR = INTEROP / "ob3"

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
DCT = Namespace("http://purl.org/dc/terms/")

LOCAL_CONTEXTS = {
    "http://data.europa.eu/snb/model/context/edc-ap": ELM_DIR / "edc-ap-context.jsonld",
    "https://www.w3.org/2018/credentials/v1": ELM_DIR / "w3c-credentials-v1-context.jsonld",
    "https://www.w3.org/ns/credentials/v2": OB3_DIR / "w3c-credentials-v2-context.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": OB3_DIR / "context-3.0.3.json",
}

# The README's replacements for the Java regexes that Python's re cannot compile.
URL_PATTERN = (
    r"(?i)^(http|https):(//(([^@\[/?#]*)@)?(\[[A-Fa-f0-9:.]*[%\w]*\]|[^\[/?#:]*)"
    r"(:(\d*(?:\{[^/]+?\})?))?)?([^?#]*)(\?([^#]*))?(#(.*))?"
)
URI_PATTERN = (
    r"^(([^:/?#]+):)?(//(([^@\[/?#]*)@)?(\[[A-Fa-f0-9:.]*[%\w]*\]|[^\[/?#:]*)"
    r"(:(\d*(?:\{[^/]+?\})?))?)?([^?#]*)(\?([^#]*))?(#(.*))?"
)

OB3_SCHEMA_PUBLISHED_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


# --- Helpers -----------------------------------------------------------------------------------


def _context(url: str) -> Any:
    return json.loads(LOCAL_CONTEXTS[url].read_text(encoding="utf-8"))["@context"]


def to_graph(document: dict[str, Any], *, catch_dropped: bool = False) -> Graph:
    """The RDF of a JSON-LD document, with the remote contexts replaced by the local copies.

    With catch_dropped, a last context maps every undefined key to `urn:dropped:<key>`, so
    keys that JSON-LD would silently drop become visible.
    """
    document = dict(document)
    contexts = [_context(url) if isinstance(url, str) else url for url in document["@context"]]
    if catch_dropped:
        contexts.append({"@vocab": "urn:dropped:"})
    document["@context"] = contexts
    return Graph().parse(data=json.dumps(document), format="json-ld")


# The credential schema type that the OB 3.0 specification prescribes, though no context defines it.
SPECIFIED_UNDEFINED_TERMS = {"urn:dropped:1EdTechJsonSchemaValidator2019"}


def dropped_terms(document: dict[str, Any]) -> list[str]:
    graph = to_graph(document, catch_dropped=True)
    return sorted(
        {str(term) for triple in graph for term in triple if str(term).startswith("urn:dropped:")}
        - SPECIFIED_UNDEFINED_TERMS
    )


def load_shapes(*names: str) -> Graph:
    shapes = Graph()
    for name in names:
        shapes.parse(ELM_DIR / name)
    for subject, predicate, pattern in list(shapes.triples((None, SH.pattern, None))):
        if "\\p{" in str(pattern):  # Java character classes: the URL and URI restrictions
            shapes.remove((subject, predicate, pattern))
            replacement = URL_PATTERN if str(pattern).startswith("^(?i)") else URI_PATTERN
            shapes.add((subject, predicate, Literal(replacement)))
    return shapes


def shacl(data: Graph, shapes: Graph) -> tuple[bool, str]:
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return conforms, text


def typed(graph: Graph, cls: Any) -> set[Any]:
    return set(graph.subjects(RDF.type, cls))


def xsd_values(name: str) -> set[str]:
    return set(re.findall(r'enumeration value="([^"]+)"', (ELM_DIR / "cv-xsd" / name).read_text(encoding="utf-8")))


def with_entry(catalogue: Catalogue, entry: MicroQualification) -> Catalogue:
    return Catalogue(
        catalogue.sectors,
        catalogue.authorities,
        catalogue.providers,
        {**catalogue.entries, entry.id: entry},
        catalogue.maintainers,
    )


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def loq_shapes() -> Graph:
    return load_shapes("LOQ-constraints.ttl")


@pytest.fixture(scope="session")
def loq_mdr_shapes() -> Graph:
    return load_shapes("LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl")


@pytest.fixture(scope="session")
def site(catalogue: Catalogue, context: BuildContext, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site folder with what the two writers publish, as the site build calls them."""
    site_dir = tmp_path_factory.mktemp("site")
    elm.write_elm(catalogue, site_dir, context)
    ob3.write_ob3(catalogue, site_dir, context)
    return site_dir


@pytest.fixture(scope="session")
def elm_documents(catalogue: Catalogue, site: Path) -> dict[str, dict[str, Any]]:
    return {
        entry.id: json.loads((site / "api/v1/elm" / f"{entry.id}.jsonld").read_text(encoding="utf-8"))
        for entry in catalogue.published_entries()
    }


@pytest.fixture(scope="session")
def elm_graphs(elm_documents: dict[str, dict[str, Any]]) -> dict[str, Graph]:
    return {entry_id: to_graph(document) for entry_id, document in elm_documents.items()}


@pytest.fixture(scope="session")
def ob3_schema() -> dict[str, Any]:
    return json.loads((OB3_DIR / "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ob3_registry(ob3_schema: dict[str, Any]) -> referencing.Registry:
    resource = referencing.jsonschema.DRAFT201909.create_resource(ob3_schema)
    return referencing.Registry().with_resources([(ob3_schema["$id"], resource), (OB3_SCHEMA_PUBLISHED_ID, resource)])


@pytest.fixture(scope="session")
def achievement_validator(ob3_registry: referencing.Registry) -> jsonschema.Draft201909Validator:
    return jsonschema.Draft201909Validator(
        {"$ref": f"{OB3_SCHEMA_PUBLISHED_ID}#/$defs/Achievement"},
        registry=ob3_registry,
        format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER,
    )


@pytest.fixture(scope="session")
def credential_validator(
    ob3_schema: dict[str, Any], ob3_registry: referencing.Registry
) -> jsonschema.Draft201909Validator:
    return jsonschema.Draft201909Validator(
        ob3_schema, registry=ob3_registry, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="session")
def learner() -> Learner:
    return Learner("Anna Bērziņa", "010190-12345", dt.date(2026, 11, 20), "Rīga", "9")


def _errors(validator: jsonschema.Draft201909Validator, instance: Any) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(instance)]


# --- The validation harness itself -------------------------------------------------------------


def test_pattern_fix_leaves_only_patterns_python_can_compile(loq_mdr_shapes: Graph) -> None:
    patterns = [str(p) for p in loq_mdr_shapes.objects(None, SH.pattern)]
    assert URL_PATTERN in patterns and URI_PATTERN in patterns
    for pattern in patterns:
        re.compile(pattern)


def test_official_sample_qualification_conforms_to_the_loq_shapes(loq_shapes: Graph) -> None:
    sample = json.loads(
        (ELM_DIR / "samples" / "qualification-from-Sample-MC-Annex1.jsonld").read_text(encoding="utf-8")
    )
    graph = to_graph(sample)
    assert typed(graph, ELM.Qualification)
    conforms, report = shacl(graph, loq_shapes)
    assert conforms, report


# --- ELM: what the writer publishes ------------------------------------------------------------


def test_write_elm_writes_a_document_per_published_entry_and_the_dataset(catalogue: Catalogue, site: Path) -> None:
    published = {entry.id for entry in catalogue.published_entries()}
    written = {path.stem for path in (site / "api/v1/elm").glob("*.jsonld")} - {"dataset"}
    assert written == published
    assert (site / "api/v1/elm/dataset.jsonld").is_file()


def test_the_streamed_elm_files_are_the_documents_encoded_in_one_piece(
    catalogue: Catalogue, context: BuildContext, site: Path
) -> None:
    def encoded(document: dict[str, Any]) -> bytes:
        return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")

    dataset = elm.dataset_document(catalogue, context)
    assert len(dataset["@graph"]) == len(catalogue.published_entries()) + 1
    assert (site / "api/v1/elm/dataset.jsonld").read_bytes() == encoded(dataset)
    entry = catalogue.published_entries()[0]
    single = {"@context": elm.CONTEXT, **elm.learning_opportunity(entry, catalogue, context)}
    assert (site / "api/v1/elm" / f"{entry.id}.jsonld").read_bytes() == encoded(single)


def test_withdrawn_entries_have_no_elm_document(catalogue: Catalogue, site: Path) -> None:
    for entry in catalogue.entries.values():
        if not entry.published:
            assert not (site / "api/v1/elm" / f"{entry.id}.jsonld").exists()


def test_elm_documents_use_the_published_contexts(elm_documents: dict[str, dict[str, Any]]) -> None:
    for document in elm_documents.values():
        assert document["@context"] == [
            "https://www.w3.org/2018/credentials/v1",
            "http://data.europa.eu/snb/model/context/edc-ap",
        ]


def test_every_key_of_the_elm_documents_is_defined_by_the_contexts(
    elm_documents: dict[str, dict[str, Any]], site: Path
) -> None:
    dataset = json.loads((site / "api/v1/elm/dataset.jsonld").read_text(encoding="utf-8"))
    problems = {
        entry_id: dropped
        for entry_id, document in {**elm_documents, "dataset": dataset}.items()
        if (dropped := dropped_terms(document))
    }
    assert not problems, f"keys that JSON-LD drops silently: {problems}"


def test_every_elm_document_has_the_typed_nodes_it_describes(
    catalogue: Catalogue, context: BuildContext, elm_graphs: dict[str, Graph]
) -> None:
    for entry_id, graph in elm_graphs.items():
        entry = catalogue.entries[entry_id]
        base = context.entry_url(entry)
        assert (None, RDF.type, ELM.LearningOpportunity) in graph, entry_id
        qualification = next(iter(q for q in typed(graph, ELM.Qualification) if str(q) == f"{base}#qualification"))
        assert (qualification, ELM.EQFLevel, None) in graph, entry_id
        assert typed(graph, ELM.Organisation), entry_id
        assert typed(graph, ELM.Accreditation), entry_id
        assert len(list(graph.objects(qualification, ELM.learningOutcome))) == len(entry.learning_outcomes)


def test_every_elm_document_conforms_to_the_loq_and_vocabulary_shapes(
    elm_graphs: dict[str, Graph], loq_mdr_shapes: Graph
) -> None:
    # One pass with both shape sets (the MDR file adds to the LOQ shapes). ESCO skills carry no
    # inScheme, so the MDR shapes' defective ESCO pattern has nothing to report.
    failures = {}
    for entry_id, graph in elm_graphs.items():
        conforms, report = shacl(graph, loq_mdr_shapes)
        if not conforms:
            failures[entry_id] = report
    assert not failures, "\n\n".join(f"== api/v1/elm/{i}.jsonld\n{report}" for i, report in failures.items())


def test_the_dataset_merges_into_one_conforming_graph(catalogue: Catalogue, site: Path, loq_mdr_shapes: Graph) -> None:
    graph = to_graph(json.loads((site / "api/v1/elm/dataset.jsonld").read_text(encoding="utf-8")))
    assert len(typed(graph, ELM.LearningOpportunity)) == len(catalogue.published_entries())
    conforms, report = shacl(graph, loq_mdr_shapes)
    assert conforms, report


def test_an_elm_document_without_a_title_does_not_conform(
    elm_documents: dict[str, dict[str, Any]], loq_shapes: Graph
) -> None:
    document = copy.deepcopy(next(iter(elm_documents.values())))
    del document["learningAchievementSpecification"]["title"]
    conforms, report = shacl(to_graph(document), loq_shapes)
    assert not conforms
    assert "MinCountConstraintComponent" in report and "#qualification>->dc" in report and "title" in report.lower()


def test_an_elm_document_without_an_eqf_level_does_not_conform(
    elm_documents: dict[str, dict[str, Any]], loq_mdr_shapes: Graph
) -> None:
    document = copy.deepcopy(next(iter(elm_documents.values())))
    del document["learningAchievementSpecification"]["eqfLevel"]
    conforms, report = shacl(to_graph(document), loq_mdr_shapes)
    assert not conforms
    assert "elm:EQFLevel" in report


def test_coded_values_are_concepts_of_the_eu_vocabularies(elm_graphs: dict[str, Graph]) -> None:
    allowed = {
        ELM.EQFLevel: xsd_values("eqf.xsd"),
        ELM.ISCEDFCode: xsd_values("isced-f.xsd"),
        ELM.mode: xsd_values("europass-modes.xsd"),
        ELM.framework: xsd_values("credit-points.xsd"),
    }
    for entry_id, graph in elm_graphs.items():
        for prop, values in allowed.items():
            for concept in graph.objects(None, prop):
                assert str(concept) in values, f"{entry_id}: {prop} {concept}"
        for opportunity in typed(graph, ELM.LearningOpportunity):
            for concept in graph.objects(opportunity, DCT.type):
                assert str(concept) in xsd_values("europass-learning-opportunity-types.xsd")


def test_stacking_links_qualifications_both_ways(
    catalogue: Catalogue, context: BuildContext, elm_graphs: dict[str, Graph]
) -> None:
    stacked = [
        e
        for e in catalogue.published_entries()
        if any(t in catalogue.entries and catalogue.entries[t].published for t in e.stacks_into)
    ]
    if not stacked:
        pytest.skip("no published entry stacks into another")
    part = stacked[0]
    whole = catalogue.entries[next(t for t in part.stacks_into if catalogue.entries[t].published)]
    part_iri = f"{context.entry_url(part)}#qualification"
    whole_iri = f"{context.entry_url(whole)}#qualification"
    assert (None, ELM.isPartOf, None) in elm_graphs[part.id]
    assert whole_iri in {str(o) for o in elm_graphs[part.id].objects(None, ELM.isPartOf)}
    assert part_iri in {str(o) for o in elm_graphs[whole.id].objects(None, ELM.hasPart)}


# --- OB 3.0 ------------------------------------------------------------------------------------


def test_write_ob3_writes_an_achievement_per_published_entry_and_language(catalogue: Catalogue, site: Path) -> None:
    for entry in catalogue.published_entries():
        assert (site / "api/v1/ob3" / f"{entry.id}.json").is_file()
        assert (site / "api/v1/ob3" / f"{entry.id}.en.json").is_file()


def test_every_ob3_achievement_is_valid_against_the_schema(
    catalogue: Catalogue, site: Path, achievement_validator: jsonschema.Draft201909Validator
) -> None:
    failures = {}
    for path in sorted((site / "api/v1/ob3").glob("*.json")):
        achievement = json.loads(path.read_text(encoding="utf-8"))
        assert achievement["type"] == ["Achievement"] and achievement["achievementType"] == "MicroCredential"
        if errors := _errors(achievement_validator, achievement):
            failures[path.name] = errors
    assert not failures, failures


def test_the_achievement_validator_is_not_vacuous(
    catalogue: Catalogue, context: BuildContext, achievement_validator: jsonschema.Draft201909Validator
) -> None:
    achievement = ob3.achievement(catalogue.published_entries()[0], catalogue, context)
    del achievement["criteria"]
    achievement["type"] = "Achievement"
    errors = _errors(achievement_validator, achievement)
    assert any("'criteria' is a required property" in e for e in errors)
    assert any("is not of type 'array'" in e for e in errors)


def test_an_achievement_carries_what_the_catalogue_says(catalogue: Catalogue, context: BuildContext) -> None:
    entry = next(e for e in catalogue.published_entries() if e.ects is not None)
    achievement = ob3.achievement(entry, catalogue, context, "en")
    assert achievement["id"] == context.api_url(f"ob3/{entry.id}.en.json")
    assert achievement["name"] == entry.title.en
    assert achievement["criteria"]["id"] == context.entry_url(entry, "en")
    assert achievement["creditsAvailable"] == float(entry.ects)
    assert achievement["inLanguage"] == "en" and achievement["version"] == str(entry.version)
    urls = {a["targetUrl"] for a in achievement["alignment"]}
    assert entry.eqf_uri in urls and entry.isced_f_uri in urls
    assert {uri for o in entry.learning_outcomes for uri in o.esco_skills} <= urls
    assert achievement["creator"]["name"] == catalogue.providers[entry.awarding_bodies[0]].legal_name
    assert {
        "id": context.api_url(f"ob3/{entry.id}.json"),
        "type": ["Related"],
        "inLanguage": "lv",
        "version": str(entry.version),
    } in achievement["related"]


def test_every_key_of_an_achievement_is_defined_by_the_contexts(catalogue: Catalogue, site: Path) -> None:
    problems = {}
    for path in sorted((site / "api/v1/ob3").glob("*.json")):
        if dropped := dropped_terms(json.loads(path.read_text(encoding="utf-8"))):
            problems[path.name] = dropped
    assert not problems, f"keys that JSON-LD drops silently: {problems}"


def test_narrative_shows_contributor_markdown_as_text(catalogue: Catalogue, context: BuildContext) -> None:
    entry = catalogue.published_entries()[0]
    hostile = Text(
        "1. [klikšķini](javascript:alert(1)) <img src=x onerror=alert(1)> **treknraksts**",
        "- [click](javascript:alert(1)) <img src=x onerror=alert(1)> **bold**",
    )
    first = entry.learning_outcomes[0]
    changed = type(first)(hostile, first.esco_skills)
    from dataclasses import replace

    entry = replace(entry, learning_outcomes=(changed, *entry.learning_outcomes[1:]))
    narrative = ob3.achievement(entry, with_entry(catalogue, entry), context, "en")["criteria"]["narrative"]
    assert (
        "- \\- \\[click\\]\\(javascript:alert\\(1\\)\\) \\<img src=x onerror=alert\\(1\\)\\> \\*\\*bold\\*\\*"
        in narrative
    )
    # Every markup character is preceded by a backslash: nothing is left for Markdown to interpret.
    assert not re.search(r"(?<!\\)[<\[\]()*]", narrative.split("\n", 2)[2])


def test_an_achievement_credential_is_valid_against_the_whole_schema(
    catalogue: Catalogue, context: BuildContext, learner: Learner, credential_validator: jsonschema.Draft201909Validator
) -> None:
    entry = catalogue.published_entries()[0]
    credential = ob3.achievement_credential(entry, catalogue, context, learner, version_digest="sha384-" + "A" * 64)
    assert _errors(credential_validator, credential) == []
    assert credential["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert credential["validFrom"].startswith("2026-11-20T00:00:00")
    assert credential["issuer"]["name"] == catalogue.providers[entry.awarding_bodies[0]].legal_name
    assert credential["credentialSubject"]["result"] == [{"type": ["Result"], "value": "9"}]
    assert dropped_terms(credential) == []


def test_the_credential_validator_is_not_vacuous(
    catalogue: Catalogue, context: BuildContext, learner: Learner, credential_validator: jsonschema.Draft201909Validator
) -> None:
    credential = ob3.achievement_credential(catalogue.published_entries()[0], catalogue, context, learner)
    credential["validFrom"] = "20/11/2026"
    del credential["credentialSubject"]["achievement"]["name"]
    errors = _errors(credential_validator, credential)
    assert any("'name' is a required property" in e for e in errors)
    assert any("is not a 'date-time'" in e for e in errors)


def test_related_resource_names_the_version_only_with_its_digest(
    catalogue: Catalogue, context: BuildContext, learner: Learner
) -> None:
    entry = catalogue.published_entries()[0]
    assert "relatedResource" not in ob3.achievement_credential(entry, catalogue, context, learner)
    credential = ob3.achievement_credential(entry, catalogue, context, learner, version_digest="sha384-abc")
    assert credential["relatedResource"] == [
        {
            "id": context.api_url(f"entries/{entry.id}/v{entry.version}.json"),
            "digestSRI": "sha384-abc",
            "mediaType": "application/json",
        }
    ]


def test_the_learner_identifier_is_stored_salted_and_hashed(
    catalogue: Catalogue, context: BuildContext, learner: Learner
) -> None:
    credential = ob3.achievement_credential(catalogue.published_entries()[0], catalogue, context, learner, salt="abc")
    identities = credential["credentialSubject"]["identifier"]
    assert learner.identifier not in json.dumps(credential)
    import hashlib

    expected = "sha256$" + hashlib.sha256((learner.identifier + "abc").encode()).hexdigest()
    assert {
        "type": "IdentityObject",
        "identityType": "identifier",
        "hashed": True,
        "identityHash": expected,
        "salt": "abc",
    } in identities
    assert {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": learner.name,
    } in identities
