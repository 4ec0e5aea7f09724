"""The catalogue in figures: counts and medians computed once per build, in one pass.

The statistics page (site/charts.py draws its charts) and the open data
(`api/v1/statistics.json`) show the same `Figures`. Every figure counts the published
entries (active and suspended), as the listings do:

* entries by sector (every sector, also those without an entry), by LKI/EQF level
  (1 to 8) and by form of participation;
* approvals per calendar quarter of the decision date, every quarter from the first
  to the last one with an approval;
* reviews due within 12 months of the build date (today included, a year later
  excluded), per approving authority, with the reviews already overdue beside them;
* per sector: the median notional workload in hours, and the median cost of the paid
  programmes per currency (free and funded ones have no price to take a median of).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics as stats
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .context import STATISTICS_PATH, BuildContext
from .i18n import LANGUAGES
from .model import PARTICIPATION_FORMS, Catalogue

STATISTICS_FILE = "statistics.json"
FORMAT = {"name": "mqcat-statistics", "version": "1.0"}
LEVELS = range(1, 9)


@dataclass
class SectorFigures:
    sector: str
    entries: int = 0
    median_hours: float | None = None
    paid: int = 0
    # Currency -> median amount of the paid programmes.
    median_cost: dict[str, float] = field(default_factory=dict)


@dataclass
class Figures:
    as_of: str
    entries: int
    by_sector: list[SectorFigures]
    by_level: dict[int, int]
    by_form: dict[str, int]
    approvals_per_quarter: dict[str, int]
    # Authority id -> {"due": reviews due within 12 months, "overdue": reviews already late}.
    reviews_due: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (object keys are strings)."""
        data = asdict(self)
        data["by_level"] = {str(level): count for level, count in self.by_level.items()}
        return data


def quarter(day: dt.date) -> str:
    """`2025-Q3`."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarters(first: dt.date, last: dt.date) -> list[str]:
    """Every quarter from `first`'s to `last`'s, in order."""
    year, index = first.year, (first.month - 1) // 3
    result = []
    while (year, index) <= (last.year, (last.month - 1) // 3):
        result.append(f"{year}-Q{index + 1}")
        year, index = (year + 1, 0) if index == 3 else (year, index + 1)
    return result


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _median(values: list[float]) -> float | None:
    return float(stats.median(values)) if values else None


def compute(catalogue: Catalogue, today: dt.date) -> Figures:
    """Every figure of the statistics page, from one pass over the published entries."""
    horizon = _a_year_after(today)
    hours: dict[str, list[float]] = {sector: [] for sector in catalogue.sectors}
    costs: dict[str, dict[str, list[float]]] = {sector: {} for sector in catalogue.sectors}
    by_level = dict.fromkeys(LEVELS, 0)
    by_form = dict.fromkeys(PARTICIPATION_FORMS, 0)
    approvals: dict[str, int] = {}
    reviews = {
        a.id: {"due": 0, "overdue": 0} for a in catalogue.authorities.values() if a.type == "sectoral-expert-council"
    }
    decided: list[dt.date] = []
    published = catalogue.published_entries()
    for entry in published:
        hours.setdefault(entry.sector, []).append(entry.hours)
        if entry.cost_type == "paid" and entry.cost_amount is not None:
            costs.setdefault(entry.sector, {}).setdefault(entry.cost_currency or "EUR", []).append(entry.cost_amount)
        by_level[entry.lki] = by_level.get(entry.lki, 0) + 1
        by_form[entry.participation_form] = by_form.get(entry.participation_form, 0) + 1
        # A published entry carries the council's decision (only proposals lack one).
        assert entry.decision_date is not None and entry.review_due is not None, entry.id
        approvals[quarter(entry.decision_date)] = approvals.get(quarter(entry.decision_date), 0) + 1
        decided.append(entry.decision_date)
        council = reviews.setdefault(entry.authorised_by, {"due": 0, "overdue": 0})
        if entry.review_due < today:
            council["overdue"] += 1
        elif entry.review_due < horizon:
            council["due"] += 1
    per_quarter = {q: approvals.get(q, 0) for q in _quarters(min(decided), max(decided))} if decided else {}
    by_sector = [
        SectorFigures(
            sector=sector,
            entries=len(values),
            median_hours=_median(values),
            paid=sum(len(amounts) for amounts in costs[sector].values()),
            median_cost={currency: _median(amounts) or 0.0 for currency, amounts in sorted(costs[sector].items())},
        )
        for sector, values in hours.items()
    ]
    return Figures(
        as_of=today.isoformat(),
        entries=len(published),
        by_sector=by_sector,
        by_level=by_level,
        by_form=by_form,
        approvals_per_quarter=per_quarter,
        reviews_due=reviews,
    )


def write_statistics(figures: Figures, site_dir: Path, ctx: BuildContext) -> None:
    """Write `api/v1/statistics.json`: the statistics page's figures (computed once per build) as open data."""
    target = site_dir / ctx.api_path(STATISTICS_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "format": FORMAT,
        "generated": ctx.today.isoformat(),
        "site": ctx.site_url,
        "page": {language: ctx.url(STATISTICS_PATH, language) for language in LANGUAGES},
        **figures.as_dict(),
    }
    target.write_text(json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
