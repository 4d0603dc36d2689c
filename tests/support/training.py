"""Helpers of the training tests: a programme, a session, clients the training service knows."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from support import stack
from support.people import new_worker

WIB = ZoneInfo("Asia/Jakarta")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def programme(
    gateway: httpx.Client, admin_token: str, audience: str = "both", **overrides: Any
) -> str:
    code = f"literasi-{uuid.uuid4().hex[:6]}"
    body = {
        "title": "Literasi keuangan digital",
        "modules": ["Rekening dan dompet digital", "Menghindari pinjol ilegal"],
        "duration_hours": 8,
        "audience": audience,
        "min_attendance_percent": 80,
        "min_post_score": 70,
    } | overrides
    answer = gateway.put(f"/api/training/programmes/{code}", json=body, headers=auth(admin_token))
    assert answer.status_code == 200, answer.text
    return code


def session(
    gateway: httpx.Client,
    token: str,
    programme_code: str,
    *,
    capacity: int = 10,
    days: list[date] | None = None,
    starts_at: datetime | None = None,
    region_code: str = "3273",
) -> str:
    days = days or [date(2026, 12, 7), date(2026, 12, 8)]
    starts_at = starts_at or datetime.combine(days[0], datetime.min.time(), WIB).replace(hour=9)
    answer = gateway.post(
        "/api/training/sessions",
        json={
            "programme_code": programme_code,
            "region_code": region_code,
            "days": [d.isoformat() for d in days],
            "starts_at": starts_at.isoformat(),
            "trainer": "siti",
            "capacity": capacity,
            "venue": "Aula Kelurahan Sukasari",
        },
        headers=auth(token),
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def soon(hours: float) -> tuple[list[date], datetime]:
    """Days and start of a one-day session starting `hours` from now (in WIB)."""
    start = (datetime.now(WIB) + timedelta(hours=hours)).replace(microsecond=0)
    return [start.date()], start


def client(gateway: httpx.Client, token: str, **overrides: Any) -> dict[str, Any]:
    answer = gateway.post("/api/clients", json=new_worker(**overrides), headers=auth(token))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def enrol(gateway: httpx.Client, token: str, session_id: str, client_id: str) -> httpx.Response:
    """Enrol, waiting for the training service to have heard of the new client."""

    def attempt() -> httpx.Response | None:
        answer = gateway.post(
            f"/api/training/sessions/{session_id}/enrolments",
            json={"participant": f"client:{client_id}"},
            headers=auth(token),
        )
        return answer if answer.status_code != 404 else None

    return stack.eventually(attempt, timeout_s=30)


def complete_as_officer(gateway: httpx.Client, token: str, session_id: str) -> dict[str, Any]:
    """The officer takes part in a one-day session of 9 December 2026 and passes it: the
    attendance answer (with `completed` and `certificate_code`)."""
    base, headers = f"/api/training/sessions/{session_id}", auth(token)
    mine = gateway.post(f"{base}/enrolments", json={"participant": "me"}, headers=headers)
    assert mine.status_code == 201 and mine.json()["participant"].startswith("officer:")
    gateway.post(f"{base}/scores", json={"participant": "me", "post_score": 95}, headers=headers)
    done: dict[str, Any] = gateway.post(
        f"{base}/attendance", json={"participant": "me", "day": "2026-12-09"}, headers=headers
    ).json()
    assert done["completed"] is True
    return done
