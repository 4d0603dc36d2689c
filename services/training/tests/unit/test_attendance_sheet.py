"""Reading an attendance sheet's rows: what is accepted, and what each bad row is told."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from shared.sheets import read_rows
from training.service_layer.attendance_sheet import HEADER_ALIASES, Mark, RowError, _mark

CLIENT = uuid4()


def test_indonesian_headers_and_dates_are_read() -> None:
    sheet = f"Peserta;Tanggal;Hadir;Nilai Pre;Nilai Post\n{CLIENT};07/12/2026;ya;40;85\n".encode()
    [(number, fields)] = read_rows("absen.csv", sheet, HEADER_ALIASES, required="participant")
    assert number == 2
    assert _mark(fields) == Mark(f"client:{CLIENT}", date(2026, 12, 7), True, 40, 85)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"day": "2026-12-07"}, "participant"),
        ({"participant": "not-an-id", "day": "2026-12-07"}, "participant"),
        ({"participant": str(CLIENT), "day": "7 Desember"}, "day"),
        ({"participant": str(CLIENT), "day": "2026-12-07", "present": "mungkin"}, "present"),
        ({"participant": str(CLIENT), "day": "2026-12-07", "post_score": "101"}, "post_score"),
        ({"participant": str(CLIENT), "day": "2026-12-07", "pre_score": "-3"}, "pre_score"),
    ],
)
def test_a_bad_row_names_its_field(fields: dict[str, str], field: str) -> None:
    with pytest.raises(RowError) as bad:
        _mark(fields)
    assert bad.value.field == field


def test_absent_and_officer_rows() -> None:
    mark = _mark({"participant": "officer:abc", "day": "2026-12-07", "present": "tidak"})
    assert mark == Mark("officer:abc", date(2026, 12, 7), False, None, None)
