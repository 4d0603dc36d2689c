"""Follow-ups the system starts: after an account is opened, and when a task falls due."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from shared.messaging.envelope import Envelope
from support import stack
from support.follow_ups import follow_up_tasks, publish_completed
from support.people import new_worker

pytestmark = pytest.mark.integration


def test_an_opened_account_starts_follow_ups_at_30_and_90_days(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    publish_completed([client])
    tasks = list(follow_up_tasks(gateway, siti, client["id"]).values())
    today = date.today()
    assert sorted(t["kind"] for t in tasks) == ["account_follow_up_30", "account_follow_up_90"]
    for task in tasks:
        days = int(task["kind"].rsplit("_", 1)[1])
        assert abs((date.fromisoformat(task["due_on"]) - today - timedelta(days=days)).days) <= 1
    timeline = gateway.get(f"/api/clients/{client['id']}/timeline", headers=siti).json()["items"]
    assert "jembatan.referral.completed.v1" in [e["event_type"] for e in timeline]


def test_a_task_due_today_is_announced_once(gateway: httpx.Client, tokens: dict[str, str]) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    base = f"/api/clients/{client['id']}/cases"
    case = gateway.post(base, json={"title": "Pendampingan"}, headers=siti).json()
    since = stack.topic_end_offsets("client.events")
    task = gateway.post(
        f"{base}/{case['id']}/tasks",
        json={"title": "Telepon", "due_in_working_days": 0},
        headers=siti,
    ).json()

    def announcements(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if dict(r.headers)["ce_type"] == b"jembatan.task.due.v1"
            and task["id"].encode() in r.value
        ]

    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(announcements(rs)), timeout_s=60)
        records += stack.drain_until(consumer, lambda rs: True, timeout_s=1)
    assert len(announcements(records)) == 1


def test_attachment_metadata_is_kept_on_the_case(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    base = f"/api/clients/{client['id']}/cases"
    case = gateway.post(base, json={"title": "Berkas"}, headers=siti).json()
    document = {
        "filename": "surat-keterangan-usaha.pdf",
        "content_type": "application/pdf",
        "size_bytes": 182_044,
        "sha256": "ab" * 32,
    }
    added = gateway.post(f"{base}/{case['id']}/attachments", json=document, headers=siti)
    assert added.status_code == 201, added.text
    bad = gateway.post(
        f"{base}/{case['id']}/attachments", json={**document, "sha256": "x"}, headers=siti
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sha256"
    listed = gateway.get(base, headers=siti).json()["items"][0]["attachments"]
    assert [a["filename"] for a in listed] == ["surat-keterangan-usaha.pdf"]
    budi = {"Authorization": f"Bearer {tokens['budi']}"}
    assert (
        gateway.post(f"{base}/{case['id']}/attachments", json=document, headers=budi).status_code
        == 404
    )


def test_an_account_follow_up_is_completed_with_the_clients_answers(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
    publish_completed([client])
    thirty = follow_up_tasks(gateway, siti, client["id"])["account_follow_up_30"]
    completion = (
        f"/api/clients/{client['id']}/cases/{thirty['case_id']}/tasks/{thirty['id']}/completion"
    )
    missing = gateway.post(
        completion, json={"outcome": "Ditelepon", "account_in_use": True}, headers=siti
    )
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["account_in_own_name"]

    since = stack.topic_end_offsets("client.events")
    answers = {"account_in_own_name": True, "account_in_use": False}
    done = gateway.post(completion, json={"outcome": "Ditelepon"} | answers, headers=siti)
    assert done.status_code == 200, done.text
    assert {k: done.json()[k] for k in answers} == answers

    def answered(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if dict(r.headers)["ce_type"] == b"jembatan.follow_up.answered.v1"
            and thirty["id"].encode() in r.value
        ]

    with stack.reading("client.events", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(answered(rs)), timeout_s=30)
    (record,) = answered(records)
    data = Envelope.from_kafka(record.key, record.value, record.headers).data
    assert (data["days"], data["due_on"]) == (30, thirty["due_on"])
    assert {k: data[k] for k in answers} == answers
    assert "Ditelepon" not in record.value.decode()  # the officer's words stay in the service
