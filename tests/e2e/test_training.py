"""Training end to end: a session, enrolment with a waiting list, completion, the certificate
(its public verification and its PDF), training.completed on the client's timeline, officers'
own records, and what notify tells the enrolled."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import httpx
import pytest
from pypdf import PdfReader

from support import stack
from support import training as t

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def programme(gateway: httpx.Client, tokens: dict[str, str]) -> str:
    return t.programme(gateway, tokens["admin"])


def test_a_client_completes_gets_a_certificate_and_the_timeline_shows_it(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    session = t.session(gateway, tokens["siti"], programme)
    client = t.client(gateway, tokens["siti"], full_name="Ratna Sari Dewi")
    assert t.enrol(gateway, tokens["siti"], session, client["id"]).json()["status"] == "enrolled"
    who = f"client:{client['id']}"
    base = f"/api/training/sessions/{session}"
    siti = t.auth(tokens["siti"])
    gateway.post(f"{base}/attendance", json={"participant": who, "day": "2026-12-07"}, headers=siti)
    one_day = gateway.post(
        f"{base}/scores", json={"participant": who, "pre_score": 40, "post_score": 90}, headers=siti
    )
    assert one_day.json()["completed"] is False  # 1 of 2 days is 50 %
    done = gateway.post(
        f"{base}/attendance", json={"participant": who, "day": "2026-12-08"}, headers=siti
    ).json()
    assert done["completed"] is True and done["certificate_code"]
    assert done["knowledge_gain"] == 50

    code = done["certificate_code"]
    public = httpx.get(f"{stack.GATEWAY}/api/training/certificates/{code}")
    assert public.status_code == 200
    assert public.json() == {
        "code": code,
        "initials": "R. S. D.",
        "programme_code": programme,
        "programme_title": "Literasi keuangan digital",
        "completed_on": public.json()["completed_on"],
        "valid": True,
    }
    assert "Ratna" not in public.text and client["phone"] not in public.text

    def completed_on_timeline() -> bool:
        items = gateway.get(f"/api/clients/{client['id']}/timeline", headers=siti).json()["items"]
        return "jembatan.training.completed.v1" in [e["event_type"] for e in items]

    assert stack.eventually(completed_on_timeline, timeout_s=30)


def test_the_certificate_pdf_opens_and_carries_its_code(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    session = t.session(gateway, tokens["siti"], programme, days=[date(2026, 12, 7)])
    client = t.client(gateway, tokens["siti"], full_name="Dedi Kurniawan")
    t.enrol(gateway, tokens["siti"], session, client["id"])
    base, siti = f"/api/training/sessions/{session}", t.auth(tokens["siti"])
    who = f"client:{client['id']}"
    gateway.post(f"{base}/scores", json={"participant": who, "post_score": 70}, headers=siti)
    done = gateway.post(
        f"{base}/attendance", json={"participant": who, "day": "2026-12-07"}, headers=siti
    ).json()
    code = done["certificate_code"]

    document = httpx.get(f"{stack.GATEWAY}/api/training/certificates/{code}/pdf")  # no token
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(document.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert code in text and "D. K." in text and "Literasi keuangan digital" in text
    assert "Dedi" not in text and "Kurniawan" not in text and client["phone"] not in text

    for made_up in ("AAAAA-BBBBB", "AAAAA-BBBBB/pdf"):
        missing = httpx.get(f"{stack.GATEWAY}/api/training/certificates/{made_up}")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")


def test_a_full_session_waitlists_and_a_cancellation_promotes_with_an_event(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    session = t.session(gateway, tokens["siti"], programme, capacity=1)
    first, second = t.client(gateway, tokens["siti"]), t.client(gateway, tokens["siti"])
    siti = t.auth(tokens["siti"])
    assert t.enrol(gateway, tokens["siti"], session, first["id"]).json()["status"] == "enrolled"
    assert t.enrol(gateway, tokens["siti"], session, second["id"]).json()["status"] == "waiting"
    view = gateway.get(f"/api/training/sessions/{session}", headers=siti).json()
    assert view["enrolled"] == [f"client:{first['id']}"]
    assert view["waiting"] == [f"client:{second['id']}"]

    with stack.reading("training.events") as consumer:
        cancelled = gateway.delete(
            f"/api/training/sessions/{session}/enrolments/client:{first['id']}", headers=siti
        )
        assert cancelled.json() == {
            "cancelled": f"client:{first['id']}",
            "promoted": f"client:{second['id']}",
        }

        def promotions(records: list[object]) -> list[dict[str, object]]:
            found = []
            for r in records:
                headers = dict(r.headers)  # type: ignore[attr-defined]
                if headers.get("ce_type") == b"jembatan.training.enrolment_changed.v1":
                    data = json.loads(r.value)  # type: ignore[attr-defined]
                    if data["session_id"] == session and data["change"] == "promoted":
                        found.append(data | {"key": r.key.decode()})  # type: ignore[attr-defined]
            return found

        records = stack.drain_until(consumer, lambda rs: bool(promotions(rs)))
    [promoted] = promotions(records)
    assert promoted["client_id"] == second["id"] and promoted["key"] == second["id"]
    view = gateway.get(f"/api/training/sessions/{session}", headers=siti).json()
    assert view["enrolled"] == [f"client:{second['id']}"] and view["waiting"] == []


def test_the_enrolled_hear_of_their_session_a_day_before_and_of_every_change(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    days, starts_at = t.soon(hours=3)  # inside the 24-hour reminder window
    session = t.session(gateway, tokens["siti"], programme, days=days, starts_at=starts_at)
    client = t.client(gateway, tokens["siti"])
    t.enrol(gateway, tokens["siti"], session, client["id"])
    siti = t.auth(tokens["siti"])

    def templates() -> list[str]:
        """What the client was told, one channel's records (each message has one per channel)."""
        answer = gateway.get(f"/api/notifications?client_id={client['id']}", headers=siti)
        return [n["template"] for n in answer.json()["items"] if n["channel"] == "sms"]

    def has(*wanted: str) -> list[str] | None:
        seen = templates()
        return seen if all(w in seen for w in wanted) else None

    seen = stack.eventually(lambda: has("training_enrolled", "training_reminder"), timeout_s=60)
    assert seen.count("training_reminder") == 1

    later = starts_at + timedelta(days=3)
    moved = gateway.patch(
        f"/api/training/sessions/{session}",
        json={"days": [later.date().isoformat()], "starts_at": later.isoformat()},
        headers=siti,
    )
    assert moved.status_code == 200, moved.text
    stack.eventually(lambda: has("training_session_changed"), timeout_s=60)
    cancelled = gateway.post(f"/api/training/sessions/{session}/cancel", headers=siti)
    assert cancelled.status_code == 200
    seen = stack.eventually(lambda: has("training_session_cancelled"), timeout_s=60)
    # the moved session lies beyond 24 hours: no second reminder; each notice exactly once
    assert sorted(seen) == sorted(
        [
            "training_enrolled",
            "training_reminder",
            "training_session_changed",
            "training_session_cancelled",
        ]
    )
    again = gateway.post(
        f"/api/training/sessions/{session}/enrolments",
        json={"participant": f"client:{client['id']}"},
        headers=siti,
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


def test_officers_keep_their_own_training_record(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    for_officers = t.programme(gateway, tokens["admin"], audience="officers")
    session = t.session(gateway, tokens["siti"], for_officers, days=[date(2026, 12, 9)])
    siti = t.auth(tokens["siti"])
    client = t.client(gateway, tokens["siti"])
    refused = t.enrol(gateway, tokens["siti"], session, client["id"])
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "participant"

    done = t.complete_as_officer(gateway, tokens["siti"], session)

    record = gateway.get("/api/training/me/trainings", headers=siti).json()["items"]
    assert [r["certificate_code"] for r in record if r["session_id"] == session] == [
        done["certificate_code"]
    ]
    budi = gateway.get("/api/training/me/trainings", headers=t.auth(tokens["budi"])).json()
    assert session not in [r["session_id"] for r in budi["items"]]
