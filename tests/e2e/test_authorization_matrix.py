"""Region scoping and roles on every client endpoint: endpoint by caller, expected status as data.

The record belongs to Kota Bandung (3273), registered by siti. budi works in Surabaya (3578),
rina supervises all of Jawa Barat (32). Outside the region a record answers 404, never 403.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from support import matrix, report
from support.people import new_worker

pytestmark = pytest.mark.integration

CALLERS = ("siti", "budi", "rina", "ministry", "bank-nusantara", "admin")

# endpoint: (method, path template, body) -> expected status per caller
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "read": ("GET", "/api/clients/{id}", None),
    "update": ("PATCH", "/api/clients/{id}", {"disability": False}),
    "timeline": ("GET", "/api/clients/{id}/timeline", None),
    "consents": ("GET", "/api/clients/{id}/consents", None),
    "grant consent": (
        "POST",
        "/api/clients/{id}/consents",
        {"purpose": "case_management", "text_version": "cm-2026-01"},
    ),
    "reveal nik": ("POST", "/api/clients/{id}/nik/reveal", None),
    "search by nik": ("GET", "/api/clients?nik={nik}", None),
    "audit log": ("GET", "/api/client/audit?client_id={id}", None),
    "cases": ("GET", "/api/clients/{id}/cases", None),
    "open case": ("POST", "/api/clients/{id}/cases", {"title": "Rekening tabungan"}),
    "case note": ("POST", "/api/clients/{id}/cases/{case_id}/notes", {"body": "Datang lagi"}),
    "case task": (
        "POST",
        "/api/clients/{id}/cases/{case_id}/tasks",
        {"title": "Cek rekening", "due_in_working_days": 2},
    ),
    "my tasks": ("GET", "/api/client/tasks", None),
    "enlist me": ("PUT", "/api/client/staff/me", None),
    "staff": ("GET", "/api/client/staff", None),
    "colleagues' cases": ("GET", "/api/client/cases?assigned_to=someone", None),
    "my cases": ("GET", "/api/client/cases?assigned_to=me", None),
    "reassign": (
        "POST",
        "/api/client/cases/reassign",
        {"case_ids": ["{case_id}"], "assigned_to": "officer-x"},
    ),
}
NOBODY_ELSE = {"ministry": 403, "bank-nusantara": 403, "admin": 403}
EXPECTED: dict[str, dict[str, int]] = {
    "read": {"siti": 200, "budi": 404, "rina": 200, **NOBODY_ELSE},
    "update": {"siti": 200, "budi": 404, "rina": 200, **NOBODY_ELSE},
    "timeline": {"siti": 200, "budi": 404, "rina": 200, **NOBODY_ELSE},
    "consents": {"siti": 200, "budi": 404, "rina": 200, **NOBODY_ELSE},
    "grant consent": {"siti": 201, "budi": 404, "rina": 201, **NOBODY_ELSE},
    "reveal nik": {"siti": 200, "budi": 404, "rina": 200, **NOBODY_ELSE},
    "search by nik": {"siti": 200, "budi": 200, "rina": 200, **NOBODY_ELSE},
    "audit log": {"siti": 403, "budi": 403, "rina": 200, **NOBODY_ELSE},
    "cases": {"siti": 200, "budi": 404, "rina": 200, **NOBODY_ELSE},
    "open case": {"siti": 201, "budi": 404, "rina": 201, **NOBODY_ELSE},
    "case note": {"siti": 201, "budi": 404, "rina": 201, **NOBODY_ELSE},
    "case task": {"siti": 201, "budi": 404, "rina": 201, **NOBODY_ELSE},
    "my tasks": {"siti": 200, "budi": 200, "rina": 200, **NOBODY_ELSE},
    "enlist me": {"siti": 200, "budi": 200, "rina": 200, **NOBODY_ELSE},
    "staff": {"siti": 403, "budi": 403, "rina": 200, **NOBODY_ELSE},
    "colleagues' cases": {"siti": 403, "budi": 403, "rina": 200, **NOBODY_ELSE},
    "my cases": {"siti": 200, "budi": 200, "rina": 200, **NOBODY_ELSE},
    "reassign": {"siti": 403, "budi": 403, "rina": 200, **NOBODY_ELSE},
}
# Where the status alone cannot show the scope (a search answers 200 with what you may see).
FINDS_THE_RECORD = {"search by nik": {"siti": True, "budi": False, "rina": True}}

CELLS = [(endpoint, caller) for endpoint in ENDPOINTS for caller in CALLERS]
cells = report.Cells(CELLS)


@report.at_end
def _cells_tested() -> str | None:
    if not cells.ran:
        return None
    return f"authorization matrix (client): {len(cells.passed)} cells tested / {len(CELLS)} defined"


@pytest.fixture(scope="module")
def record(gateway: httpx.Client, tokens: dict[str, str]) -> dict[str, str]:
    body = new_worker(region_code="3273")
    answer = gateway.post(
        "/api/clients", json=body, headers={"Authorization": f"Bearer {tokens['siti']}"}
    )
    assert answer.status_code == 201, answer.text
    client_id = answer.json()["id"]
    case = gateway.post(
        f"/api/clients/{client_id}/cases",
        json={"title": "Pendampingan"},
        headers={"Authorization": f"Bearer {tokens['siti']}"},
    )
    assert case.status_code == 201, case.text
    return {"id": client_id, "nik": body["nik"], "case_id": case.json()["id"]}


def test_every_cell_of_the_matrix_is_defined() -> None:
    assert set(EXPECTED) == set(ENDPOINTS)
    assert matrix.undefined_cells(EXPECTED, CALLERS) == {}
    assert len(set(CELLS)) == len(ENDPOINTS) * len(CALLERS)


def test_every_endpoint_of_the_matrix_is_an_operation_the_client_service_publishes(
    gateway: httpx.Client,
) -> None:
    document = gateway.get("/api/client/openapi.json").json()
    endpoints = [(method, template) for method, template, _ in ENDPOINTS.values()]
    assert matrix.unpublished(endpoints, matrix.published_operations([document])) == set()


@pytest.mark.parametrize(("endpoint", "caller"), CELLS)
def test_cell(
    endpoint: str,
    caller: str,
    record: dict[str, str],
    gateway: httpx.Client,
    tokens: dict[str, str],
) -> None:
    with cells.check((endpoint, caller)):
        method, template, body = ENDPOINTS[endpoint]
        if body is not None:
            body = json.loads(json.dumps(body).replace("{case_id}", record["case_id"]))
        answer = gateway.request(
            method,
            template.format(**record),
            json=body,
            headers={"Authorization": f"Bearer {tokens[caller]}"},
        )
        assert answer.status_code == EXPECTED[endpoint][caller], answer.text
        if answer.status_code == 404:
            assert record["id"] not in answer.text
        if endpoint in FINDS_THE_RECORD and caller in FINDS_THE_RECORD[endpoint]:
            ids = [c["id"] for c in answer.json()["items"]]
            assert (record["id"] in ids) is FINDS_THE_RECORD[endpoint][caller]
