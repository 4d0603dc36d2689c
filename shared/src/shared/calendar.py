"""Indonesian time: working days (public holidays and joint leave) and the zones by province.

A mechanism every service with a deadline uses (follow-ups, referral SLAs, quiet hours); the
rules that set the deadlines stay in the services.
"""

from __future__ import annotations

import threading
from collections.abc import Container
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

# Keppres 41/1987: WIB, WITA and WIT by province (Kemendagri code); IANA names.
_ZONES = (
    ("11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36", "Asia/Jakarta"),  # WIB
    ("61 62", "Asia/Pontianak"),  # WIB, Kalimantan Barat and Tengah
    ("51 52 53 63 64 65 71 72 73 74 75 76", "Asia/Makassar"),  # WITA
    ("81 82 91 92 93 94 95 96", "Asia/Jayapura"),  # WIT
)
PROVINCE_TIME_ZONE = {p: zone for provinces, zone in _ZONES for p in provinces.split()}


def time_zone_of(region_code: str) -> str:
    """The IANA zone of a region by its province; Jakarta time for an unknown province."""
    return PROVINCE_TIME_ZONE.get(region_code[:2], "Asia/Jakarta")


_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_label(region_code: str) -> str:
    """WIB, WITA or WIT: how Indonesians name the region's time."""
    return _LABELS[time_zone_of(region_code)]


def local_now(region_code: str, now: datetime) -> datetime:
    """`now` in the time zone of the region's province (WIB, WITA or WIT)."""
    return now.astimezone(ZoneInfo(time_zone_of(region_code)))


def is_working_day(day: date, holidays: Container[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Container[date]) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    while days:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            days -= 1
    return current


def working_days_between(start: date, end: date, holidays: Container[date]) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            count += 1
    return count


class WorkingCalendar:
    """Indonesian office time for a domain that must not know where it comes from: the zone of
    a region and working days past a set of holidays. Domains declare the protocol they need
    (e.g. `referral.domain.referral.OfficeCalendar`); the service layer hands them this."""

    def __init__(self, holidays: Container[date]) -> None:
        self._holidays = holidays

    def local(self, region_code: str, at: datetime) -> datetime:
        return local_now(region_code, at)

    def add_working_days(self, start: date, days: int) -> date:
        return add_working_days(start, days, self._holidays)


class IndonesianHolidays:
    """A date container: `day in calendar` is True on a public holiday or joint-leave day.

    From the `holidays` package (categories public and government = cuti bersama). Lunar
    holidays of future years are its estimates (labelled "perkiraan"); joint leave appears once
    the year's decree (SKB 3 Menteri) is in the package (docs/decisions/0005).
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
