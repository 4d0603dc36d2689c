"""A workshop's 10,000-row XLSX through the gateway: good rows registered, bad rows reported."""

from __future__ import annotations

import io
import random
import time
from datetime import date

import httpx
import pytest
from openpyxl import Workbook

from support.people import nik_for

pytestmark = pytest.mark.integration

ROWS = 10_000
BAD_EVERY = 33  # about 3 %


def _sheet(rng: random.Random) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Absensi")
    sheet.append(["NIK", "Nama", "Tanggal Lahir", "JK", "No HP", "Kode Wilayah"])
    bad = 0
    niks: set[str] = set()
    for i in range(ROWS):
        nik = ""
        while not nik or nik in niks:  # unique within the sheet
            born = date(rng.randrange(1960, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
            sex = rng.choice("FM")
            nik = nik_for(born, sex, district=f"3273{rng.randrange(1, 31):02d}")
        niks.add(nik)
        row = [
            nik,
            f"Peserta {i}",
            born,
            "P" if sex == "F" else "L",
            f"0812{rng.randrange(10_000_000, 99_999_999)}",
            "3273",
        ]
        if i % BAD_EVERY == 0:
            bad += 1
            row[[2, 3, 4][(i // BAD_EVERY) % 3]] = "salah"  # a wrong date, sex or phone
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), bad


def test_a_ten_thousand_row_sheet_registers_once_and_reports_every_bad_row(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    content, bad = _sheet(random.Random())
    auth = {"Authorization": f"Bearer {tokens['siti']}"}
    files = {"file": ("absensi-workshop.xlsx", content)}

    started = time.perf_counter()
    first = gateway.post("/api/clients/imports", files=files, headers=auth, timeout=300)
    elapsed = time.perf_counter() - started
    assert first.status_code == 201, first.text
    report = first.json()
    print(f"\nimport of {ROWS} rows ({len(content) // 1024} KiB): {elapsed:.1f} s")
    assert report["rows"] == ROWS
    assert len(report["rejected"]) == bad
    # A NIK drawn at random may already be registered by an earlier run on this database.
    assert report["registered"] + report["already_registered"] == ROWS - bad
    assert report["already_registered"] <= ROWS // 100
    assert {r["field"] for r in report["rejected"]} == {"birth_date", "sex", "phone"}

    rejects = gateway.get(report["rejects_url"], headers=auth)
    assert rejects.status_code == 200 and rejects.headers["content-type"].startswith("text/csv")
    assert len(rejects.text.splitlines()) == bad + 1

    again = gateway.post("/api/clients/imports", files=files, headers=auth, timeout=300).json()
    assert again["repeated_upload"] and again["id"] == report["id"]
    assert again["registered"] == report["registered"]  # the first report, nothing new

    other_office = gateway.get(
        report["rejects_url"], headers={"Authorization": f"Bearer {tokens['budi']}"}
    )
    assert other_office.status_code == 404


def test_a_file_that_is_not_a_sheet_is_refused_naming_the_file(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    answer = gateway.post(
        "/api/clients/imports",
        files={"file": ("notes.txt", b"hello")},
        headers={"Authorization": f"Bearer {tokens['siti']}"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "file"
