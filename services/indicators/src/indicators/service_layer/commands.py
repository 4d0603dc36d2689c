"""What callers ask of indicators: one question, the indicators of a month in an area.

Reads are messages too: a route sends this on the bus (service_layer/bus.py) and shapes the
answer it gets back, JSON or CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.messagebus import Command


@dataclass(frozen=True)
class MonthIndicators(Command[dict[str, Any]]):
    """The published answer for `period` (YYYY-MM) within a region code prefix (`""`: the
    country, its provinces as areas). A follow-up counts once `today` has reached its day;
    `None` is today in Jakarta, by the bus's clock."""

    period: str
    within: str
    today: date | None = None
