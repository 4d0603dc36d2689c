"""Single figures of an answer: age bands, and ratios, means and medians that hide nobody.

Counts are withheld over the whole answer at once (`domain/suppression.py`); what is left
here is a figure computed from counts. A ratio is printed only when both of its counts are
printed and at least the threshold: a ratio beside one printed count gives the other away
(conversion * sent = completed). A mean or a median needs at least the threshold of values
behind it; the report also withholds it when the count it stands on is withheld, so that its
absence never says that count is small.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date

AGE_BANDS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64))


def age_band(birth: date, on: date) -> str:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "65+" if age >= 65 else "under-15"


def ratio(numerator: int | None, denominator: int | None, min_cell: int) -> float | None:
    """numerator ÷ denominator to four places; None when either is withheld or small."""
    if numerator is None or denominator is None or min(numerator, denominator) < min_cell:
        return None
    return round(numerator / denominator, 4)


def mean(values: Sequence[float], min_cell: int) -> float | None:
    return round(statistics.fmean(values), 2) if len(values) >= min_cell else None


def median(values: Sequence[float], min_cell: int) -> float | None:
    return float(statistics.median(values)) if len(values) >= min_cell else None
