""".github/CODEOWNERS generated from the sector registry (`mqcat codeowners`).

GitHub asks the code owners of every file a pull request touches for review;
with branch protection's "require review from code owners", their approval is
what lets the pull request merge. Each sector's folder belongs to its council's
reviewers; the format, the registries, the generator and the workflows belong
to the catalogue maintainers. GitHub applies the last matching line, so the
specific lines come after the catch-all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import schemas
from ..layout import AUTHORITIES_FILE, PROVIDERS_DIR, SECTORS_FILE, STATUS_LISTS_DIR
from ..loader import LoadError, load_file
from ..problems import Problem, Severity

CODEOWNERS_PATH = Path(".github") / "CODEOWNERS"

# Paths only maintainers change: the catalogue's format, its registries and its machinery.
MAINTAINED_PATHS = (
    f"/catalogue/{SECTORS_FILE}",
    f"/catalogue/{AUTHORITIES_FILE}",
    f"/catalogue/{PROVIDERS_DIR}/",
    f"/catalogue/{STATUS_LISTS_DIR}/",
    "/schema/",
    "/generator/",
    "/.github/",
    "/mkdocs.yml",
    "/pyproject.toml",
)

HEADER = """\
# GENERATED FILE: do not edit by hand.
# Written by `mqcat codeowners` from catalogue/sectors.yaml (each sector's reviewers,
# and the catalogue maintainers). To change who reviews what, edit catalogue/sectors.yaml,
# run `mqcat codeowners` and commit both files; CI runs `mqcat codeowners --check`.
# GitHub uses the last line that matches a file, so specific lines come last.
"""


class RegistryInvalid(Exception):
    """catalogue/sectors.yaml cannot be read or does not match its schema."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.text() for problem in problems))
        self.problems = problems


def read_registry(sectors_file: Path, display: str = f"catalogue/{SECTORS_FILE}") -> dict[str, Any]:
    """The validated sector registry; RegistryInvalid if it has errors."""
    try:
        doc = load_file(sectors_file, display)
    except LoadError as error:
        raise RegistryInvalid([error.problem]) from None
    errors = [p for p in schemas.check(doc, schemas.SECTORS) if p.severity is Severity.ERROR]
    if errors:
        raise RegistryInvalid(errors)
    return doc.data


def render(registry: dict[str, Any]) -> str:
    """The text of .github/CODEOWNERS for a validated sector registry."""
    maintainers = " ".join(registry["maintainers"])
    rules: list[tuple[str, str]] = [("*", maintainers)]
    rules += [(f"/catalogue/{sector['id']}/", " ".join(sector["reviewers"])) for sector in registry["sectors"]]
    rules += [(path, maintainers) for path in MAINTAINED_PATHS]
    width = max(len(pattern) for pattern, _ in rules)

    def lines(selected: list[tuple[str, str]]) -> list[str]:
        return [f"{pattern.ljust(width)}  {owners}" for pattern, owners in selected]

    sector_count = len(registry["sectors"])
    return (
        "\n".join(
            [
                HEADER.rstrip("\n"),
                "",
                "# Everything not named below: the catalogue maintainers.",
                *lines(rules[:1]),
                "",
                "# Micro-qualifications: each sector's expert council approves its own folder.",
                *lines(rules[1 : 1 + sector_count]),
                "",
                "# The registries, the format and the machinery: the catalogue maintainers.",
                *lines(rules[1 + sector_count :]),
            ]
        )
        + "\n"
    )
