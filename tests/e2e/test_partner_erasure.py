"""An erased client's partners: told to erase, confirming once, escalated when they do not.

Two ways in: an officer erases the client through the client service (the whole journey),
and a `jembatan.client.erased.v1` published straight onto `client.events` (the referral
side alone, whatever the client service does with it).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from kafka import KafkaProducer
from sqlalchemy import select

from notify.adapters import orm as notify_orm
from referral import bootstrap as referral_bootstrap
from referral.adapters import orm as referral_orm
from referral.service_layer.handlers import escalate_overdue_erasures
from shared import db
from shared.contracts import client as client_contracts
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.messaging.envelope import Envelope
from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration

BANK_TOPIC = partner_contracts.topic_for("bank-nusantara")
WALLET_TOPIC = partner_contracts.topic_for("dompet-rakyat")


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def _consent(gateway: httpx.Client, tokens: dict[str, str], client_id: str, partner: str) -> None:
    answer = gateway.post(
        f"/api/clients/{client_id}/consents",
        json={
            "purpose": "referral",
            "partner_code": partner,
            "scope": ["contact"],
            "text_version": "ref-2026-01",
        },
        headers=_auth(tokens, "siti"),
    )
    assert answer.status_code == 201, answer.text


def _refer(
    gateway: httpx.Client, tokens: dict[str, str], client_id: str, partner: str, product: str
) -> dict[str, Any]:
    """Send, retrying while the referral service's projections catch up with the client."""
    body = {
        "client_id": client_id,
        "partner_code": partner,
        "product_code": product,
        "fee_sheet_version": "2026-01",
    }

    def sent() -> dict[str, Any] | None:
        answer = gateway.post("/api/referrals", json=body, headers=_auth(tokens, "siti"))
        return answer.json() if answer.status_code == 201 else None

    return stack.eventually(sent, timeout_s=30)


def _client_with_referrals(gateway: httpx.Client, tokens: dict[str, str]) -> dict[str, Any]:
    """A client of Kota Bandung with three referrals: a completed one and an open one to the
    bank, an open one to the e-wallet."""
    client = gateway.post("/api/clients", json=new_worker(), headers=_auth(tokens, "siti")).json()
    for partner in ("bank-nusantara", "dompet-rakyat"):
        _consent(gateway, tokens, client["id"], partner)
    completed = _refer(gateway, tokens, client["id"], "bank-nusantara", "savings-basic")
    status = f"/api/partner/referrals/{completed['id']}/status"
    bank = _auth(tokens, "bank-nusantara")
    for answer in (
        {"status": "acknowledged", "external_ref": "BN-ERASE-1"},
        {"status": "completed", "outcome": "account_opened"},
    ):
        assert gateway.post(status, json=answer, headers=bank).status_code == 200
    open_ = _refer(gateway, tokens, client["id"], "bank-nusantara", "payroll-account")
    wallet = _refer(gateway, tokens, client["id"], "dompet-rakyat", "ewallet-account")
    return {**client, "_bank": [completed["id"], open_["id"]], "_wallet": [wallet["id"]]}


def _publish_erased(client: dict[str, Any]) -> None:
    """What the client service publishes when it has erased a client."""
    data = client_contracts.ClientErased(
        client_id=client["id"],
        region_code=client["region_code"],
        request_id=uuid.uuid4(),
        erased_at=datetime.now(UTC),
    )
    key, value, headers = Envelope(
        type=data.TYPE,
        source=client_contracts.SOURCE,
        subject=f"client/{client['id']}",
        key=client["id"],
        data=data.to_data(),
    ).to_kafka()
    producer = KafkaProducer(
        bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN, acks="all", enable_idempotence=True
    )
    producer.send(client_contracts.TOPIC, key=key, value=value, headers=headers).get(30)
    producer.close()


def _of_type(records: list[Any], event_type: str, referral_ids: list[str]) -> list[Any]:
    """The records of `event_type` about these referrals (partner topics are keyed by the
    referral, referral.events by the client: the id is looked for in the data)."""
    return [
        r
        for r in records
        if dict(r.headers)["ce_type"] == event_type.encode()
        and json.loads(r.value)["referral_id"] in referral_ids
    ]


def _received(topic: str, since: dict[Any, int], event_type: str, ids: list[str]) -> list[Any]:
    """Every record of `event_type` for `ids`, read until each has one and 2 s more (so that a
    second one would be seen)."""
    with stack.reading(topic, since) as consumer:
        records = stack.drain_until(
            consumer, lambda rs: len(_of_type(rs, event_type, ids)) >= len(ids)
        )
        time.sleep(2)
        records += stack.drain_until(consumer, lambda rs: True, timeout_s=1)
    return _of_type(records, event_type, ids)


def _partner_topics_now() -> dict[str, dict[Any, int]]:
    return {
        topic: stack.topic_end_offsets(topic)
        for topic in (BANK_TOPIC, WALLET_TOPIC, referral_contracts.TOPIC)
    }


def _check_the_partners_were_told(client: dict[str, Any], since: dict[str, Any]) -> list[Any]:
    erased = partner_contracts.ReferralErased.TYPE
    told_bank = _received(BANK_TOPIC, since[BANK_TOPIC], erased, client["_bank"])
    told_wallet = _received(WALLET_TOPIC, since[WALLET_TOPIC], erased, client["_wallet"])
    assert len(told_bank) == 2 and len(told_wallet) == 1
    for record in told_bank + told_wallet:
        event = json.loads(record.value)
        assert record.key == event["referral_id"].encode()
        erase_by, erased_at = (datetime.fromisoformat(event[k]) for k in ("erase_by", "erased_at"))
        assert erase_by - erased_at == timedelta(hours=72)
        assert event["confirm_url"] == f"/api/partner/referrals/{event['referral_id']}/erased"
        for personal in (client["full_name"], client["phone"]):
            assert personal not in record.value.decode()
    return told_bank


def _check_the_referrals_are_over(
    gateway: httpx.Client, tokens: dict[str, str], client: dict[str, Any]
) -> None:
    bank = _auth(tokens, "bank-nusantara")
    for referral_id in client["_bank"]:
        applicant = gateway.get(f"/api/partner/referrals/{referral_id}/applicant", headers=bank)
        assert applicant.status_code == 410, applicant.text
        answer = gateway.post(
            f"/api/partner/referrals/{referral_id}/status",
            json={"status": "declined", "reason": "other"},
            headers=bank,
        )
        assert answer.status_code == 409, answer.text
        seen = gateway.get(f"/api/referrals/{referral_id}", headers=_auth(tokens, "siti")).json()
        assert seen["state"] == "erased" and seen["external_ref"] is None


def _check_one_confirmation_counts(
    gateway: httpx.Client, tokens: dict[str, str], referral_id: str, since: dict[Any, int]
) -> None:
    path = f"/api/partner/referrals/{referral_id}/erased"
    stranger = gateway.post(path, headers=_auth(tokens, "dompet-rakyat"))
    assert stranger.status_code == 404 and referral_id not in stranger.text
    first = gateway.post(path, json={}, headers=_auth(tokens, "bank-nusantara"))
    assert first.status_code == 200, first.text
    assert first.json()["in_time"] is True and first.json()["confirmed_at"]
    second = gateway.post(
        path,
        json={"erased_at": datetime.now(UTC).isoformat()},
        headers=_auth(tokens, "bank-nusantara"),
    )
    assert second.status_code == 200 and second.json() == first.json()
    confirmed = _received(
        referral_contracts.TOPIC,
        since,
        referral_contracts.ReferralErasureConfirmed.TYPE,
        [referral_id],
    )
    assert len(confirmed) == 1
    assert json.loads(confirmed[0].value)["in_time"] is True


def test_an_officer_erasing_a_client_gets_every_partner_told_and_each_confirms_once(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _client_with_referrals(gateway, tokens)
    since = _partner_topics_now()

    erased = gateway.post(f"/api/clients/{client['id']}/erasure", headers=_auth(tokens, "siti"))
    assert erased.status_code in (200, 202), erased.text
    assert erased.json()["request"]["kind"] == "erasure"

    _check_the_partners_were_told(client, since)
    _check_the_referrals_are_over(gateway, tokens, client)
    _check_one_confirmation_counts(
        gateway, tokens, client["_bank"][0], since[referral_contracts.TOPIC]
    )


def test_an_erased_event_on_client_events_ends_the_referrals_and_asks_each_partner_to_erase(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _client_with_referrals(gateway, tokens)
    since = _partner_topics_now()

    _publish_erased(client)

    _check_the_partners_were_told(client, since)
    requested = _received(
        referral_contracts.TOPIC,
        since[referral_contracts.TOPIC],
        referral_contracts.ReferralErasureRequested.TYPE,
        client["_bank"] + client["_wallet"],
    )
    assert sorted(json.loads(r.value)["partner_kind"] for r in requested) == [
        "bank",
        "bank",
        "e-money",
    ]
    _check_the_referrals_are_over(gateway, tokens, client)
    _check_one_confirmation_counts(
        gateway, tokens, client["_bank"][1], since[referral_contracts.TOPIC]
    )


async def _escalate_as_of(now: datetime) -> int:
    container = referral_bootstrap.build()
    try:
        return await escalate_overdue_erasures(container.uow(), now)
    finally:
        await container.engine.dispose()
        await container.clients.close()


def _escalate_all_as_of(now: datetime) -> int:
    """Rounds of the timers' scan until none is left (each round takes up to 200); other
    tests' unconfirmed erasures may escalate too."""
    return stack.all_rounds(lambda: _escalate_as_of(now))


def _escalated(referral_ids: list[str]) -> set[str]:
    """Which of these referrals' erasures the referral service has escalated."""
    engine = db.sync_engine(stack.database_url("referral"))
    try:
        with engine.connect() as connection:
            table = referral_orm.partner_erasures
            rows = connection.execute(
                select(table.c.referral_id).where(
                    table.c.referral_id.in_([uuid.UUID(i) for i in referral_ids]),
                    table.c.escalated_at.is_not(None),
                )
            )
            return {str(row.referral_id) for row in rows}
    finally:
        engine.dispose()


def _alerts_planned_for(event_ids: set[str]) -> list[Any]:
    engine = db.sync_engine(stack.database_url("notify"))
    try:
        with engine.connect() as connection:
            table = notify_orm.notifications
            return list(
                connection.execute(
                    select(table).where(table.c.event_id.in_([uuid.UUID(i) for i in event_ids]))
                )
            )
    finally:
        engine.dispose()


def test_an_erasure_left_unconfirmed_past_erase_by_escalates_once_to_the_supervisors(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = _client_with_referrals(gateway, tokens)
    since = _partner_topics_now()
    _publish_erased(client)
    [told, _] = _check_the_partners_were_told(client, since)
    erase_by = datetime.fromisoformat(json.loads(told.value)["erase_by"])
    confirmed = client["_bank"][1]
    assert (
        gateway.post(
            f"/api/partner/referrals/{confirmed}/erased", headers=_auth(tokens, "bank-nusantara")
        ).status_code
        == 200
    )
    unconfirmed = [client["_bank"][0], *client["_wallet"]]

    # A controllable clock: erase_by itself is still in time; a minute later is not.
    _escalate_all_as_of(erase_by)
    assert _escalated(unconfirmed) == set()
    assert _escalate_all_as_of(erase_by + timedelta(minutes=1)) >= len(unconfirmed)
    assert _escalated([*unconfirmed, confirmed]) == set(unconfirmed)
    _escalate_all_as_of(erase_by + timedelta(hours=1))  # a later round escalates them no more

    overdue = _received(
        referral_contracts.TOPIC,
        since[referral_contracts.TOPIC],
        referral_contracts.ReferralErasureOverdue.TYPE,
        unconfirmed,
    )
    assert sorted(json.loads(r.value)["referral_id"] for r in overdue) == sorted(unconfirmed)
    for topic in (BANK_TOPIC, WALLET_TOPIC):
        with stack.reading(topic, since[topic]) as consumer:
            records = stack.drain_until(consumer, lambda rs: True, timeout_s=2)
        assert not _of_type(records, referral_contracts.ReferralErasureOverdue.TYPE, unconfirmed)

    event_ids = {dict(r.headers)["ce_id"].decode() for r in overdue}

    def every_alert() -> list[Any] | None:
        found = _alerts_planned_for(event_ids)
        return found if len(found) == len(event_ids) else None

    alerts = stack.eventually(every_alert, timeout_s=30)
    for alert in alerts:
        assert alert.recipient == "supervisor:32" and alert.channel == "email"
        assert alert.template == "erasure_overdue" and alert.client_id is None
        assert alert.context["referral_id"] in unconfirmed
