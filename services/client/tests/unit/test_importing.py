"""Importing a sheet: row-by-row rules, rejected rows with reasons, a second upload adds nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from uuid import uuid4

import pytest

from client.adapters import sheets
from client.domain.imports import ImportJob
from client.service_layer import importing
from shared.sheets import MAX_ROWS

from .fakes import FakeUnitOfWork
from .test_registration import CTX, SITI

COVERS = {
    "importing.import_sheet",
}

SHEET = (
    "NIK,Nama,Tanggal Lahir,JK,No HP,Kode Wilayah\n"
    "3273014506900007,Ratna Sari,1990-06-05,P,0812-9999-0001,3273\n"
    "3273011204880002,Dedi Kurniawan,12/04/1988,L,081299990002,3273\n"
    "3273015708950003,Wulan,1995-08-18,P,081299990003,3273\n"  # birth date disagrees
    "3273011204880002,Dedi Lagi,12/04/1988,L,081299990004,3273\n"  # same NIK twice
    "3273010302920004,Agus,1992-02-03,X,081299990005,3273\n"  # sex
    "3273010302920005,Budi,1992-02-03,L,0812,3273\n"  # phone
    ",,,,,\n"
)


async def test_a_sheet_registers_good_rows_and_reports_bad_ones_by_row() -> None:
    uow = FakeUnitOfWork()
    report = await importing.import_sheet(SITI, "absensi.csv", SHEET.encode(), lambda: uow, CTX)
    assert (report.rows, report.registered, report.already_registered) == (6, 2, 0)
    assert [(r.row, r.field) for r in report.rejected] == [
        (4, "birth_date"),
        (5, "nik"),
        (6, "sex"),
        (7, "phone"),
    ]
    assert len(uow.clients.rows) == 2
    assert importing.rejects_csv(report).splitlines()[0] == "row,field,message"


async def test_progress_is_told_after_the_check_and_after_each_batch() -> None:
    uow = FakeUnitOfWork()
    told: list[tuple[int, int]] = []

    async def progress(rows_total: int, rows_done: int) -> None:
        told.append((rows_total, rows_done))

    await importing.import_sheet(
        SITI, "a.csv", SHEET.encode(), lambda: uow, CTX, progress=progress, batch_size=1
    )
    # 4 rows refused when the rows are checked, then the two good ones one batch each
    assert told == [(6, 4), (6, 5), (6, 6)]


def test_a_jobs_percent_waits_for_the_rows_and_reaches_100_only_when_done() -> None:
    job = ImportJob(id=uuid4(), filename="a.csv", status="queued")
    assert job.percent is None and not job.finished
    job.status, job.rows_total, job.rows_done = "running", 2000, 500
    assert job.percent == 25
    job.rows_done = 2000  # every row handled, the report not yet written
    assert job.percent == 99
    job.status = "done"
    assert job.percent == 100 and job.finished


async def test_the_same_sheet_twice_registers_nothing_new() -> None:
    uow = FakeUnitOfWork()
    first = await importing.import_sheet(SITI, "a.csv", SHEET.encode(), lambda: uow, CTX)
    again = await importing.import_sheet(SITI, "a.csv", SHEET.encode(), lambda: uow, CTX)
    assert again.repeated_upload and again.id == first.id
    assert len(uow.clients.rows) == 2


async def test_a_corrected_sheet_registers_only_the_fixed_rows() -> None:
    uow = FakeUnitOfWork()
    await importing.import_sheet(SITI, "a.csv", SHEET.encode(), lambda: uow, CTX)
    fixed = SHEET.replace("1995-08-18", "1995-08-17")
    report = await importing.import_sheet(SITI, "a.csv", fixed.encode(), lambda: uow, CTX)
    assert (report.registered, report.already_registered) == (1, 2)


async def test_a_report_lists_the_first_thousand_rejected_rows_and_counts_them_all() -> None:
    uow = FakeUnitOfWork()
    unnamed = "".join(
        f"3273014506900{n:03d},,1990-06-05,P,081299990001,3273\n" for n in range(1005)
    )
    sheet = SHEET.replace(",,,,,\n", unnamed)
    report = await importing.import_sheet(SITI, "banyak.csv", sheet.encode(), lambda: uow, CTX)
    assert (report.rows, report.registered, report.rejected_total) == (1011, 2, 1009)
    assert len(report.rejected) == 1000
    assert report.rejected[-1].row == 1003  # 4 from SHEET, then rows 8 to 1003
    assert importing.rejects_csv(report).splitlines()[-1] == (
        ',,"9 more rejected rows: fix these, then upload the sheet again"'
    )


async def test_a_sheet_is_read_off_the_event_loops_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    readers: list[threading.Thread] = []

    def read_rows(filename: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
        readers.append(threading.current_thread())
        return sheets.read_rows(filename, content)

    monkeypatch.setattr(importing, "read_rows", read_rows)
    await importing.import_sheet(SITI, "a.csv", SHEET.encode(), FakeUnitOfWork, CTX)
    assert readers and readers[0] is not threading.current_thread()


async def test_a_sheet_past_the_row_limit_is_refused_and_registers_nothing() -> None:
    uow = FakeUnitOfWork()
    sheet = SHEET + "3273010302920004,,,,,\n" * MAX_ROWS
    with pytest.raises(importing.SheetUnreadable, match="more than 20,000 rows") as refused:
        await importing.import_sheet(SITI, "besar.csv", sheet.encode(), lambda: uow, CTX)
    assert refused.value.field == "file"
    assert uow.clients.rows == {} and uow.imports.rows == {}


def test_only_a_spreadsheets_kind_of_file_is_taken() -> None:
    importing.check_sheet_name("peserta.XLSX")
    with pytest.raises(importing.SheetUnreadable, match=r"only \.csv and \.xlsx") as refused:
        importing.check_sheet_name("peserta.pdf")
    assert refused.value.field == "file"
