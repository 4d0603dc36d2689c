"""A case from opening to closing and reopening, with follow-ups due in working days and
completed with their outcome, through the gateway."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from support.people import new_worker

pytestmark = pytest.mark.integration


def test_a_case_is_opened_followed_up_reassigned_and_closed(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    rina = {"Authorization": f"Bearer {tokens['rina']}"}
    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    base = f"/api/clients/{client['id']}/cases"

    case = gateway.post(base, json={"title": "Rekening tabungan"}, headers=siti).json()
    assert case["status"] == "open"
    note = gateway.post(f"{base}/{case['id']}/notes", json={"body": "Bawa KTP"}, headers=siti)
    task = gateway.post(
        f"{base}/{case['id']}/tasks",
        json={"title": "Cek rekening", "due_in_working_days": 3},
        headers=siti,
    )
    assert note.status_code == 201 and task.status_code == 201
    due = date.fromisoformat(task.json()["due_on"])
    assert due > date.today() and due.weekday() < 5

    moved = gateway.post(
        "/api/client/cases/reassign",
        json={"case_ids": [case["id"]], "assigned_to": "officer-rudi"},
        headers=rina,
    )
    assert moved.status_code == 200 and moved.json()["items"][0]["assigned_to"] == "officer-rudi"

    closed = gateway.patch(f"{base}/{case['id']}", json={"status": "closed"}, headers=siti)
    assert closed.status_code == 200 and closed.json()["closed_at"]
    skipped = gateway.patch(f"{base}/{case['id']}", json={"status": "in_progress"}, headers=siti)
    assert skipped.status_code == 409
    reopened = gateway.patch(f"{base}/{case['id']}", json={"status": "open"}, headers=siti)
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["closed_at"]) == ("open", None)

    listed = gateway.get(base, headers=siti).json()["items"]
    assert [c["id"] for c in listed] == [case["id"]]
    assert listed[0]["notes"][0]["body"] == "Bawa KTP"
    assert listed[0]["tasks"][0]["overdue"] is False


def test_a_bulk_reassignment_outside_the_province_changes_nothing(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    budi = {"Authorization": f"Bearer {tokens['budi']}"}
    bandung = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    surabaya = gateway.post(
        "/api/clients", json=new_worker(region_code="3578"), headers=budi
    ).json()
    ours = gateway.post(f"/api/clients/{bandung['id']}/cases", json={"title": "A"}, headers=siti)
    theirs = gateway.post(f"/api/clients/{surabaya['id']}/cases", json={"title": "B"}, headers=budi)
    answer = gateway.post(
        "/api/client/cases/reassign",
        json={"case_ids": [ours.json()["id"], theirs.json()["id"]], "assigned_to": "x"},
        headers={"Authorization": f"Bearer {tokens['rina']}"},
    )
    assert answer.status_code == 404
    after = gateway.get(f"/api/clients/{bandung['id']}/cases", headers=siti).json()["items"]
    assert after[0]["assigned_to"] != "x"  # all or nothing


def test_an_officers_follow_ups_are_listed_by_due_day(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    budi = {"Authorization": f"Bearer {tokens['budi']}"}
    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    base = f"/api/clients/{client['id']}/cases"
    case = gateway.post(base, json={"title": "Rekening tabungan"}, headers=siti).json()
    task = gateway.post(
        f"{base}/{case['id']}/tasks",
        json={"title": "Cek rekening", "due_in_working_days": 3},
        headers=siti,
    ).json()
    due = date.fromisoformat(task["due_on"])

    def listed(headers: dict[str, str], **params: str) -> list[dict[str, object]]:
        answer = gateway.get(
            "/api/client/tasks", params={"limit": "200", **params}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        return [t for t in answer.json()["items"] if t["id"] == task["id"]]

    [mine] = listed(siti, due_by=due.isoformat())
    assert mine["client_id"] == client["id"] and mine["case_id"] == case["id"]
    assert mine["overdue"] is False
    assert listed(siti) == []  # due in 3 working days: not today's
    assert listed(siti, due_by=date.fromordinal(due.toordinal() - 1).isoformat()) == []
    assert listed(budi, due_by=due.isoformat()) == []  # another officer's, another region


def test_a_supervisor_moves_an_officers_cases_to_a_colleague_by_name(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    rina = {"Authorization": f"Bearer {tokens['rina']}"}
    budi = {"Authorization": f"Bearer {tokens['budi']}"}
    me = {
        who: gateway.put("/api/client/staff/me", headers=h)
        for who, h in [("siti", siti), ("rina", rina), ("budi", budi)]
    }
    assert {who: a.status_code for who, a in me.items()} == {"siti": 200, "rina": 200, "budi": 200}
    assert me["siti"].json()["username"] == "siti" and me["siti"].json()["region_code"] == "3273"

    staff = gateway.get("/api/client/staff", headers=rina).json()["items"]
    names = {s["username"] for s in staff}
    assert {"siti", "rina"} <= names and "budi" not in names  # Jawa Barat only
    assert gateway.get("/api/client/staff", headers=siti).status_code == 403

    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    case = gateway.post(
        f"/api/clients/{client['id']}/cases", json={"title": "Rekening tabungan"}, headers=siti
    ).json()
    siti_id = me["siti"].json()["subject"]
    listed = gateway.get(
        "/api/client/cases", params={"assigned_to": siti_id, "limit": 500}, headers=rina
    )
    assert listed.status_code == 200
    assert case["id"] in {c["id"] for c in listed.json()["items"]}
    from_budi = gateway.get("/api/client/cases", params={"assigned_to": siti_id}, headers=budi)
    assert from_budi.status_code == 403
    own = gateway.get("/api/client/cases", params={"assigned_to": "me", "limit": 500}, headers=siti)
    assert case["id"] in {c["id"] for c in own.json()["items"]}

    rina_id = me["rina"].json()["subject"]
    moved = gateway.post(
        "/api/client/cases/reassign",
        json={"case_ids": [case["id"]], "assigned_to": rina_id},
        headers=rina,
    )
    assert moved.status_code == 200
    still_sitis = gateway.get(
        "/api/client/cases", params={"assigned_to": siti_id, "limit": 500}, headers=rina
    ).json()["items"]
    assert case["id"] not in {c["id"] for c in still_sitis}


def _case_with_a_task_due_today(
    gateway: httpx.Client, headers: dict[str, str], title: str
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A new client's case (its URL and itself) with one task due today."""
    client = gateway.post("/api/clients", json=new_worker(), headers=headers).json()
    base = f"/api/clients/{client['id']}/cases"
    case = gateway.post(base, json={"title": title}, headers=headers).json()
    task = gateway.post(
        f"{base}/{case['id']}/tasks",
        json={"title": "Telepon klien", "due_in_working_days": 0},
        headers=headers,
    ).json()
    return base, case, task


def _due_ids(gateway: httpx.Client, headers: dict[str, str]) -> set[str]:
    """The ids of the caller's follow-ups due by today (what the dashboard lists)."""
    answer = gateway.get("/api/client/tasks", params={"limit": 200}, headers=headers)
    return {t["id"] for t in answer.json()["items"]}


def test_a_completed_follow_up_leaves_the_due_list_with_its_outcome(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    budi = {"Authorization": f"Bearer {tokens['budi']}"}
    base, case, task = _case_with_a_task_due_today(gateway, siti, "Kartu ATM")

    assert task["id"] in _due_ids(gateway, siti)
    completion = f"{base}/{case['id']}/tasks/{task['id']}/completion"
    assert gateway.post(completion, json={"outcome": "x"}, headers=budi).status_code == 404
    for body, field in (
        ({"outcome": ""}, "outcome"),
        ({"outcome": "Sudah", "account_in_use": True}, "account_in_use"),
        ({"outcome": "Sudah", "extra": 1}, "extra"),
    ):
        refused = gateway.post(completion, json=body, headers=siti)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in refused.json()["errors"]]
    assert task["id"] in _due_ids(gateway, siti)  # nothing half-written

    done = gateway.post(completion, json={"outcome": "Kartu sudah diambil"}, headers=siti)
    assert done.status_code == 200, done.text
    assert done.json()["done_at"] and done.json()["outcome"] == "Kartu sudah diambil"
    assert task["id"] not in _due_ids(gateway, siti)
    again = gateway.post(completion, json={"outcome": "lagi"}, headers=siti)
    assert again.status_code == 409
    listed = gateway.get(base, headers=siti).json()["items"][0]["tasks"][0]
    assert (listed["outcome"], listed["done_by"]) == ("Kartu sudah diambil", done.json()["done_by"])


def test_a_closed_case_hides_its_open_follow_ups_until_it_is_reopened(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    base, case, task = _case_with_a_task_due_today(gateway, siti, "Pinjaman KUR")

    gateway.patch(f"{base}/{case['id']}", json={"status": "closed"}, headers=siti)
    assert task["id"] not in _due_ids(gateway, siti)
    completion = f"{base}/{case['id']}/tasks/{task['id']}/completion"
    assert gateway.post(completion, json={"outcome": "x"}, headers=siti).status_code == 409
    gateway.patch(f"{base}/{case['id']}", json={"status": "open"}, headers=siti)
    assert task["id"] in _due_ids(gateway, siti)


def test_a_supervisor_finds_every_officer_of_her_province_in_the_realm(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    """dewi (Kabupaten Bandung) never signs in to the portal in any test; budi works in Jawa
    Timur. The realm, read with the client service's own view-only account, names dewi."""
    rina = {"Authorization": f"Bearer {tokens['rina']}"}
    answer = gateway.get("/api/client/staff", headers=rina)
    assert answer.status_code == 200, answer.text
    people = {p["username"]: p for p in answer.json()["items"]}
    assert people["dewi"]["region_code"] == "3204"
    assert "budi" not in people
    assert all(p["region_code"].startswith("32") for p in people.values())
