"""What notify does with the client service's events, through the worker's own table over
the in-memory store: who is remembered, who is welcomed (and announced), who is stopped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from notify_fakes import NOON, Client, World, deliver

from shared.contracts import client as c
from shared.contracts import notify as contracts

PHONE = "+6281299990000"


class FakeKeys:
    """Opens every sealed value as `opened[client_id]`; an erased client's key is gone."""

    def __init__(self) -> None:
        self.opened: dict[UUID, dict[str, Any]] = {}
        self.forgotten: list[UUID] = []

    async def prefetch(self, client_ids: Any) -> None:
        pass

    async def open(self, client_id: UUID, sealed: str) -> dict[str, Any] | None:
        return self.opened.get(client_id)

    def forget(self, client_id: UUID) -> None:
        self.forgotten.append(client_id)
        self.opened.pop(client_id, None)


def _consented(world: World, client_id: UUID, channels: list[str]) -> None:
    world.store.clients[client_id] = Client("3273", phone=PHONE, email="a@b.test")
    world.store.clients[client_id].consents[uuid4()] = (channels, True)


async def test_a_registration_of_before_sealing_is_remembered_with_its_contact() -> None:
    world = World()
    client_id = uuid4()
    await deliver(world, c.ClientRegistered, client_id=client_id, preferred_language="en")
    known = world.store.clients[client_id]
    assert (known.region_code, known.language, known.phone) == ("3273", "en", "+6281234567890")
    assert world.uow.published == []


async def test_a_sealed_registration_is_opened_with_the_client_s_key() -> None:
    keys = FakeKeys()
    world = World(keys=keys)
    client_id, erased = uuid4(), uuid4()
    keys.opened[client_id] = {
        "full_name": "Siti",
        "sex": "F",
        "birth_date": "1990-01-01",
        "disability": False,
        "contact": {"phone": PHONE, "email": "siti@example.test"},
    }
    await deliver(world, c.ClientRegisteredV2, client_id=client_id)
    await deliver(world, c.ClientRegisteredV2, client_id=erased)  # no key: not remembered
    assert world.store.clients[client_id].phone == PHONE
    assert world.store.clients[client_id].email == "siti@example.test"
    assert erased not in world.store.clients


async def test_changes_to_a_client_are_followed_sealed_or_not() -> None:
    keys = FakeKeys()
    world = World(keys=keys)
    client_id = uuid4()
    await deliver(world, c.ClientUpdated, client_id=client_id, region_code="5171")
    assert world.store.clients[client_id].region_code == "5171"
    keys.opened[client_id] = {"contact": {"phone": "+6281211112222", "email": None}}
    await deliver(world, c.ClientUpdatedV2, client_id=client_id, preferred_language="en")
    known = world.store.clients[client_id]
    assert (known.language, known.phone) == ("en", "+6281211112222")


async def test_the_first_notifications_consent_welcomes_the_client_once_and_announces_it() -> None:
    world = World()
    client_id = uuid4()
    world.store.clients[client_id] = Client("3273", phone=PHONE)
    grant: dict[str, Any] = {"client_id": client_id, "purpose": "notifications"}

    event = await deliver(world, c.ConsentGranted, **grant, channels=["sms"], consent_id=uuid4())
    await deliver(world, c.ConsentGranted, **grant, channels=["email"], consent_id=uuid4())
    await deliver(world, c.ConsentGranted, client_id=client_id, purpose="referral")

    welcome = world.messages("client_registered")
    assert {(m.channel, m.status, m.reason) for m in welcome} == {
        ("sms", "scheduled", None),
        ("whatsapp", "suppressed", "no_consent"),
        ("email", "suppressed", "no_consent"),
    }
    assert all(m.event_id == event.id for m in welcome)
    [(topic, scheduled)] = world.uow.published  # only the scheduled one is announced
    assert (topic, scheduled.type) == (contracts.TOPIC, contracts.NotificationScheduled.TYPE)
    assert scheduled.key == str(client_id)
    sms = next(m for m in welcome if m.channel == "sms")
    assert scheduled.subject == f"notification/{sms.id}"
    assert scheduled.data["answers_event_id"] == str(event.id)


async def test_a_withdrawn_notifications_consent_stops_the_channel() -> None:
    world = World()
    client_id, consent_id = uuid4(), uuid4()
    world.store.clients[client_id] = Client("3273", phone=PHONE)
    world.store.clients[client_id].consents[consent_id] = (["sms"], True)
    await deliver(
        world, c.ConsentWithdrawn, client_id=client_id, consent_id=consent_id, purpose="referral"
    )
    assert world.store.clients[client_id].consents[consent_id][1] is True
    await deliver(
        world,
        c.ConsentWithdrawn,
        client_id=client_id,
        consent_id=consent_id,
        purpose="notifications",
    )
    assert world.store.clients[client_id].consents[consent_id][1] is False


async def test_a_restricted_client_s_waiting_messages_are_suppressed() -> None:
    world = World()
    client_id = uuid4()
    _consented(world, client_id, ["sms"])
    await deliver(world, c.ConsentGranted, client_id=client_id, purpose="notifications")
    await deliver(world, c.ClientRestricted, client_id=client_id, restricted=True)
    assert {m.reason for m in world.messages() if m.channel == "sms"} == {"restricted"}
    assert world.store.clients[client_id].restricted


async def test_an_erased_client_is_forgotten_with_their_key() -> None:
    keys = FakeKeys()
    world = World(keys=keys)
    client_id = uuid4()
    _consented(world, client_id, ["sms"])
    await deliver(world, c.ConsentGranted, client_id=client_id, purpose="notifications")
    await deliver(world, c.ClientErased, client_id=client_id)
    assert client_id not in world.store.clients and keys.forgotten == [client_id]
    assert {(m.status, m.reason) for m in world.messages() if m.channel == "sms"} == {
        ("suppressed", "erased")
    }


async def test_a_breach_notice_goes_to_the_client_in_their_language() -> None:
    world = World()
    client_id = uuid4()
    _consented(world, client_id, ["sms", "email"])
    world.store.clients[client_id].language = "en"
    await deliver(world, c.BreachNoticeApproved, client_id=client_id, region_code="3273")
    notices = world.messages("breach_notice")
    assert {m.language for m in notices} == {"en"}
    assert {m.channel for m in notices if m.status == "scheduled"} == {"sms", "email"}
    assert len(world.uow.published) == 2


async def test_a_late_breach_alerts_the_administrators_at_night_too() -> None:
    world = World(now=NOON + timedelta(hours=12))  # 22:00 in Jakarta
    await deliver(world, c.BreachEscalated)
    [alert] = world.messages("breach_escalated")
    assert (alert.recipient, alert.channel, alert.client_id) == ("administrators", "email", None)
    assert alert.not_before == world.now
    assert world.uow.published == []  # staff alerts are not announced on the timeline
