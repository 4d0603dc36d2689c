"""Reading uploaded sheets: days as sheets write them, and CSVs of every width."""

from __future__ import annotations

from datetime import date

import pytest

from shared.sheets import parse_day, read_rows


def test_days_in_the_forms_sheets_use() -> None:
    assert parse_day("2026-12-07") == parse_day("07/12/2026") == parse_day(" 07-12-2026 ")
    assert parse_day("2026-12-07") == date(2026, 12, 7)
    with pytest.raises(ValueError):
        parse_day("7 Desember 2026")


def test_a_one_column_csv_is_read_not_refused() -> None:
    rows = list(read_rows("absen.csv", b"participant\nabc\ndef\n", {"participant": "p"}, "p"))
    assert rows == [(2, {"p": "abc"}), (3, {"p": "def"})]
