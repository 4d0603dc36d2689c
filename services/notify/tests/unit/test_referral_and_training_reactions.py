"""What notify does with the referral and training services' events, through the worker's
own table over the in-memory store: which message, to whom, with which names."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from notify_fakes import NOON, Client, World, deliver

from notify.domain.model import Notification
from shared.contracts import referral as r
from shared.contracts import training as t

PHONE = "+6281299990000"


def _client(world: World) -> UUID:
    client_id = uuid4()
    world.store.clients[client_id] = Client("3273", phone=PHONE)
    world.store.clients[client_id].consents[uuid4()] = (["sms"], True)
    return client_id


def _sms(world: World, template: str | None) -> list[Notification]:
    return [m for m in world.messages(template) if m.channel == "sms"]


async def test_a_sent_referral_is_told_with_the_partner_s_names_kept_for_later() -> None:
    world = World()
    client_id, referral_id = _client(world), uuid4()
    await deliver(world, r.ReferralSent, client_id=client_id, referral_id=referral_id)
    [sms] = _sms(world, "referral_sent")
    assert sms.status == "scheduled"
    assert world.store.names[referral_id] == (
        sms.context["partner_name"],
        sms.context["product_name"],
    )
    assert len(world.uow.published) == 1


async def test_a_partner_s_answer_is_told_with_the_names_kept() -> None:
    world = World()
    client_id, referral_id = _client(world), uuid4()
    world.store.names[referral_id] = ("Bank Nusantara", "Tabungan")
    facts = {"client_id": client_id, "referral_id": referral_id}
    await deliver(world, r.ReferralAcknowledged, **facts)
    await deliver(world, r.ReferralDeclined, **facts)
    await deliver(world, r.ReferralWithdrawn, **facts)
    for template in ("referral_acknowledged", "referral_declined", "referral_withdrawn"):
        [sms] = _sms(world, template)
        assert sms.context == {"partner_name": "Bank Nusantara", "product_name": "Tabungan"}


async def test_only_an_opened_account_is_told_of_a_completed_referral() -> None:
    world = World()
    client_id = _client(world)
    await deliver(world, r.ReferralCompleted, client_id=client_id, outcome="loan_disbursed")
    assert world.messages() == []
    await deliver(world, r.ReferralCompleted, client_id=client_id, outcome="account_opened")
    [sms] = _sms(world, "referral_account_opened")
    assert sms.context["partner_name"] == r.ReferralCompleted.EXAMPLE["partner_code"]


async def test_an_sla_breach_alerts_the_province_and_the_referring_officer() -> None:
    world = World()
    await deliver(world, r.ReferralEscalated, referred_by="officer-7", region_code="3273")
    alerts = world.messages("sla_breach")
    assert {a.recipient for a in alerts} == {"supervisor:32", "officer:officer-7"}
    assert {a.channel for a in alerts} == {"email"}


async def test_an_overdue_erasure_alerts_the_province() -> None:
    world = World()
    await deliver(world, r.ReferralErasureOverdue, region_code="5171")
    [alert] = world.messages("erasure_overdue")
    assert alert.recipient == "supervisor:51"


# training


async def test_a_scheduled_session_is_remembered_and_a_move_is_told() -> None:
    world = World()
    session_id, client_id = uuid4(), _client(world)
    starts = NOON + timedelta(days=3)
    await deliver(world, t.SessionScheduled, session_id=session_id, starts_at=starts)
    assert world.store.sessions[session_id].upcoming.starts_at == starts
    world.store.places[(session_id, client_id)] = "enrolled"
    await deliver(
        world, t.SessionChanged, session_id=session_id, starts_at=starts + timedelta(days=1)
    )
    [sms] = _sms(world, "training_session_changed")
    assert sms.client_id == client_id
    assert world.store.sessions[session_id].upcoming.starts_at == starts + timedelta(days=1)


async def test_a_cancelled_session_is_told_to_its_enrolled_and_waiting() -> None:
    world = World()
    session_id = uuid4()
    enrolled, waiting, cancelled = _client(world), _client(world), _client(world)
    await deliver(world, t.SessionScheduled, session_id=session_id, programme_title="Literasi")
    world.store.places |= {
        (session_id, enrolled): "enrolled",
        (session_id, waiting): "waiting",
        (session_id, cancelled): "cancelled",
    }
    await deliver(world, t.SessionCancelled, session_id=session_id)
    told = _sms(world, "training_session_cancelled")
    assert {m.client_id for m in told} == {enrolled, waiting}
    assert {m.context["programme_title"] for m in told} == {"Literasi"}
    assert world.store.sessions[session_id].cancelled


async def test_a_place_is_told_and_remembered_and_an_officer_s_is_not() -> None:
    world = World()
    session_id, client_id = uuid4(), _client(world)
    starts = NOON + timedelta(days=2)
    place = {"session_id": session_id, "client_id": client_id, "starts_at": starts}
    await deliver(world, t.EnrolmentChanged, **place, change="waitlisted")
    await deliver(world, t.EnrolmentChanged, **place, change="promoted")
    await deliver(world, t.EnrolmentChanged, session_id=session_id, client_id=None)
    assert [m.template for m in world.messages() if m.channel == "sms"] == [
        "training_waitlisted",
        "training_promoted",
    ]
    assert world.store.places == {(session_id, client_id): "enrolled"}


async def test_a_place_taken_after_the_reminders_is_reminded_at_once() -> None:
    world = World()
    session_id, client_id = uuid4(), _client(world)
    starts = NOON + timedelta(hours=10)
    await deliver(world, t.SessionScheduled, session_id=session_id, starts_at=starts)
    world.store.sessions[session_id].reminded_for = starts
    await deliver(
        world,
        t.EnrolmentChanged,
        session_id=session_id,
        client_id=client_id,
        change="enrolled",
        changed_at=NOON,
        starts_at=starts,
    )
    assert [m.template for m in _sms(world, None)] == ["training_enrolled", "training_reminder"]


async def test_a_completed_training_is_congratulated_with_its_certificate() -> None:
    world = World()
    session_id, client_id = uuid4(), _client(world)
    await deliver(world, t.SessionScheduled, session_id=session_id, programme_title="Literasi")
    await deliver(world, t.TrainingCompleted, session_id=session_id, client_id=client_id)
    [sms] = _sms(world, "training_completed")
    assert sms.context == {
        "programme_title": "Literasi",
        "certificate_code": t.TrainingCompleted.EXAMPLE["certificate_code"],
    }
