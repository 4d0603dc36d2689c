"""A 1,000-row attendance sheet: good rows applied, bad rows reported, the same file again
applies nothing, and completion follows from the marks exactly as the rule says."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from support import training as t

pytestmark = pytest.mark.integration

PARTICIPANTS = 200
DAYS = [date(2026, 12, 14) + timedelta(days=i) for i in range(5)]


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Absensi")
    sheet.append(["Peserta", "Tanggal", "Hadir", "Nilai Pre", "Nilai Post"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def enrolled(gateway: httpx.Client, tokens: dict[str, str]) -> tuple[str, list[str]]:
    """A five-day session with 200 enrolled clients of siti's region."""
    programme = t.programme(gateway, tokens["admin"], audience="clients")
    session = t.session(gateway, tokens["siti"], programme, capacity=PARTICIPANTS, days=DAYS)
    clients = [t.client(gateway, tokens["siti"])["id"] for _ in range(PARTICIPANTS)]
    t.enrol(gateway, tokens["siti"], session, clients[-1])  # waits for the projection
    for client_id in clients[:-1]:
        answer = t.enrol(gateway, tokens["siti"], session, client_id)
        assert answer.json()["status"] == "enrolled", answer.text
    return session, clients


def test_a_thousand_row_sheet_imports_the_good_rows_and_reports_the_bad(
    gateway: httpx.Client, tokens: dict[str, str], enrolled: tuple[str, list[str]]
) -> None:
    session, clients = enrolled
    siti = t.auth(tokens["siti"])
    # Participant i attends (i % 5) + 1 days... except every 7th misses one more day;
    # the post-test is 60 + (i % 40): from 60 to 99.
    expected_days: dict[str, set[str]] = {}
    rows: list[list[Any]] = []
    for i, client_id in enumerate(clients):
        post = 60 + (i % 40)
        attended = set()
        for d, day in enumerate(DAYS):
            present = d <= i % 5 and not (i % 7 == 0 and d == 0)
            if present:
                attended.add(day.isoformat())
            rows.append(
                [client_id, day.strftime("%d/%m/%Y"), "ya" if present else "tidak", 30, post]
            )
        expected_days[f"client:{client_id}"] = attended
    assert len(rows) == 1000
    # 25 bad rows take the place of good absences (present = tidak changes nothing anyway)
    bad: dict[int, str] = {}
    absences = [n for n, row in enumerate(rows) if row[2] == "tidak"]
    breakers = [
        (lambda r: [str(r[0])[:-4] + "zzzz", *r[1:]], "participant"),
        (lambda r: [r[0], "31/12/2026", *r[2:]], "day"),
        (lambda r: [r[0], r[1], "mungkin", *r[3:]], "present"),
        (lambda r: [*r[:4], 140], "post_score"),
        (lambda r: ["client:" + "0" * 8 + "-0000-4000-8000-" + "0" * 12, *r[1:]], "participant"),
    ]
    for k, n in enumerate(absences[:25]):
        breaker, field = breakers[k % len(breakers)]
        rows[n] = breaker(rows[n])
        bad[n + 2] = field  # row 1 is the header
    sheet = _xlsx(rows)
    # the scores of a participant are taken from any good row of theirs
    scored = {row[0] for n, row in enumerate(rows) if n + 2 not in bad}
    gains = [60 + (i % 40) - 30 for i, c in enumerate(clients) if c in scored]
    assert len(gains) < PARTICIPANTS  # the first participant's rows are all bad

    def upload(content: bytes, name: str = "absensi.xlsx") -> httpx.Response:
        return gateway.post(
            f"/api/training/sessions/{session}/attendance/imports",
            files={"file": (name, content)},
            headers=siti,
            timeout=120,
        )

    first = upload(sheet)
    assert first.status_code == 201, first.text
    report = first.json()
    assert report["rows"] == 1000 and report["recorded"] == 975
    assert {r["row"]: r["field"] for r in report["rejected"]} == bad
    assert report["repeated_upload"] is False

    view = gateway.get(f"/api/training/sessions/{session}", headers=siti).json()
    by_participant = {p["participant"]: p for p in view["participants"]}
    for participant, days in expected_days.items():
        assert set(by_participant[participant]["days_attended"]) == days, participant
    # completion: at least 4 of 5 days (80 %) and a post-test of at least 70
    for i, client_id in enumerate(clients):
        days = len(expected_days[f"client:{client_id}"])
        should = days * 100 >= 80 * len(DAYS) and 60 + (i % 40) >= 70
        assert by_participant[f"client:{client_id}"]["completed"] is should, (i, days)
    assert view["mean_knowledge_gain"] == pytest.approx(sum(gains) / len(gains), abs=0.05)

    again = upload(sheet)
    assert again.status_code == 201
    assert again.json() == report | {"repeated_upload": True}
    assert gateway.get(f"/api/training/sessions/{session}", headers=siti).json() == view

    # the same marks in another file (a CSV) change nothing either: a day attended is one day
    csv = "participant,day,present\n" + "".join(
        f"{r[0]},{r[1]},{r[2]}\n" for r in rows if isinstance(r[0], str) and r[2] == "ya"
    )
    replay = upload(csv.encode(), "absensi.csv")
    assert replay.status_code == 201 and replay.json()["repeated_upload"] is False
    assert gateway.get(f"/api/training/sessions/{session}", headers=siti).json() == view


def test_a_sheet_without_a_participant_column_is_refused_whole(
    gateway: httpx.Client, tokens: dict[str, str], enrolled: tuple[str, list[str]]
) -> None:
    session, _ = enrolled
    answer = gateway.post(
        f"/api/training/sessions/{session}/attendance/imports",
        files={"file": ("absensi.csv", b"nama,tanggal\nSiti,2026-12-14\n")},
        headers=t.auth(tokens["siti"]),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "file", "message": "the header row has no participant column"}
    ]


def test_another_region_cannot_import_into_the_session(
    gateway: httpx.Client, tokens: dict[str, str], enrolled: tuple[str, list[str]]
) -> None:
    session, clients = enrolled
    answer = gateway.post(
        f"/api/training/sessions/{session}/attendance/imports",
        files={"file": ("absensi.csv", f"participant,day\n{clients[0]},2026-12-14\n".encode())},
        headers=t.auth(tokens["budi"]),
    )
    assert answer.status_code == 404
