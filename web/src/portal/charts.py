"""Small bar charts drawn on the server as SVG, no script: months of the region's indicators
(the dashboard), and horizontal bars by area or partner (the supervisor's province page).

A withheld cell (a small number, or one that would reveal a small number) has no bar and
reads "withheld" in the table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

WIDTH, HEIGHT, GAP = 320, 120, 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # 0 or 1: which measure, for the colour


@dataclass(frozen=True)
class Month:
    period: str
    label: str
    values: tuple[int | None, int | None]


def last_months(today: date, count: int = 6) -> list[str]:
    """`YYYY-MM` of this month and the ones before it, oldest first."""
    periods = []
    year, month = today.year, today.month
    for _ in range(count):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


def month_row(period: str, label: str, published: dict[str, Any] | None) -> Month:
    total = (published or {}).get("total") or {}
    registered = (total.get("clients_registered") or {}).get("total")
    referred = (total.get("referrals") or {}).get("sent")
    return Month(period, label, (registered, referred))


def bars(months: list[Month]) -> list[Bar]:
    top = max([v for m in months for v in m.values if v] or [1])
    slot = WIDTH / max(len(months), 1)
    width = (slot - GAP) / 2
    drawn = []
    for i, month in enumerate(months):
        for series, value in enumerate(month.values):
            if not value:
                continue
            height = HEIGHT * value / top
            drawn.append(Bar(i * slot + series * width, HEIGHT - height, width - 1, height, series))
    return drawn


# Horizontal bars: a row per area or partner, one or two measures each.
ROW, LABEL = 20, 130


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[int | None, ...]
    extra: str | None = None  # a last column of the table only (a share); None: withheld


@dataclass(frozen=True)
class HBar:
    x: float
    y: float
    width: float
    height: float
    series: int
    value: int


@dataclass(frozen=True)
class HChart:
    rows: list[Row]
    bars: list[HBar]
    width: int
    height: int

    def label_y(self, index: int) -> float:
        return index * ROW + ROW / 2 + 3


def hbars(rows: list[Row]) -> HChart:
    """Bars from a common zero, scaled to the largest value; a withheld value draws none."""
    top = max([v for r in rows for v in r.values if v] or [1])
    series = max((len(r.values) for r in rows), default=1)
    thick = (ROW - 4) / series
    span = WIDTH - LABEL - 30  # room for the value after the longest bar
    drawn = []
    for i, row in enumerate(rows):
        for s, value in enumerate(row.values):
            if not value:
                continue
            drawn.append(
                HBar(LABEL, i * ROW + 2 + s * thick, span * value / top, thick - 1, s, value)
            )
    return HChart(rows, drawn, WIDTH, max(len(rows), 1) * ROW)
