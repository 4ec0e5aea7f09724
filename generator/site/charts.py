"""The statistics page: its figures (generator/statistics.py) as bar charts and tables, in one language.

Charts are drawn at build time as inline SVG by the template mq-statistics.html
from the geometry computed here: horizontal bars, one row per item, the label
above its bar (wrapped to lines, as SVG text does not wrap) and the value after
it. The SVG scales to the column's width; colours come from the stylesheet, so
they follow the palette and print. Every chart is an image with a name for
screen readers and a table with the same figures below it.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..context import BuildContext
from ..formatting import Labels, number, text
from ..model import Catalogue
from ..statistics import STATISTICS_FILE, Figures

WIDTH = 640
LABEL_CHARS = 72  # characters per label line at the chart's font size
LINE = 18  # height of a label line
BAR = 16
GAP = 12
VALUE_ROOM = 90  # room right of the longest bar for its value


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, float, str]], table: dict[str, Any]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart: `rows` are (label, value, value as shown)."""
    top = max((value for _, value, _ in rows), default=0) or 1
    y = 0
    drawn = []
    for label, value, shown in rows:
        lines = textwrap.wrap(label, LABEL_CHARS) or [""]
        label_lines = [{"y": y + LINE * (i + 1) - 4, "text": line} for i, line in enumerate(lines)]
        y += LINE * len(lines)
        width = round((WIDTH - VALUE_ROOM) * value / top, 1)
        drawn.append(
            {
                "lines": label_lines,
                "bar": {"y": y + 2, "width": width, "height": BAR},
                "value": {"x": width + 6, "y": y + BAR - 1, "text": shown},
            }
        )
        y += BAR + GAP
    return {"id": chart_id, "title": title, "width": WIDTH, "height": max(y, 1), "rows": drawn, "table": table}


def view(figures: Figures, catalogue: Catalogue, ctx: BuildContext, language: str) -> dict[str, Any]:
    """The statistics page of one language: the total, the charts and their tables."""
    L = Labels(language)
    sector_name = {s.id: text(s.name, language)["text"] for s in catalogue.sectors.values()}
    council_name = {a.id: text(a.name, language)["text"] for a in catalogue.authorities.values()}

    def counts(chart_id: str, title: str, heading: str, items: list[tuple[str, int]]) -> dict[str, Any]:
        table = {"headers": [heading, L("statistics.count")], "rows": [[label, str(n)] for label, n in items]}
        return bar_chart(chart_id, title, [(label, n, str(n)) for label, n in items], table)

    def costs(median: dict[str, float]) -> str:
        return ", ".join(f"{number(amount)} {currency}" for currency, amount in median.items()) or L(
            "statistics.no_paid"
        )

    sectors = figures.by_sector
    reviews = sorted(figures.reviews_due.items(), key=lambda item: council_name.get(item[0], item[0]).casefold())
    charts = [
        counts(
            "mq-stat-sector",
            L("statistics.by_sector"),
            L("statistics.sector"),
            [(sector_name[s.sector], s.entries) for s in sectors],
        ),
        counts(
            "mq-stat-level",
            L("statistics.by_level"),
            L("statistics.level"),
            [(L("units.level", lki=n, eqf=n), count) for n, count in figures.by_level.items()],
        ),
        counts(
            "mq-stat-form",
            L("statistics.by_form"),
            L("statistics.form"),
            [(L(f"participation_form.{form}"), count) for form, count in figures.by_form.items()],
        ),
        counts(
            "mq-stat-approvals",
            L("statistics.approvals"),
            L("statistics.quarter"),
            list(figures.approvals_per_quarter.items()),
        ),
        bar_chart(
            "mq-stat-reviews",
            L("statistics.reviews_due"),
            [(council_name.get(c, c), n["due"], str(n["due"])) for c, n in reviews],
            {
                "headers": [L("statistics.council"), L("statistics.count"), L("entry.review_overdue")],
                "rows": [[council_name.get(c, c), str(n["due"]), str(n["overdue"])] for c, n in reviews],
            },
        ),
        bar_chart(
            "mq-stat-hours",
            f"{L('statistics.medians')}: {L('statistics.median_hours')}",
            [(sector_name[s.sector], s.median_hours or 0, number(s.median_hours) or "–") for s in sectors],
            {
                "headers": [
                    L("statistics.sector"),
                    L("statistics.count"),
                    L("statistics.median_hours"),
                    L("statistics.paid"),
                    L("statistics.median_cost"),
                ],
                "rows": [
                    [
                        sector_name[s.sector],
                        str(s.entries),
                        number(s.median_hours) or "–",
                        str(s.paid),
                        costs(s.median_cost),
                    ]
                    for s in sectors
                ],
            },
        ),
        bar_chart(
            "mq-stat-cost",
            f"{L('statistics.medians')}: {L('statistics.median_cost')}",
            [
                (sector_name[s.sector], s.median_cost.get("EUR", 0), number(s.median_cost.get("EUR")) or "–")
                for s in sectors
            ],
            {
                "headers": [L("statistics.sector"), L("statistics.paid"), L("statistics.median_cost")],
                "rows": [[sector_name[s.sector], str(s.paid), costs(s.median_cost)] for s in sectors],
            },
        ),
    ]
    return {
        "total": L("statistics.total", n=figures.entries),
        "as_of": L("statistics.as_of", date=figures.as_of),
        "data_path": ctx.link(ctx.api_path(STATISTICS_FILE), language),
        "charts": charts,
    }
