"""Limits with messages: nesting depth and problems per file; never a traceback.

How the time grows with the size of a bad file is measured by
benchmarks/bench_limits.py, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalogue import validate
from generator.cli import main
from generator.loader import MAX_DEPTH, LoadError, parse_text
from generator.problems import MAX_PER_FILE

ENTRY = "transport-logistics/forklift-safe-operation.yaml"


def flow(depth: int) -> str:
    return "id: x\nlist: " + "[" * depth + "]" * depth + "\n"


def block(depth: int) -> str:
    lines = ["id: x", "a:"] + [" " * level + f"k{level}:" for level in range(1, depth)] + [" " * depth + "v"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("written", [flow, block], ids=["flow", "block"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 600, 999, 5000])
def test_a_document_nested_too_deeply_is_refused_where_it_passes_the_limit(written: object, depth: int) -> None:
    text = written(depth)  # type: ignore[operator]
    with pytest.raises(LoadError) as refused:
        parse_text(text, Path("x.yaml"), "x.yaml")
    problem = refused.value.problem
    assert problem.message == f"the document is nested more than {MAX_DEPTH} levels deep here"
    assert (problem.file, problem.line) == ("x.yaml", 2 if written is flow else MAX_DEPTH + 2)


def chained(depth: int) -> str:
    return "id: x\nlist:\n" + "-  " * depth + "x\n"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 60000])
def test_block_indicators_chained_on_one_line_are_refused_too(depth: int) -> None:
    with pytest.raises(LoadError) as refused:
        parse_text(chained(depth), Path("x.yaml"), "x.yaml")
    assert refused.value.problem.message == f"the document is nested more than {MAX_DEPTH} levels deep here"
    assert refused.value.problem.line == 3


@pytest.mark.parametrize("written", [flow, block, chained], ids=["flow", "block", "chained"])
def test_a_document_at_the_nesting_limit_loads(written: object) -> None:
    text = written(MAX_DEPTH - 1)  # type: ignore[operator]
    assert parse_text(text, Path("x.yaml"), "x.yaml").data["id"] == "x"


def test_deep_nesting_in_a_catalogue_file_is_one_error_from_the_command(
    catalogue_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalogue_copy / ENTRY
    path.write_text(path.read_text(encoding="utf-8") + "extra: " + "[" * 900 + "]" * 900 + "\n", encoding="utf-8")
    assert main(["validate", "--catalogue", str(catalogue_copy)]) == 1
    out, err = capsys.readouterr()
    assert f"{ENTRY}:" in out and f"nested more than {MAX_DEPTH} levels deep" in out
    assert "Traceback" not in out + err


def test_problems_of_a_file_stop_at_the_limit_and_say_how_many_more(catalogue_copy: Path) -> None:
    path = catalogue_copy / ENTRY
    extra = "".join(f"unknown_field_{number:04d}: {number}\n" for number in range(2500))
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    found = [p for p in validate(catalogue_copy).problems if p.file.endswith(ENTRY)]
    assert len(found) == MAX_PER_FILE + 1
    assert all(p.message.startswith("unknown field") for p in found[:MAX_PER_FILE])
    last = found[-1]
    assert last.message == f"and {2500 - MAX_PER_FILE} more problems in this file, not listed"
    assert last.hint == f"fix the first {MAX_PER_FILE} and run the check again"


def test_each_listed_problem_keeps_its_own_line(catalogue_copy: Path) -> None:
    path = catalogue_copy / ENTRY
    text = path.read_text(encoding="utf-8")
    first = text.count("\n") + 1
    path.write_text(text + "".join(f"unknown_{n:03d}: 1\n" for n in range(150)), encoding="utf-8")
    found = [p for p in validate(catalogue_copy).problems if p.file.endswith(ENTRY)]
    assert [p.line for p in found[:MAX_PER_FILE]] == list(range(first, first + MAX_PER_FILE))
