"""Notify's commands through its bus over the in-memory unit of work: the message log in
the caller's region, previews and their refusals, delivery reports and STOP replies, with
what each would write to the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from notify_fakes import NOON, Client, World

from notify.domain.model import Notification
from notify.domain.webhooks import SignedWebhook
from notify.service_layer.commands import (
    ListNotifications,
    PreviewMessage,
    ReceiveReply,
    RecordDelivery,
)
from shared.auth import RegionScope
from shared.contracts import notify as contracts
from shared.errors import InvalidField

PHONE = "+6281299990000"


def _sent(world: World, region_code: str = "3273", provider_id: str = "pm-1") -> Notification:
    n = Notification.plan(
        event_id=uuid4(),
        recipient="client:x",
        client_id=uuid4(),
        region_code=region_code,
        template="client_registered",
        language="id",
        channel="sms",
        context={},
        refusal=None,
        not_before=NOON,
    )
    n.status, n.provider_message_id, n.created_at = "sent", provider_id, NOON
    world.store.messages[n.id] = n
    return n


def _webhook(webhook_id: str = "wh_1", at: datetime = NOON) -> SignedWebhook:
    return SignedWebhook(webhook_id=webhook_id, signed_at=at)


# the message log


async def test_a_client_s_messages_are_listed_in_the_caller_s_region_only() -> None:
    world = World()
    message = _sent(world, region_code="3273")
    assert message.client_id is not None
    mine = ListNotifications(message.client_id, RegionScope("32"), 100, None)
    theirs = ListNotifications(message.client_id, RegionScope("51"), 100, None)

    [row] = await world.bus.handle(mine)
    assert row["id"] == message.id and row["status"] == "sent"
    assert await world.bus.handle(theirs) == []
    assert world.uow.published == []


# previews


async def test_a_preview_renders_the_template_with_its_sms_cost() -> None:
    world = World()
    shown = await world.bus.handle(PreviewMessage("client_registered", "en", None))
    assert shown.text.startswith("Jembatan:")
    assert shown.encoding == "GSM-7" and shown.sms_segments == 1
    assert shown.characters == len(shown.text)


@pytest.mark.parametrize(
    ("template", "context", "field", "message"),
    [
        ("no_such_template", None, "template", "is not a message template"),
        (
            "referral_sent",
            {"partner_name": "Bank", "product_name": PHONE},
            "context",
            "must not contain a NIK or a phone number",
        ),
    ],
)
async def test_a_preview_it_cannot_make_names_the_field(
    template: str, context: dict[str, str] | None, field: str, message: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        await World().bus.handle(PreviewMessage(template, "id", context))
    assert (refused.value.field, refused.value.message) == (field, message)
    assert refused.value.detail is None  # the default detail of a 422


async def test_a_preview_missing_a_variable_says_which() -> None:
    with pytest.raises(InvalidField) as refused:
        await World().bus.handle(PreviewMessage("referral_sent", "id", {"partner_name": "B"}))
    assert refused.value.field == "context" and "product_name" in refused.value.message


# delivery reports


async def test_a_delivery_report_moves_the_message_and_announces_it() -> None:
    world = World()
    message = _sent(world)
    at = NOON + timedelta(seconds=4)

    recorded = await world.bus.handle(RecordDelivery("sms-co", _webhook(), "pm-1", "delivered", at))

    assert recorded == "recorded"
    assert world.store.messages[message.id].status == "delivered"
    [(topic, envelope)] = world.uow.published
    assert (topic, envelope.type) == (contracts.TOPIC, contracts.NotificationDelivered.TYPE)
    assert envelope.key == str(message.client_id)
    assert envelope.subject == f"client/{message.client_id}"
    assert envelope.data["delivered_at"] == at.isoformat().replace("+00:00", "Z")


async def test_the_same_webhook_again_changes_nothing() -> None:
    world = World()
    _sent(world)
    first = RecordDelivery("sms-co", _webhook(), "pm-1", "delivered", NOON)
    await world.bus.handle(first)
    again = RecordDelivery("sms-co", _webhook(), "pm-1", "failed", NOON, "provider_reported_failed")

    assert await world.bus.handle(again) == "duplicate"
    assert len(world.uow.published) == 1 and world.uow.commits == 2


async def test_a_report_that_would_go_backwards_or_names_no_message_is_unchanged() -> None:
    world = World()
    message = _sent(world)
    message.status = "delivered"
    late_failure = RecordDelivery("sms-co", _webhook("wh_2"), "pm-1", "failed", NOON, "x")
    unknown = RecordDelivery("sms-co", _webhook("wh_3"), "pm-nobody", "delivered", NOON)

    assert await world.bus.handle(late_failure) == "unchanged"
    assert await world.bus.handle(unknown) == "unchanged"
    assert world.store.messages[message.id].status == "delivered"
    assert world.uow.published == []
    # committed all the same: the ids are remembered, so a retry is a duplicate
    assert set(world.store.webhooks) == {("sms-co", "wh_2"), ("sms-co", "wh_3")}
    assert world.uow.commits == 2


async def test_a_failure_report_is_recorded_and_not_announced() -> None:
    world = World()
    message = _sent(world)
    failed = RecordDelivery("sms-co", _webhook(), "pm-1", "failed", NOON, "provider_reported_x")

    assert await world.bus.handle(failed) == "recorded"
    assert world.store.messages[message.id].reason == "provider_reported_x"
    assert world.uow.published == []


# clients' replies


def _two_clients_on_one_phone(world: World) -> list[object]:
    ids = [uuid4(), uuid4()]
    world.store.clients[ids[0]] = Client("3273", phone=PHONE)
    world.store.clients[ids[1]] = Client("5171", phone=PHONE)
    world.store.clients[uuid4()] = Client("3273", phone="+6281200000000")
    return ids


async def test_stop_opts_out_every_client_with_that_number() -> None:
    world = World()
    ids = _two_clients_on_one_phone(world)
    signed = datetime(2026, 12, 10, 3, 0, 0, tzinfo=UTC)
    reply = ReceiveReply("sms-co", _webhook(at=signed), PHONE, "sms", " stop ", None)

    assert await world.bus.handle(reply) == 2

    assert [t for t, _ in world.uow.published] == [contracts.TOPIC, contracts.TOPIC]
    opted = [e for _, e in world.uow.published]
    assert [e.type for e in opted] == [contracts.OptedOut.TYPE] * 2
    assert [e.key for e in opted] == [str(i) for i in ids]
    assert [e.data["region_code"] for e in opted] == ["3273", "5171"]
    # no time from the provider: the end of the second the signature names
    assert {e.data["received_at"] for e in opted} == {"2026-12-10T03:00:01Z"}


async def test_stop_is_dated_by_the_provider_but_never_after_the_signature() -> None:
    world = World()
    _two_clients_on_one_phone(world)
    early = NOON - timedelta(minutes=2)
    late = NOON + timedelta(minutes=2)
    await world.bus.handle(ReceiveReply("p", _webhook("a"), PHONE, "sms", "BERHENTI", early))
    await world.bus.handle(ReceiveReply("p", _webhook("b"), PHONE, "whatsapp", "STOP", late))

    times = [e.data["received_at"] for _, e in world.uow.published]
    assert times == ["2026-12-10T02:58:00Z"] * 2 + ["2026-12-10T03:00:01Z"] * 2
    assert [e.data["channel"] for _, e in world.uow.published][2:] == ["whatsapp"] * 2


async def test_another_reply_or_the_same_webhook_again_opts_nobody_out() -> None:
    world = World()
    _two_clients_on_one_phone(world)
    hello = ReceiveReply("p", _webhook("a"), PHONE, "sms", "terima kasih", None)
    stop_again = ReceiveReply("p", _webhook("a"), PHONE, "sms", "STOP", None)

    assert await world.bus.handle(hello) == 0
    assert await world.bus.handle(stop_again) == 0
    assert world.uow.published == [] and world.uow.commits == 2
