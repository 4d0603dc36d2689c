"""Indonesian public holidays and joint leave (cuti bersama), from the `holidays` package."""

from __future__ import annotations

import threading
from datetime import date

import holidays


class IndonesianHolidays:
    """A date container: `day in calendar` is True on a public holiday or joint-leave day.

    Lunar holidays of future years are the package's estimates; joint leave appears once the
    year's decree is in the package (see ../shared/reference/indonesia.md §4).
    """

    def __init__(self) -> None:
        self._years: dict[int, frozenset[date]] = {}
        self._lock = threading.Lock()

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        year = self._years.get(day.year)
        if year is None:
            with self._lock:
                calendar = holidays.country_holidays(
                    "ID", years=day.year, categories=("public", "government")
                )
                year = self._years[day.year] = frozenset(calendar)
        return day in year
