"""Sheets registered in the background: a job at once, the same sheet answered by the same
job, a sheet already registered answered by a job done at once, and the job run to its end
with the sheet dropped; a sheet that cannot be read fails its job."""

from __future__ import annotations

from uuid import uuid4

import pytest

from client.service_layer import import_jobs, importing
from shared.crypto import Keyring

from .fakes import FakeUnitOfWork
from .test_importing import SHEET
from .test_registration import CTX, SITI

COVERS = {
    "import_jobs.enqueue",
    "import_jobs.find",
    "import_jobs.run_waiting",
    "import_jobs.run_next",
}
SHEETS = Keyring.from_secrets("k1=test-only-sheet-secret", "test", b"import_jobs.content")


async def test_a_sheet_is_queued_sealed_and_the_same_sheet_again_is_the_same_job() -> None:
    uow = FakeUnitOfWork()
    job, report = await import_jobs.enqueue(uow, SHEETS, SITI, "a.csv", SHEET.encode())
    assert (job.status, report) == ("queued", None)
    stored = uow.import_jobs.rows[job.id]
    assert stored["content"] is not None and b"3273014506900007" not in stored["content"]
    assert stored["scope"] == "3273" and stored["actor"]["subject"] == SITI.subject
    again, _ = await import_jobs.enqueue(uow, SHEETS, SITI, "a.csv", SHEET.encode())
    assert again.id == job.id and len(uow.import_jobs.rows) == 1
    assert uow.committed == 1  # the second upload wrote nothing


async def test_a_queued_sheet_is_registered_to_the_end_and_then_dropped() -> None:
    uow = FakeUnitOfWork()
    job, _ = await import_jobs.enqueue(uow, SHEETS, SITI, "a.csv", SHEET.encode())
    assert await import_jobs.run_waiting(SHEETS, lambda: uow, CTX) == 1
    assert not await import_jobs.run_next(SHEETS, lambda: uow, CTX)  # none waits now
    found = await import_jobs.find(uow, SITI, job.id)
    assert found is not None
    done, report = found
    assert (done.status, done.rows_total, done.rows_done) == ("done", 6, 6)
    assert report is not None and report.registered == 2
    assert uow.import_jobs.rows[job.id]["content"] is None  # the sheet is not kept
    assert len(uow.clients.rows) == 2


async def test_a_sheet_registered_before_is_a_job_done_at_once() -> None:
    uow = FakeUnitOfWork()
    earlier = await importing.import_sheet(SITI, "a.csv", SHEET.encode(), lambda: uow, CTX)
    job, report = await import_jobs.enqueue(uow, SHEETS, SITI, "b.csv", SHEET.encode())
    assert (job.status, job.import_id, job.repeated_upload) == ("done", earlier.id, True)
    assert report is not None and report.id == earlier.id
    assert uow.import_jobs.rows[job.id]["content"] is None


async def test_an_unreadable_sheet_fails_its_job_and_drops_it() -> None:
    uow = FakeUnitOfWork()
    job, _ = await import_jobs.enqueue(uow, SHEETS, SITI, "a.xlsx", b"not a workbook")
    assert await import_jobs.run_next(SHEETS, lambda: uow, CTX)
    failed = uow.import_jobs.rows[job.id]
    assert failed["job"].status == "failed" and failed["content"] is None
    assert failed["job"].error


async def test_a_job_of_another_region_is_not_found() -> None:
    uow = FakeUnitOfWork()
    job, _ = await import_jobs.enqueue(uow, SHEETS, SITI, "a.csv", SHEET.encode())
    budi = SITI.__class__("budi-sub", "budi", "jembatan-cli", frozenset({"officer"}), "3578", None)
    assert await import_jobs.find(uow, budi, job.id) is None
    assert await import_jobs.find(uow, SITI, uuid4()) is None


async def test_a_file_that_is_no_sheet_is_refused_before_anything_is_stored() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(importing.SheetUnreadable):
        await import_jobs.enqueue(uow, SHEETS, SITI, "a.exe", b"MZ")
    assert uow.import_jobs.rows == {} and uow.committed == 0
