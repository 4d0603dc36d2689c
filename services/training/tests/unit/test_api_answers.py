"""Training's routes answer as they always did: the shared errors become the same
problem+json bodies, and the typed answers keep their fields and their order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from training_fakes import FakeTrainingUow
from training_scenario import SITI, bus_over, client

from training.entrypoints import api
from training.entrypoints.app import create

BASE = "/api/training"
PROBLEMS = "https://jembatan.example/problems/"


@pytest.fixture
def http() -> Iterator[tuple[TestClient, FakeTrainingUow]]:
    app = create(configure_process=False)
    uow = FakeTrainingUow()
    app.state.bus = bus_over(uow)
    for role in (api.CaseWorker, api.Admin, api.Supervisor):
        app.dependency_overrides[get_args(role)[1].dependency] = lambda: SITI
    yield TestClient(app), uow


def _programme(http: TestClient) -> None:
    body = {
        "title": "QRIS untuk UMKM",
        "modules": ["QRIS"],
        "duration_hours": 4,
        "audience": "both",
    }
    assert http.put(f"{BASE}/programmes/qris-umkm", json=body).json() == {"code": "qris-umkm"}


def _session(http: TestClient, region_code: str = "3273") -> Any:
    body = {
        "programme_code": "qris-umkm",
        "region_code": region_code,
        "days": ["2026-12-07", "2026-12-08"],
        "starts_at": "2026-12-07T09:00:00+07:00",
        "trainer": "officer:siti",
        "capacity": 5,
        "venue": "Aula",
    }
    return http.post(f"{BASE}/sessions", json=body)


def test_answers_and_their_fields(http: tuple[TestClient, FakeTrainingUow]) -> None:
    web, uow = http
    _programme(web)
    created = _session(web)
    assert created.status_code == 201
    session_id = created.json()["id"]
    assert created.json() == {"id": session_id, "days": ["2026-12-07", "2026-12-08"]}
    dedi = client(uow)
    enrolled = web.post(f"{BASE}/sessions/{session_id}/enrolments", json={"participant": dedi})
    assert enrolled.status_code == 201 and enrolled.json() == {
        "participant": dedi,
        "status": "enrolled",
    }
    seen = web.get(f"{BASE}/sessions/{session_id}").json()
    assert list(seen) == [
        "id", "programme_code", "programme_title", "region_code", "days", "starts_at",
        "starts_at_local", "time_zone", "venue", "online_link", "trainer", "capacity",
        "cancelled", "enrolled", "waiting", "participants", "mean_knowledge_gain",
    ]  # fmt: skip
    assert seen["starts_at"] == "2026-12-07T09:00:00+07:00" and seen["time_zone"] == "WIB"
    marked = web.post(
        f"{BASE}/sessions/{session_id}/attendance", json={"participant": dedi, "day": "2026-12-07"}
    ).json()
    assert list(marked) == [
        "participant", "attended", "pre_score", "post_score", "knowledge_gain", "completed",
        "certificate_code",
    ]  # fmt: skip
    cancelled = web.post(f"{BASE}/sessions/{session_id}/cancel").json()
    assert cancelled == {"id": session_id, "cancelled": True}


def test_problems_are_the_bodies_of_before(http: tuple[TestClient, FakeTrainingUow]) -> None:
    web, uow = http
    _programme(web)
    outside = _session(web, region_code="3578")
    assert outside.status_code == 422
    assert outside.headers["content-type"] == "application/problem+json"
    assert outside.json() == {
        "type": PROBLEMS + "validation",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request has invalid fields.",
        "errors": [{"field": "region_code", "message": "lies outside your region"}],
    }
    missing = web.get(f"{BASE}/sessions/{uuid4()}")
    assert missing.status_code == 404
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No such session.",
    }
    session_id = _session(web).json()["id"]
    stranger = client(uow, region_code="3578")
    refused = web.post(f"{BASE}/sessions/{session_id}/enrolments", json={"participant": stranger})
    assert refused.status_code == 404 and refused.json()["detail"] == "No such session or client."
    web.post(f"{BASE}/sessions/{session_id}/cancel")
    late = web.post(f"{BASE}/sessions/{session_id}/enrolments", json={"participant": "me"})
    assert late.status_code == 409
    assert late.json() == {
        "type": PROBLEMS + "session-cancelled",
        "title": "Conflict",
        "status": 409,
        "detail": "the session was cancelled",
    }
    cursor = web.get(f"{BASE}/sessions", params={"cursor": "nope"})
    assert cursor.status_code == 422 and cursor.json()["errors"][0]["field"] == "cursor"
    unknown = web.get(f"{BASE}/certificates/AAAAA-BBBBB")
    assert unknown.status_code == 404 and unknown.json()["detail"] == "No such certificate."
