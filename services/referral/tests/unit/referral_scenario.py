"""The set-up referral's handler tests share: a clock standing still, officers and partners,
the bus over a fake unit of work, a client the projections know, and referrals in a state."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from referral_fakes import FakeAccess, FakeClients, FakeReferralUow

from referral.domain.referral import Referral
from referral.service_layer.bus import COMMAND_HANDLERS
from referral.service_layer.handlers import Context
from referral.service_layer.onboarding import Provisioning
from referral.service_layer.reactions import REACTIONS
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.contracts import Contract
from shared.messagebus import MessageBus
from shared.messaging.envelope import Envelope

# Monday 21 December 2026, 10:00 WIB.
MONDAY = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)
SITI = Principal("siti", "siti", None, frozenset({"officer"}), "3273", None)
EKO = Principal("eko", "eko", None, frozenset({"officer"}), "3578", None)
BANK_STAFF = Principal("bn", "bn", None, frozenset({"partner"}), None, "bank-nusantara")


class FakeKeys:
    """The data keys of clients: each client's sealed values, opened as they are."""

    def __init__(self) -> None:
        self.values: dict[UUID, dict[str, Any]] = {}
        self.forgotten: list[UUID] = []

    async def prefetch(self, client_ids: Any) -> None:
        pass

    async def open(self, client_id: UUID, sealed: str) -> dict[str, Any] | None:
        return self.values.get(client_id)

    def forget(self, client_id: UUID) -> None:
        self.forgotten.append(client_id)
        self.values.pop(client_id, None)


def context(clients: FakeClients | None = None, now: datetime = MONDAY) -> Context:
    return Context(now=lambda: now, holidays=frozenset(), clients=clients or FakeClients())  # type: ignore[arg-type]


def bus_over(
    uow: FakeReferralUow,
    clients: FakeClients | None = None,
    access: FakeAccess | None = None,
    keys: FakeKeys | None = None,
    now: datetime = MONDAY,
    dev: bool = False,
) -> MessageBus[FakeReferralUow]:
    """Referral's own tables, every message handled in `uow` at `now`."""
    return MessageBus(
        commands=COMMAND_HANDLERS,
        events=REACTIONS,
        uow=lambda: uow,
        joining=lambda session: uow,
        dependencies={
            "ctx": context(clients, now),
            "provisioning": Provisioning(access or FakeAccess(), dev=dev),  # type: ignore[arg-type]
            "keys": keys or FakeKeys(),
        },
    )


async def deliver(bus: MessageBus[FakeReferralUow], event: Contract) -> None:
    """As the worker would: the event as a CloudEvent through the consumer's table."""
    envelope = Envelope(
        type=event.TYPE, source="/services/client", subject="s", key="k", data=event.to_data()
    )
    await bus.consumer_tables()[event.TOPIC][event.TYPE](None, envelope)  # type: ignore[arg-type]


def known_client(
    uow: FakeReferralUow,
    partner_code: str = "bank-nusantara",
    *,
    kind: str = "worker",
    region_code: str = "3273",
    consent: bool = True,
    **facts: Any,
) -> UUID:
    """A client the projections know (an adult worker in Bandung by default), with a live
    referral consent to `partner_code` unless `consent` is False."""
    client_id = uuid4()
    uow.projections.client_facts[client_id] = {
        "kind": kind,
        "region_code": region_code,
        "birth_date": date(1990, 1, 1),
        "has_nib": False,
        "restricted": False,
        **facts,
    }
    if consent:
        uow.projections.consents[uuid4()] = {
            "client_id": client_id,
            "partner_code": partner_code,
            "scope": ("contact",),
            "granted_at": MONDAY,
            "withdrawn_at": None,
        }
    return client_id


def a_referral(
    client_id: UUID | None = None,
    partner: str = "bank-nusantara",
    product: str = "savings-basic",
    *steps: str,
    region_code: str = "3273",
    now: datetime = MONDAY,
) -> Referral:
    """A referral sent at `now`, moved through `steps` (acknowledge, complete, withdraw)."""
    referral = Referral.send(
        client_id=client_id or uuid4(),
        region_code=region_code,
        partner_code=partner,
        product_code=product,
        consent_id=uuid4(),
        fee_sheet_version="2026-01",
        options_shown=(),
        sent_by="siti",
        now=now,
        calendar=WorkingCalendar(frozenset()),
    )
    for step in steps:
        if step == "acknowledge":
            referral.acknowledge(now, external_ref="BN-7781")
        elif step == "complete":
            referral.complete(now, "account_opened")
        elif step == "withdraw":
            referral.withdraw(now, "consent_withdrawn")
    return referral
