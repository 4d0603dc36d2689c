"""Every training endpoint by every caller: expected status written as data, each cell tested.

The region rule: siti (3273) and rina (province 32) act on a session in 3273; budi (3578) gets
404 for it, never 403. Certificates verify publicly, without a token.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from support import matrix, report
from support import training as t

pytestmark = pytest.mark.integration

CALLERS = ("siti", "budi", "rina", "ministry", "bank-nusantara", "admin", "anonymous")
NOT_OFFICERS = {"ministry": 403, "bank-nusantara": 403, "admin": 403, "anonymous": 401}
IN_REGION = {"siti": 200, "budi": 404, "rina": 200, **NOT_OFFICERS}
PUBLIC = dict.fromkeys(CALLERS, 200)
SESSION = "/api/training/sessions/{session_id}"

# name: (method, path, json body, file upload)
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None, bytes | None]] = {
    "put programme": (
        "PUT",
        "/api/training/programmes/{programme}",
        {"title": "Literasi", "modules": ["Dasar"], "duration_hours": 2, "audience": "both"},
        None,
    ),
    "schedule": (
        "POST",
        "/api/training/sessions",
        {
            "programme_code": "{programme}",
            "region_code": "3273",
            "days": ["2026-12-21"],
            "starts_at": "2026-12-21T09:00:00+07:00",
            "trainer": "siti",
            "capacity": 5,
            "venue": "Aula",
        },
        None,
    ),
    "list sessions": ("GET", "/api/training/sessions?from=2026-12-01", None, None),
    "view session": ("GET", SESSION, None, None),
    "reschedule": (
        "PATCH",
        SESSION,
        {"days": ["2026-12-07", "2026-12-08"], "starts_at": "2026-12-07T10:00:00+07:00"},
        None,
    ),
    "enrol": ("POST", SESSION + "/enrolments", {"participant": "client:{client_id}"}, None),
    "attendance": (
        "POST",
        SESSION + "/attendance",
        {"participant": "client:{client_id}", "day": "2026-12-07"},
        None,
    ),
    "scores": (
        "POST",
        SESSION + "/scores",
        {"participant": "client:{client_id}", "pre_score": 50},
        None,
    ),
    "attendance sheet": ("POST", SESSION + "/attendance/imports", None, b"sheet"),
    "cancel enrolment": (
        "DELETE",
        "/api/training/sessions/{other_session_id}/enrolments/client:{client_id}",
        None,
        None,
    ),
    "cancel session": ("POST", "/api/training/sessions/{other_session_id}/cancel", None, None),
    "client trainings": ("GET", "/api/training/clients/{client_id}/trainings", None, None),
    "my trainings": ("GET", "/api/training/me/trainings", None, None),
    "verify certificate": ("GET", "/api/training/certificates/{code}", None, None),
    "certificate pdf": ("GET", "/api/training/certificates/{code}/pdf", None, None),
}
EXPECTED: dict[str, dict[str, int]] = {
    "put programme": {**dict.fromkeys(CALLERS, 403), "admin": 200, "anonymous": 401},
    # a session outside your region is refused as input (the region field), not hidden
    "schedule": {"siti": 201, "budi": 422, "rina": 201, **NOT_OFFICERS},
    "list sessions": {"siti": 200, "budi": 200, "rina": 200, **NOT_OFFICERS},
    "view session": IN_REGION,
    "reschedule": IN_REGION,
    "enrol": {**IN_REGION, "siti": 201, "rina": 201},  # enrolling twice keeps the one place
    "attendance": IN_REGION,
    "scores": IN_REGION,
    "attendance sheet": {**IN_REGION, "siti": 201, "rina": 201},
    # siti cancels first; afterwards there is no enrolment left for rina to cancel
    "cancel enrolment": {**IN_REGION, "rina": 404},
    "cancel session": IN_REGION,  # cancelling twice is harmless
    "client trainings": IN_REGION,
    "my trainings": {"siti": 200, "budi": 200, "rina": 200, **NOT_OFFICERS},
    "verify certificate": PUBLIC,
    "certificate pdf": PUBLIC,
}
CELLS = [(endpoint, caller) for endpoint in ENDPOINTS for caller in CALLERS]
cells = report.Cells(CELLS)


@report.at_end
def _cells_tested() -> str | None:
    if not cells.ran:
        return None
    return (
        f"authorization matrix (training): {len(cells.passed)} cells tested / {len(CELLS)} defined"
    )


@pytest.fixture(scope="module")
def callers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    headers = {who: t.auth(tokens[who]) for who in CALLERS if who != "anonymous"}
    return headers | {"anonymous": {}}


@pytest.fixture(scope="module")
def records(gateway: httpx.Client, tokens: dict[str, str]) -> dict[str, str]:
    siti = tokens["siti"]
    programme = t.programme(gateway, tokens["admin"])
    session = t.session(gateway, siti, programme)
    other = t.session(gateway, siti, programme)
    client = t.client(gateway, siti)["id"]
    t.enrol(gateway, siti, session, client)
    t.enrol(gateway, siti, other, client)
    done = t.session(gateway, siti, programme, days=[date(2026, 12, 9)])
    t.enrol(gateway, siti, done, client)
    who = f"client:{client}"
    gateway.post(
        f"/api/training/sessions/{done}/scores",
        json={"participant": who, "post_score": 80},
        headers=t.auth(siti),
    )
    completed = gateway.post(
        f"/api/training/sessions/{done}/attendance",
        json={"participant": who, "day": "2026-12-09"},
        headers=t.auth(siti),
    ).json()
    return {
        "programme": programme,
        "session_id": session,
        "other_session_id": other,
        "client_id": client,
        "code": completed["certificate_code"],
    }


def _fill(value: Any, records: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**records)
    if isinstance(value, dict):
        return {k: _fill(v, records) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, records) for v in value]
    return value


def test_every_cell_is_defined() -> None:
    assert set(EXPECTED) == set(ENDPOINTS)
    assert matrix.undefined_cells(EXPECTED, CALLERS) == {}
    assert len(set(CELLS)) == len(ENDPOINTS) * len(CALLERS)


def test_every_endpoint_is_an_operation_the_training_service_publishes(
    gateway: httpx.Client,
) -> None:
    document = gateway.get("/api/training/openapi.json").json()
    endpoints = [(method, path) for method, path, _, _ in ENDPOINTS.values()]
    assert matrix.unpublished(endpoints, matrix.published_operations([document])) == set()


@pytest.mark.parametrize(("endpoint", "caller"), CELLS)
def test_cell(
    endpoint: str,
    caller: str,
    records: dict[str, str],
    gateway: httpx.Client,
    callers: dict[str, dict[str, str]],
) -> None:
    with cells.check((endpoint, caller)):
        method, template, body, upload = ENDPOINTS[endpoint]
        files = None
        if upload is not None:
            sheet = f"participant,day,present\n{records['client_id']},2026-12-07,ya\n"
            files = {"file": ("absensi.csv", sheet.encode())}
        answer = gateway.request(
            method,
            template.format(**records),
            json=_fill(body, records),
            files=files,
            headers=callers[caller],
        )
        assert answer.status_code == EXPECTED[endpoint][caller], answer.text
        if answer.status_code == 404:  # outside the region nothing is confirmed, nothing leaks
            assert records["client_id"] not in answer.text and "3273" not in answer.text


def test_another_region_lists_none_of_the_sessions(
    gateway: httpx.Client, callers: dict[str, dict[str, str]], records: dict[str, str]
) -> None:
    for who, sees, region in (
        ("siti", True, "3273"),
        ("rina", True, "32"),
        ("budi", False, "3578"),
    ):
        listed: list[str] = []
        cursor = None
        while True:  # every page, following the cursor
            page = gateway.get(
                "/api/training/sessions",
                params={"from": "2026-12-07", "limit": 50} | ({"cursor": cursor} if cursor else {}),
                headers=callers[who],
            ).json()
            listed += [s["id"] for s in page["items"]]
            assert all(s["region_code"].startswith(region) for s in page["items"])
            if not (cursor := page["next_cursor"]):
                break
        assert len(listed) == len(set(listed))
        assert (records["session_id"] in listed) is sees, who
