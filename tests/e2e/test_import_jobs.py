"""Client sheets registered in the background: the upload answers at once with a job, the
job's progress moves while the client service's timers register the rows, the report lists
every refused row, the same sheet again registers nothing, and the sheet itself is not kept."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from support import stack
from support.sheets import client_sheet

pytestmark = pytest.mark.integration


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _follow(gateway: httpx.Client, token: str, job_id: str) -> tuple[dict[str, Any], list[int]]:
    """Poll the job until it is finished: its last state and every percent seen on the way."""
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = gateway.get(f"/api/clients/import-jobs/{job_id}", headers=_auth(token)).json()
        if job["percent"] is not None and (not seen or seen[-1] != job["percent"]):
            seen.append(job["percent"])
        if job["status"] in ("done", "failed"):
            return job, seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def _stored(job_id: str) -> tuple[bytes | None, str]:
    engine = create_engine(stack.database_url("client"))
    with engine.begin() as conn:
        conn.execute(text("SELECT set_config('jembatan.region', 'all', true)"))
        row = conn.execute(
            text("SELECT content, status FROM import_jobs WHERE id = :id"), {"id": job_id}
        ).one()
    engine.dispose()
    return row.content, row.status


def test_a_sheet_registers_in_the_background_and_once(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    content, wrong = client_sheet(rows=600, bad=18)
    files = {"file": ("lokakarya.csv", content)}
    started = time.perf_counter()
    queued = gateway.post("/api/clients/import-jobs", files=files, headers=_auth(tokens["siti"]))
    assert time.perf_counter() - started < 1.0  # the upload does not wait for the rows
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["id"]
    assert queued.headers["location"] == f"/api/clients/import-jobs/{job_id}"
    assert queued.json()["status"] in ("queued", "running")
    sealed, _ = _stored(job_id)
    first_nik = content.splitlines()[1].split(b",")[0]
    assert sealed is None or first_nik not in sealed  # kept encrypted while it waits

    done, seen = _follow(gateway, tokens["siti"], job_id)
    assert done["status"] == "done", done
    assert seen[-1] == 100 and len(seen) >= 3, seen  # it moved on the way there
    report = done["report"]
    assert report["rows"] == 600 and report["rejected_total"] == 18
    assert report["registered"] + report["already_registered"] == 582
    assert {r["row"]: r["field"] for r in report["rejected"]} == wrong
    assert _stored(job_id) == (None, "done")  # the sheet itself is gone

    again = gateway.post("/api/clients/import-jobs", files=files, headers=_auth(tokens["siti"]))
    assert again.status_code == 202
    assert again.json()["status"] == "done" and again.json()["id"] != job_id
    repeated = again.json()["report"]
    assert repeated["repeated_upload"] is True and repeated["id"] == report["id"]

    other_office = gateway.get(f"/api/clients/import-jobs/{job_id}", headers=_auth(tokens["budi"]))
    assert other_office.status_code == 404


def test_a_file_that_is_no_sheet_is_refused_at_once_or_fails_with_its_reason(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = _auth(tokens["siti"])
    text_file = {"file": ("catatan.txt", b"NIK,Nama\n")}
    refused = gateway.post("/api/clients/import-jobs", files=text_file, headers=siti)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["file"]

    broken = {"file": ("rusak.xlsx", b"PK\x03\x04 not really a workbook")}
    queued = gateway.post("/api/clients/import-jobs", files=broken, headers=siti)
    assert queued.status_code == 202
    failed, _ = _follow(gateway, tokens["siti"], queued.json()["id"])
    assert failed["status"] == "failed" and "XLSX" in failed["error"]
    assert failed["report"] is None
    assert _stored(queued.json()["id"]) == (None, "failed")
