"""The platform's authorization matrix (`authz_matrix.yaml`), every cell against the real stack.

The matrix must name exactly the operations the services' OpenAPI documents publish, for
every caller; each cell is then one request through the gateway with that caller's real
token, and its status must be the expected one. A 404 must not confirm the record (its id is
not in the answer), and where a search answers 200 to everyone, whether it found the record
is checked too. The run's closing summary prints `cells tested / cells defined`.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from support import matrix, report, stack
from support.people import new_worker
from support.referrals import consenting_client, referral_sent, savings_referral
from support.training import enrol, programme, session

pytestmark = pytest.mark.integration

MATRIX = yaml.safe_load((Path(__file__).parent / "authz_matrix.yaml").read_text())
CALLERS: list[str] = MATRIX["callers"]
OPERATIONS: dict[str, dict[str, Any]] = {entry["op"]: entry for entry in MATRIX["operations"]}
CELLS = [(op, caller) for op in OPERATIONS for caller in CALLERS]
OPENAPI = ("client", "referral", "training", "notify", "indicators")
cells = report.Cells(CELLS)
unexpected_allows: list[tuple[str, str]] = []


@report.at_end
def _cells_tested() -> str | None:
    if not cells.ran:
        return None
    return (
        f"authorization matrix: {len(cells.passed)} cells tested / {len(CELLS)} defined "
        f"({len(OPERATIONS)} operations x {len(CALLERS)} callers), "
        f"{len(unexpected_allows)} unexpected allows"
    )


def published_operations(gateway: httpx.Client) -> set[str]:
    documents = []
    for service in OPENAPI:
        document = gateway.get(f"/api/{service}/openapi.json")
        assert document.status_code == 200, service
        documents.append(document.json())
    return matrix.published_operations(documents)


def test_the_matrix_names_every_published_operation_and_every_caller(
    gateway: httpx.Client,
) -> None:
    assert set(OPERATIONS) == published_operations(gateway)
    for op, entry in OPERATIONS.items():
        assert list(entry["expect"]) == CALLERS, op


def test_the_cells_are_every_operation_by_every_caller_each_with_a_status() -> None:
    expected = {op: entry["expect"] for op, entry in OPERATIONS.items()}
    assert matrix.undefined_cells(expected, CALLERS) == {}
    assert len(OPERATIONS) == len(MATRIX["operations"])  # no operation named twice
    assert len(set(CELLS)) == len(OPERATIONS) * len(CALLERS)
    assert all(100 <= status < 600 for row in expected.values() for status in row.values())


@pytest.fixture(scope="module")
def callers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        who: ({} if who == "anonymous" else {"Authorization": f"Bearer {tokens[who]}"})
        for who in CALLERS
    }


def _flag(gateway: httpx.Client, siti: dict[str, str], rina: dict[str, str]) -> str:
    """A possible duplicate: two clients sharing a phone."""
    first = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    second = gateway.post("/api/clients", json=new_worker(phone=first["phone"]), headers=siti)

    def found() -> str | None:
        flags = gateway.get(
            "/api/client/duplicates", params={"client_id": second.json()["id"]}, headers=rina
        ).json()["items"]
        return next((f["id"] for f in flags if f["candidate_id"] == first["id"]), None)

    return stack.eventually(found, timeout_s=10)


def _referral_consent(gateway: httpx.Client, siti: dict[str, str]) -> str:
    client, consent = consenting_client(gateway, siti)
    assert consent.status_code == 201, consent.text
    return str(client["id"])


def _refer(gateway: httpx.Client, siti: dict[str, str], client_id: str) -> str:
    return str(referral_sent(gateway, siti, savings_referral(client_id)).json()["id"])


@pytest.fixture(scope="module")
def records(
    gateway: httpx.Client, tokens: dict[str, str], callers: dict[str, dict[str, str]]
) -> dict[str, str]:
    siti, rina, admin = callers["siti"], callers["rina"], callers["admin"]
    body = new_worker()
    client = gateway.post("/api/clients", json=body, headers=siti).json()
    case = gateway.post(
        f"/api/clients/{client['id']}/cases", json={"title": "Pendampingan"}, headers=siti
    ).json()
    task = gateway.post(
        f"/api/clients/{client['id']}/cases/{case['id']}/tasks",
        json={"title": "Telepon klien", "due_in_working_days": 1},
        headers=siti,
    ).json()
    other = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    consent = gateway.post(
        f"/api/clients/{other['id']}/consents",
        json={"purpose": "case_management", "text_version": "cm-2026-01"},
        headers=siti,
    ).json()
    sheet = _client_sheet()
    imported = gateway.post(
        "/api/clients/imports", files={"file": ("peserta.csv", sheet)}, headers=siti
    ).json()
    job = gateway.post(
        "/api/clients/import-jobs", files={"file": ("peserta.csv", _client_sheet())}, headers=siti
    ).json()
    referral_client = _referral_consent(gateway, siti)
    referral_id = _refer(gateway, siti, referral_client)
    other_referral_id = _refer(gateway, siti, _referral_consent(gateway, siti))
    code = programme(gateway, tokens["admin"])
    session_id = session(gateway, tokens["siti"], code)
    other_session_id = session(gateway, tokens["siti"], code)
    enrol(gateway, tokens["siti"], session_id, client["id"])
    enrol(gateway, tokens["siti"], session_id, other["id"])
    completed_session_id, certificate = _certificate(gateway, tokens, code, client["id"])
    request = gateway.post(
        f"/api/clients/{other['id']}/requests", json={"kind": "correction"}, headers=siti
    ).json()
    erasable = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    breach = gateway.post(
        "/api/client/breaches", json=OPERATIONS["POST /api/client/breaches"]["json"], headers=admin
    )
    assert breach.status_code == 201, breach.text
    matrix_partner = f"matrix-{uuid.uuid4().hex[:8]}"
    onboarded = gateway.put(
        f"/api/partners/{matrix_partner}", json=_partner_entry(gateway, admin), headers=admin
    )
    assert onboarded.status_code == 200, onboarded.text
    return {
        "client_id": client["id"],
        "nik": body["nik"],
        "case_id": case["id"],
        "task_id": task["id"],
        "other_client_id": other["id"],
        "consent_id": consent["id"],
        "import_id": imported["id"],
        "import_job_id": job["id"],
        "flag_id": _flag(gateway, siti, rina),
        "other_flag_id": _flag(gateway, siti, rina),
        "referral_client_id": referral_client,
        "referral_id": referral_id,
        "other_referral_id": other_referral_id,
        "programme": code,
        "session_id": session_id,
        "other_session_id": other_session_id,
        "code": certificate,
        "completed_session_id": completed_session_id,
        "request_id": request["id"],
        "erasable_client_id": erasable["id"],
        "breach_id": breach.json()["id"],
        "matrix_partner": matrix_partner,
    }


def _certificate(
    gateway: httpx.Client, tokens: dict[str, str], code: str, client: str
) -> tuple[str, str]:
    """A session of 9 December 2026 that the client completed: its id and the certificate."""
    from datetime import date

    done = session(gateway, tokens["siti"], code, days=[date(2026, 12, 9)])
    enrol(gateway, tokens["siti"], done, client)
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    who = f"client:{client}"
    gateway.post(
        f"/api/training/sessions/{done}/scores",
        json={"participant": who, "post_score": 80},
        headers=siti,
    )
    completed = gateway.post(
        f"/api/training/sessions/{done}/attendance",
        json={"participant": who, "day": "2026-12-09"},
        headers=siti,
    ).json()
    return done, str(completed["certificate_code"])


def _client_sheet() -> bytes:
    """A registration sheet of Kota Bandung: one good row, one with a wrong date."""
    good, bad = new_worker(), new_worker()
    rows = ["NIK,Nama,Tanggal Lahir,JK,No HP,Kode Wilayah"]
    for person, born in ((good, good["birth_date"]), (bad, "salah")):
        sex = "P" if person["sex"] == "F" else "L"
        rows.append(f"{person['nik']},Peserta Uji,{born},{sex},{person['phone']},3273")
    return ("\n".join(rows) + "\n").encode()


def _fill(value: Any, records: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: records[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _fill(v, records) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, records) for v in value]
    return value


def _partner_entry(gateway: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    """dompet-rakyat's catalogue entry in the shape the PUT takes: the stored one, unchanged."""
    schemas = gateway.get("/api/referral/openapi.json").json()["components"]["schemas"]
    catalogue = gateway.get("/api/partners", headers=headers).json()["items"]
    entry = next(p for p in catalogue if p["code"] == "dompet-rakyat")
    return _shaped(entry, schemas["PartnerIn"], schemas)


def _shaped(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    """`value` with only the properties `schema` accepts, through its references."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    if isinstance(value, list):
        return [_shaped(v, schema.get("items", {}), schemas) for v in value]
    if isinstance(value, dict) and "properties" in schema:
        accepted = schema["properties"]
        return {k: _shaped(v, accepted[k], schemas) for k, v in value.items() if k in accepted}
    return value


def _request(
    entry: dict[str, Any],
    records: dict[str, str],
    gateway: httpx.Client,
    headers: dict[str, str],
    admin: dict[str, str],
) -> httpx.Response:
    method = entry["op"].split()[0]
    path = _fill(entry["path"], records)
    body = entry.get("json")
    files = None
    if body == "new_client":
        body = new_worker()
    elif body == "partner_entry":
        body = _partner_entry(gateway, admin)
    else:
        body = _fill(body, records)
    if entry.get("upload") == "client_sheet":
        files = {"file": ("peserta.csv", _client_sheet())}
    elif entry.get("upload") == "attendance_sheet":
        sheet = f"participant,day,present\n{records['client_id']},2026-12-07,ya\n"
        files = {"file": ("absensi.csv", sheet.encode())}
    return gateway.request(
        method, path, json=body if files is None else None, files=files, headers=headers
    )


@pytest.mark.parametrize(("op", "caller"), CELLS)
def test_cell(
    op: str,
    caller: str,
    records: dict[str, str],
    gateway: httpx.Client,
    callers: dict[str, dict[str, str]],
) -> None:
    with cells.check((op, caller)):
        entry = OPERATIONS[op]
        answer = _request(entry, records, gateway, callers[caller], callers["admin"])
        if answer.is_success and entry["expect"][caller] >= 400:
            unexpected_allows.append((op, caller))
        assert answer.status_code == entry["expect"][caller], (op, caller, answer.text)
        if answer.status_code == 404:  # nothing outside the region is confirmed
            assert not any(v in answer.text for k, v in records.items() if k.endswith("_id")), op
        finds = entry.get("finds_record", {})
        if caller in finds:
            ids = [item["id"] for item in answer.json()["items"]]
            assert (records["client_id"] in ids) is finds[caller], (op, caller)
        if caller in entry.get("empty_for", []):
            assert answer.json()["items"] == [], (op, caller)
