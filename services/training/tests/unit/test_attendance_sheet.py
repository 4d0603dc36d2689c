"""Reading an attendance sheet's rows: what is accepted, and what each bad row is told."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from shared import sheets
from shared.auth import Principal
from shared.errors import InvalidField
from shared.sheets import read_rows
from support import sheet_bombs
from training.service_layer import attendance_sheet
from training.service_layer.attendance_sheet import HEADER_ALIASES, Mark, Report, RowError, _mark
from training.service_layer.commands import ImportAttendance
from training.service_layer.handlers import utc_now

CLIENT = uuid4()
SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)


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


def test_a_report_lists_the_first_thousand_rejected_rows_and_counts_them_all() -> None:
    report = Report(uuid4(), rows=1_510, recorded=4)
    for row in range(2, 1_508):
        report.reject(row, "day", "is required")
    assert len(report.rejected) == 1_000 and report.rejected[-1]["row"] == 1_001
    assert report.rejected_total == 1_506


async def test_a_sheet_is_read_off_the_event_loops_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    readers: list[threading.Thread] = []

    def read_rows(*args: Any, **kwargs: Any) -> Iterator[tuple[int, dict[str, str]]]:
        readers.append(threading.current_thread())
        return sheets.read_rows(*args, **kwargs)

    class Unreachable(Exception):
        pass

    class NoDatabase:
        async def __aenter__(self) -> None:
            raise Unreachable  # the sheet has been read by now: that is all this test needs

        async def __aexit__(self, *exc: object) -> None:
            pass

    monkeypatch.setattr(attendance_sheet, "read_rows", read_rows)
    sheet = f"participant,day\n{CLIENT},2026-12-07\n".encode()
    command = ImportAttendance(SITI, uuid4(), "a.csv", sheet)
    with pytest.raises(Unreachable):
        await attendance_sheet.import_attendance(command, NoDatabase(), utc_now)  # type: ignore[arg-type]
    assert readers and readers[0] is not threading.current_thread()


async def test_a_sheet_that_unpacks_past_a_gigabyte_is_refused_before_the_database() -> None:
    command = ImportAttendance(SITI, uuid4(), "absensi.xlsx", sheet_bombs.gigabyte_bomb())
    with pytest.raises(InvalidField, match="packed in a way spreadsheet programs do not use") as e:
        await attendance_sheet.import_attendance(command, None, utc_now)  # type: ignore[arg-type]
    assert e.value.field == "file"
