"""A small bar chart drawn on the server as SVG: months of the region's indicators, no script.

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
