"""Training end to end: a session, enrolment with a waiting list, completion, the certificate,
and training.completed on the client's timeline."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


@pytest.fixture(scope="module")
def programme(gateway: httpx.Client, tokens: dict[str, str]) -> str:
    code = f"literasi-{uuid.uuid4().hex[:6]}"
    answer = gateway.put(
        f"/api/training/programmes/{code}",
        json={
            "title": "Literasi keuangan digital",
            "modules": ["Rekening dan dompet digital", "Menghindari pinjol ilegal"],
            "duration_hours": 8,
            "audience": "both",
            "min_attendance_percent": 80,
            "min_post_score": 70,
        },
        headers=_auth(tokens, "admin"),
    )
    assert answer.status_code == 200, answer.text
    return code


def _session(gateway: httpx.Client, tokens: dict[str, str], programme: str, capacity: int) -> str:
    answer = gateway.post(
        "/api/training/sessions",
        json={
            "programme_code": programme,
            "region_code": "3273",
            "days": ["2026-12-07", "2026-12-08"],
            "starts_at": "2026-12-07T09:00:00+07:00",
            "trainer": "siti",
            "capacity": capacity,
            "venue": "Aula Kelurahan Sukasari",
        },
        headers=_auth(tokens, "siti"),
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _client(gateway: httpx.Client, tokens: dict[str, str], **overrides: Any) -> dict[str, Any]:
    answer = gateway.post(
        "/api/clients", json=new_worker(**overrides), headers=_auth(tokens, "siti")
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _enrol(
    gateway: httpx.Client, tokens: dict[str, str], session: str, client_id: str
) -> httpx.Response:
    """Enrol, waiting for the training service to have heard of the new client."""

    def attempt() -> httpx.Response | None:
        answer = gateway.post(
            f"/api/training/sessions/{session}/enrolments",
            json={"participant": f"client:{client_id}"},
            headers=_auth(tokens, "siti"),
        )
        return answer if answer.status_code != 404 else None

    return stack.eventually(attempt, timeout_s=30)


def test_a_client_completes_gets_a_certificate_and_the_timeline_shows_it(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    session = _session(gateway, tokens, programme, capacity=10)
    client = _client(gateway, tokens, full_name="Ratna Sari Dewi")
    assert _enrol(gateway, tokens, session, client["id"]).json()["status"] == "enrolled"
    who = f"client:{client['id']}"
    base = f"/api/training/sessions/{session}"
    siti = _auth(tokens, "siti")
    gateway.post(f"{base}/attendance", json={"participant": who, "day": "2026-12-07"}, headers=siti)
    one_day = gateway.post(
        f"{base}/scores", json={"participant": who, "pre_score": 40, "post_score": 90}, headers=siti
    )
    assert one_day.json()["completed"] is False  # 1 of 2 days is 50 %
    done = gateway.post(
        f"{base}/attendance", json={"participant": who, "day": "2026-12-08"}, headers=siti
    ).json()
    assert done["completed"] is True and done["certificate_code"]

    public = httpx.get(f"{stack.GATEWAY}/api/training/certificates/{done['certificate_code']}")
    assert public.status_code == 200
    assert public.json()["initials"] == "R. S. D." and public.json()["valid"] is True
    assert "Ratna" not in public.text and client["phone"] not in public.text
    assert httpx.get(f"{stack.GATEWAY}/api/training/certificates/AAAAA-BBBBB").status_code == 404

    def completed_on_timeline() -> bool:
        items = gateway.get(f"/api/clients/{client['id']}/timeline", headers=siti).json()["items"]
        return "jembatan.training.completed.v1" in [e["event_type"] for e in items]

    assert stack.eventually(completed_on_timeline, timeout_s=30)


def test_a_full_session_waitlists_and_another_region_sees_nothing(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    session = _session(gateway, tokens, programme, capacity=1)
    first, second = _client(gateway, tokens), _client(gateway, tokens)
    assert _enrol(gateway, tokens, session, first["id"]).json()["status"] == "enrolled"
    assert _enrol(gateway, tokens, session, second["id"]).json()["status"] == "waiting"
    view = gateway.get(f"/api/training/sessions/{session}", headers=_auth(tokens, "siti")).json()
    assert view["enrolled"] == [f"client:{first['id']}"] and view["waiting"] == [
        f"client:{second['id']}"
    ]
    assert (
        gateway.get(f"/api/training/sessions/{session}", headers=_auth(tokens, "budi")).status_code
        == 404
    )
    budi_enrols = gateway.post(
        f"/api/training/sessions/{session}/enrolments",
        json={"participant": "me"},
        headers=_auth(tokens, "budi"),
    )
    assert budi_enrols.status_code == 404
    assert (
        gateway.get(f"/api/training/sessions/{session}", headers=_auth(tokens, "rina")).status_code
        == 200
    )
