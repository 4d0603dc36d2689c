"""The NIK hint reads the birth date and sex the way the client service checks them."""

from __future__ import annotations

from datetime import date

from portal.nik import read


def test_a_womans_nik_has_forty_added_to_the_day() -> None:
    hint = read("3273015503900001", today=date(2026, 11, 29))
    assert hint is not None
    assert (hint.birth_date, hint.sex) == (date(1990, 3, 15), "F")


def test_a_mans_nik_and_a_recent_century() -> None:
    hint = read("3273 0115 0305 0001", today=date(2026, 11, 29))
    assert hint is not None
    assert (hint.birth_date, hint.sex) == (date(2005, 3, 15), "M")


def test_an_incomplete_or_impossible_nik_gives_no_hint() -> None:
    assert read("32730155039000") is None  # 14 digits
    assert read("3273013113900001") is None  # month 13
