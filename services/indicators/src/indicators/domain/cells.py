"""Publishing aggregates without exposing a person: small cells are suppressed.

A count under the threshold (5) is never published, and neither is a ratio or a mean whose
denominator is under it. When a breakdown would hide exactly one cell, the next smallest is
hidden too, so the hidden one cannot be worked out from the total ("secondary suppression").
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import date

AGE_BANDS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64))


def age_band(birth: date, on: date) -> str:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "65+" if age >= 65 else "under-15"


def count(value: int, min_cell: int) -> int | None:
    return value if value >= min_cell else None


def breakdown(values: Mapping[str, int], min_cell: int) -> dict[str, int | None]:
    """Each cell, suppressed under `min_cell`; never exactly one suppressed cell."""
    shown: dict[str, int | None] = {k: (v if v >= min_cell else None) for k, v in values.items()}
    hidden = [k for k, v in shown.items() if v is None and values[k] > 0]
    if len(hidden) == 1:
        visible = sorted((v, k) for k, v in values.items() if shown[k] is not None)
        if visible:
            shown[visible[0][1]] = None
    return shown


def ratio(numerator: int, denominator: int, min_cell: int) -> float | None:
    if denominator < min_cell:
        return None
    return round(numerator / denominator, 4)


def mean(values: Sequence[float], min_cell: int) -> float | None:
    return round(statistics.fmean(values), 2) if len(values) >= min_cell else None


def median(values: Sequence[float], min_cell: int) -> float | None:
    return float(statistics.median(values)) if len(values) >= min_cell else None
