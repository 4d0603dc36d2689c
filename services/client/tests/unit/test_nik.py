from datetime import date

import pytest

from client.domain.nik import InvalidNik, Nik

TODAY = date(2026, 11, 29)


def test_a_womans_nik_adds_forty_to_the_day() -> None:
    nik = Nik.parse("3273014506900007")
    assert nik.sex == "F"
    assert nik.birth_date(TODAY) == date(1990, 6, 5)
    assert nik.region_code == "3273"


def test_a_mans_nik_keeps_the_day() -> None:
    nik = Nik.parse("3578021204050003")
    assert nik.sex == "M"
    assert nik.birth_date(TODAY) == date(2005, 4, 12)


def test_two_digit_years_pivot_on_today() -> None:
    assert Nik.parse("3273011201270001").birth_date(TODAY) == date(1927, 1, 12)
    assert Nik.parse("3273011201260001").birth_date(TODAY) == date(2026, 1, 12)


def test_the_masked_form_shows_only_the_region_and_last_two_digits() -> None:
    assert Nik.parse("3273014506900007").masked == "3273**********07"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("327301450690000", "16 digits"),
        ("32730145069000071", "16 digits"),
        ("32730145069000AB", "16 digits"),
        ("3273014506900000", "serial"),
        ("3273013213900001", "date of birth"),
        ("3273017206900001", "date of birth"),
    ],
)
def test_malformed_niks_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNik, match=reason) as caught:
        Nik.parse(raw)
    assert raw not in str(caught.value)


def test_an_impossible_calendar_date_is_refused() -> None:
    with pytest.raises(InvalidNik):
        Nik.parse("3273013102900001").birth_date(TODAY)  # 31 February
