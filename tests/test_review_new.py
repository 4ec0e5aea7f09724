"""`mqcat new`: a skeleton derived from the schema that validates only once filled in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import schemas
from generator.catalogue import validate
from generator.cli import main
from generator.loader import load_file
from generator.review import fields
from generator.review.skeleton import MODELINE

FILLED_PLACEHOLDERS = ("", None, [])


def _council_sector(catalogue_dir: Path) -> tuple[str, str]:
    """A sector that has a council in authorities.yaml, and that council's id."""
    authorities = load_file(catalogue_dir / "authorities.yaml").data["authorities"]
    council = next(a for a in authorities if a.get("sector"))
    return council["sector"], council["id"]


def _provider(catalogue_dir: Path) -> str:
    return sorted(catalogue_dir.glob("providers/*.yaml"))[0].stem


def _existing_entry(catalogue_dir: Path) -> Path:
    return next(p for p in sorted(catalogue_dir.glob("*/*.yaml")) if p.parent.name != "providers")


def _new(catalogue_dir: Path, entry_id: str, sector: str, provider: str) -> int:
    return main(["new", "--catalogue", str(catalogue_dir), "--sector", sector, "--provider", provider, "--", entry_id])


@pytest.fixture()
def skeleton(catalogue_copy: Path) -> Path:
    sector, _ = _council_sector(catalogue_copy)
    assert _new(catalogue_copy, "new-test-programme", sector, _provider(catalogue_copy)) == 0
    return catalogue_copy / sector / "new-test-programme.yaml"


def _fill(value: Any, path: tuple[str | int, ...]) -> Any:
    """Replace every placeholder with the schema's first example for that field, as a provider would."""
    node = fields.subschema(schemas.MICRO_QUALIFICATION, path) or {}
    if isinstance(value, dict):
        return {key: _fill(item, path + (key,)) for key, item in value.items()}
    if isinstance(value, list) and value:
        return [_fill(item, path + (index,)) for index, item in enumerate(value)]
    if value in FILLED_PLACEHOLDERS:
        examples = node.get("examples") or fields.resolve(node.get("items")).get("examples")
        assert examples, f"no example in the schema for {path}"
        return examples[0] if node.get("type") != "array" or isinstance(examples[0], list) else [examples[0]]
    return value


def test_new_writes_the_file_in_the_sector_folder_with_the_schema_modeline(skeleton: Path) -> None:
    assert skeleton.read_text(encoding="utf-8").splitlines()[0] == MODELINE


def test_skeleton_is_valid_yaml_for_the_safe_loader(skeleton: Path) -> None:
    assert isinstance(load_file(skeleton).data, dict)


def _provider_fields() -> dict[str, Any]:
    """The top-level fields a provider writes: all but the council's (readOnly) ones."""
    properties = fields.root(schemas.MICRO_QUALIFICATION)["properties"]
    return {name: node for name, node in properties.items() if not node.get("readOnly")}


def test_skeleton_names_every_field_the_provider_writes(skeleton: Path) -> None:
    text = skeleton.read_text(encoding="utf-8")
    for name in _provider_fields():
        assert f"\n{name}:" in text or f"\n# {name}:" in text, name


def test_every_field_has_a_comment_from_the_schema_title(skeleton: Path) -> None:
    text = skeleton.read_text(encoding="utf-8")
    for name, node in _provider_fields().items():
        title = fields.resolve(node)["title"]
        assert f"# {title}" in text, name


def test_skeleton_leaves_the_councils_fields_out_and_says_who_writes_them(skeleton: Path) -> None:
    text = skeleton.read_text(encoding="utf-8")
    data = load_file(skeleton).data
    assert not {"decision", "decision_date", "review_due"} & set(data["quality_assurance"])
    assert "status_reason" not in data and "replaced_by" not in data
    for name in ("decision_date", "review_due", "status_reason", "replaced_by"):
        assert f"\n{name}:" not in text and f"# {name}:" not in text, name
    assert "mqcat approve" in " ".join(
        line.lstrip("# ") for line in text.splitlines() if "Not yours" in line or "approve" in line
    )


def test_required_fields_are_present_and_optional_fields_commented_out(skeleton: Path) -> None:
    data = load_file(skeleton).data
    schema = fields.root(schemas.MICRO_QUALIFICATION)
    assert set(data) == set(schema["required"])


def test_known_values_are_filled_in(skeleton: Path, catalogue_copy: Path) -> None:
    sector, council = _council_sector(catalogue_copy)
    data = load_file(skeleton).data
    assert data["id"] == "new-test-programme"
    assert data["sector"] == sector
    assert data["awarding_bodies"] == [_provider(catalogue_copy)]
    assert data["quality_assurance"]["authorised_by"] == council
    assert data["version"] == 1
    assert data["status"] == "proposed"


def test_skeleton_does_not_validate_as_written(skeleton: Path, catalogue_copy: Path) -> None:
    result = validate(catalogue_copy, only={skeleton})
    assert result.errors
    assert {p.field for p in result.errors} >= {"title.lv", "learning_outcomes[0].text.en", "workload.hours"}


def test_skeleton_validates_once_the_blanks_are_filled(skeleton: Path, catalogue_copy: Path) -> None:
    data = _fill(load_file(skeleton).data, ())
    # Rules beyond the schema's examples: an online programme needs no place, a free one no price,
    # and the review falls after the approval.
    data["participation_form"] = "online"
    data["cost"] = {"type": "free"}
    skeleton.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = validate(catalogue_copy, only={skeleton})
    assert result.errors == []


def test_filled_skeleton_is_a_proposal_without_a_decision(skeleton: Path, catalogue_copy: Path) -> None:
    data = _fill(load_file(skeleton).data, ())
    data["participation_form"] = "online"
    data["cost"] = {"type": "free"}
    skeleton.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = validate(catalogue_copy)
    assert result.errors == []
    assert result.catalogue is not None
    assert "new-test-programme" in result.catalogue.proposals
    assert "new-test-programme" not in result.catalogue.entries


def test_uncommented_optional_fields_are_placeholders_that_fail_too(skeleton: Path, catalogue_copy: Path) -> None:
    text = skeleton.read_text(encoding="utf-8").replace('# prerequisites:\n#   lv: ""', 'prerequisites:\n  lv: ""')
    skeleton.write_text(text, encoding="utf-8")
    fields_with_errors = {p.field for p in validate(catalogue_copy, only={skeleton}).errors}
    assert "prerequisites.lv" in fields_with_errors


def test_new_refuses_an_id_used_in_another_sector(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = _existing_entry(catalogue_copy)
    other_sector = next(
        s for s in (_council_sector(catalogue_copy)[0], "construction", "energy") if s != existing.parent.name
    )
    assert _new(catalogue_copy, existing.stem, other_sector, _provider(catalogue_copy)) == 2
    err = capsys.readouterr().err
    assert f"catalogue/{existing.parent.name}/{existing.name}" in err
    assert "Fix:" in err
    assert not (catalogue_copy / other_sector / existing.name).exists()


def test_new_refuses_an_unknown_sector_with_a_suggestion(
    catalogue_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sector, _ = _council_sector(catalogue_copy)
    assert _new(catalogue_copy, "new-test-programme", sector[:-1], _provider(catalogue_copy)) == 2
    err = capsys.readouterr().err
    assert f"unknown sector '{sector[:-1]}'" in err
    assert f"did you mean '{sector}'?" in err


def test_new_refuses_an_unknown_provider_with_a_suggestion(
    catalogue_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sector, _ = _council_sector(catalogue_copy)
    provider = _provider(catalogue_copy)
    assert _new(catalogue_copy, "new-test-programme", sector, provider + "x") == 2
    err = capsys.readouterr().err
    assert f"did you mean '{provider}'?" in err
    assert "catalogue/providers/" in err


@pytest.mark.parametrize("bad_id", ["Forklift", "forklift_basics", "-forklift", "forklift--basics", "x", "ābols"])
def test_new_refuses_a_malformed_id(catalogue_copy: Path, capsys: pytest.CaptureFixture[str], bad_id: str) -> None:
    sector, _ = _council_sector(catalogue_copy)
    assert _new(catalogue_copy, bad_id, sector, _provider(catalogue_copy)) == 2
    err = capsys.readouterr().err
    assert "is not a valid id" in err
    assert "Fix:" in err


def test_new_suggests_a_well_formed_id(catalogue_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sector, _ = _council_sector(catalogue_copy)
    _new(catalogue_copy, "Forklift_Basics", sector, _provider(catalogue_copy))
    assert "'forklift-basics'" in capsys.readouterr().err
