"""An erased client's referrals: every partner told to erase, confirmations, escalations.

The handlers run on a fake unit of work with the real one's repositories' methods. Like the
database, each fake repository hands out copies: a change counts only once saved. What a
commit would write to the outbox is kept in `published`, translated by the real
`referral.adapters.publishing`. (The fake lives here: every service's `tests/unit` is the
package `unit` to pytest, so a helper module beside it would collide with another's.)
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar
from uuid import UUID, uuid4

import pytest

from referral.adapters import publishing
from referral.domain.catalogue import Partner
from referral.domain.demo_catalogue import BANK_NUSANTARA, DOMPET_RAKYAT
from referral.domain.erasure import PartnerErasure
from referral.domain.referral import IllegalTransition, Referral
from referral.service_layer import handlers
from shared.calendar import WorkingCalendar
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.errors import InvalidField
from shared.messaging.envelope import Envelope

T = TypeVar("T")


def _copy(value: T) -> T:
    return copy.deepcopy(value)


class FakeCatalogue:
    def __init__(self, partners: tuple[Partner, ...] = (BANK_NUSANTARA, DOMPET_RAKYAT)) -> None:
        self.rows = {p.code: p for p in partners}

    async def partners(self) -> list[Partner]:
        return list(self.rows.values())


class FakeProjections:
    """Client facts, consents and completed programmes, as rows naming their client."""

    def __init__(self) -> None:
        self.client_facts: dict[UUID, dict[str, Any]] = {}
        self.consents: dict[UUID, UUID] = {}  # consent id -> client id
        self.completed_trainings: set[tuple[UUID, str]] = set()

    def remember(self, client_id: UUID, consent_id: UUID, programme: str) -> None:
        self.client_facts[client_id] = {"kind": "worker", "birth_date": date(1990, 1, 1)}
        self.consents[consent_id] = client_id
        self.completed_trainings.add((client_id, programme))

    def knows(self, client_id: UUID) -> bool:
        return (
            client_id in self.client_facts
            or client_id in self.consents.values()
            or any(c == client_id for c, _ in self.completed_trainings)
        )

    async def forget_client(self, client_id: UUID) -> None:
        self.client_facts.pop(client_id, None)
        self.consents = {k: c for k, c in self.consents.items() if c != client_id}
        self.completed_trainings = {(c, p) for c, p in self.completed_trainings if c != client_id}


class FakeReferrals:
    def __init__(self) -> None:
        self.rows: dict[UUID, Referral] = {}

    def put(self, referral: Referral) -> None:
        referral.events.clear()
        self.rows[referral.id] = _copy(referral)

    async def save(self, referral: Referral) -> None:
        stored = _copy(referral)
        stored.events.clear()
        self.rows[referral.id] = stored

    async def get(
        self, referral_id: UUID, *, scope: Any = None, partner_code: str | None = None
    ) -> Referral | None:
        found = self.rows.get(referral_id)
        if found is None or (partner_code is not None and found.partner_code != partner_code):
            return None
        return _copy(found)

    async def not_erased_of_client(self, client_id: UUID) -> list[Referral]:
        return [
            _copy(r)
            for r in sorted(self.rows.values(), key=lambda r: r.id)
            if r.client_id == client_id and r.state != "erased"
        ]


class FakeErasures:
    def __init__(self) -> None:
        self.rows: dict[UUID, PartnerErasure] = {}

    async def add(self, erasure: PartnerErasure) -> None:
        self.rows.setdefault(erasure.referral_id, _copy(erasure))

    async def get(self, referral_id: UUID) -> PartnerErasure | None:
        found = self.rows.get(referral_id)
        return _copy(found) if found else None

    async def save(self, erasure: PartnerErasure) -> None:
        self.rows[erasure.referral_id] = _copy(erasure)

    async def unconfirmed_due_before(self, instant: datetime, limit: int) -> list[PartnerErasure]:
        due = [
            e
            for e in self.rows.values()
            if e.confirmed_at is None and e.escalated_at is None and e.erase_by < instant
        ]
        return [_copy(e) for e in sorted(due, key=lambda e: e.erase_by)[:limit]]


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.catalogue = FakeCatalogue()
        self.projections = FakeProjections()
        self.referrals = FakeReferrals()
        self.erasures = FakeErasures()
        self.published: list[tuple[str, Envelope]] = []
        self.commits = 0
        self._pending: list[tuple[str, Envelope]] = []
        self._tracked: list[Referral] = []

    async def __aenter__(self) -> Self:
        self._pending, self._tracked = [], []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pending, self._tracked = [], []

    def track(self, referral: Referral) -> None:
        self._tracked.append(referral)

    def announce(self, topic: str, envelope: Envelope) -> None:
        self._pending.append((topic, envelope))

    async def commit(self) -> None:
        for referral in self._tracked:
            for happened in referral.events:
                self._pending += publishing.envelopes(referral, happened)
            referral.events.clear()
        self.published += self._pending
        self._pending, self._tracked = [], []
        self.commits += 1

    def types_on(self, topic: str) -> list[str]:
        return [e.type for t, e in self.published if t == topic]


MONDAY = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)
ERASED_AT = MONDAY + timedelta(days=3)
ERASE_BY = ERASED_AT + timedelta(hours=72)
BANK = partner_contracts.topic_for("bank-nusantara")
WALLET = partner_contracts.topic_for("dompet-rakyat")


def _referral(client_id: UUID, partner: str, product: str, *steps: str) -> Referral:
    referral = Referral.send(
        client_id=client_id,
        region_code="3273",
        partner_code=partner,
        product_code=product,
        consent_id=uuid4(),
        fee_sheet_version="2026-01",
        options_shown=(),
        sent_by="siti",
        now=MONDAY,
        calendar=WorkingCalendar(frozenset()),
    )
    for step in steps:
        if step == "acknowledge":
            referral.acknowledge(MONDAY, external_ref="BN-7781")
        elif step == "complete":
            referral.complete(MONDAY, "account_opened")
        elif step == "withdraw":
            referral.withdraw(MONDAY, "consent_withdrawn")
    return referral


def _at(now: datetime) -> handlers.Context:
    """A context whose clock stands at `now`; no client service (these paths never call it)."""
    return handlers.Context(now=lambda: now, holidays=frozenset(), clients=None)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def _client_with_three_referrals(uow: FakeUnitOfWork) -> tuple[UUID, list[Referral]]:
    """An open referral and a completed one to the bank, a withdrawn one to the wallet."""
    client_id = uuid4()
    referrals = [
        _referral(client_id, "bank-nusantara", "savings-basic"),
        _referral(client_id, "bank-nusantara", "payroll-account", "acknowledge", "complete"),
        _referral(client_id, "dompet-rakyat", "ewallet-account", "withdraw"),
    ]
    for referral in referrals:
        uow.referrals.put(referral)
    uow.projections.remember(client_id, uuid4(), "literasi-dasar")
    return client_id, referrals


def _data(uow: FakeUnitOfWork, topic: str, event_type: str) -> list[dict[str, Any]]:
    return [e.data for t, e in uow.published if t == topic and e.type == event_type]


async def test_erasing_a_client_ends_every_referral_and_tells_each_partner_to_erase_in_72_hours(
    uow: FakeUnitOfWork,
) -> None:
    client_id, referrals = _client_with_three_referrals(uow)
    stranger, _ = _client_with_three_referrals(uow)

    erased = await handlers.erase_client_referrals(client_id, ERASED_AT, uow)

    assert erased == 3
    for referral in referrals:
        stored = uow.referrals.rows[referral.id]
        assert stored.state == "erased"
        assert stored.external_ref is None
    told_bank = _data(uow, BANK, partner_contracts.ReferralErased.TYPE)
    told_wallet = _data(uow, WALLET, partner_contracts.ReferralErased.TYPE)
    assert sorted(e["referral_id"] for e in told_bank) == sorted(str(r.id) for r in referrals[:2])
    assert [e["referral_id"] for e in told_wallet] == [str(referrals[2].id)]
    for event in told_bank + told_wallet:
        assert datetime.fromisoformat(event["erase_by"]) == ERASE_BY
        assert datetime.fromisoformat(event["erased_at"]) == ERASED_AT
        assert event["confirm_url"] == f"/api/partner/referrals/{event['referral_id']}/erased"
    requested = _data(
        uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureRequested.TYPE
    )
    assert sorted(e["partner_kind"] for e in requested) == ["bank", "bank", "e-money"]
    assert {e["client_id"] for e in requested} == {str(client_id)}
    assert not uow.projections.knows(client_id)
    assert uow.projections.knows(stranger)
    assert all(r.state != "erased" for r in uow.referrals.rows.values() if r.client_id == stranger)


async def test_an_erasure_announces_no_withdrawal_so_the_ministry_s_counts_stay_as_they_were(
    uow: FakeUnitOfWork,
) -> None:
    client_id, _ = _client_with_three_referrals(uow)

    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)

    assert set(uow.types_on(referral_contracts.TOPIC)) == {
        referral_contracts.ReferralErasureRequested.TYPE
    }
    assert set(uow.types_on(BANK)) | set(uow.types_on(WALLET)) == {
        partner_contracts.ReferralErased.TYPE
    }


async def test_the_same_erasure_arriving_again_changes_nothing(uow: FakeUnitOfWork) -> None:
    client_id, _ = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    published, erasures = list(uow.published), dict(uow.erasures.rows)

    again = await handlers.erase_client_referrals(client_id, ERASED_AT, uow)

    assert again == 0
    assert uow.published == published
    assert uow.erasures.rows == erasures


async def test_an_erased_referral_takes_no_answer_and_shows_no_applicant(
    uow: FakeUnitOfWork,
) -> None:
    client_id, referrals = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    erased = uow.referrals.rows[referrals[0].id]

    with pytest.raises(IllegalTransition):
        erased.acknowledge(ERASED_AT)
    with pytest.raises(IllegalTransition):
        erased.withdraw(ERASED_AT, "officer_withdrew")
    with pytest.raises(handlers.ApplicantGone):
        await handlers.applicant_for_partner("bank-nusantara", erased.id, uow, _at(ERASED_AT))


async def _erased(uow: FakeUnitOfWork) -> Referral:
    client_id, referrals = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    uow.published.clear()
    return referrals[0]


async def _confirm(
    uow: FakeUnitOfWork,
    referral: Referral,
    at: datetime,
    partner: str = "bank-nusantara",
    erased_at: datetime | None = None,
) -> PartnerErasure:
    command = handlers.ConfirmErasure(partner, referral.id, erased_at)
    return await handlers.confirm_erasure(command, uow, _at(at))


async def test_a_partner_confirms_once_and_a_second_confirmation_changes_nothing(
    uow: FakeUnitOfWork,
) -> None:
    referral = await _erased(uow)
    first_at = ERASED_AT + timedelta(hours=5)

    first = await _confirm(uow, referral, first_at, erased_at=first_at - timedelta(hours=1))
    second = await _confirm(uow, referral, first_at + timedelta(hours=1))

    assert first.confirmed_at == second.confirmed_at == first_at
    assert first.erased_at == second.erased_at == first_at - timedelta(hours=1)
    assert first.in_time is True and second.in_time is True
    [confirmed] = _data(
        uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureConfirmed.TYPE
    )
    assert confirmed["referral_id"] == str(referral.id)
    assert confirmed["in_time"] is True
    assert confirmed["partner_kind"] == "bank"
    assert datetime.fromisoformat(confirmed["requested_at"]) == ERASED_AT
    assert len(uow.published) == 1


async def test_a_confirmation_after_erase_by_is_recorded_as_late(uow: FakeUnitOfWork) -> None:
    referral = await _erased(uow)

    late = await _confirm(uow, referral, ERASE_BY + timedelta(seconds=1))

    assert late.in_time is False
    [confirmed] = _data(
        uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureConfirmed.TYPE
    )
    assert confirmed["in_time"] is False


async def test_another_partner_confirming_finds_no_such_referral(uow: FakeUnitOfWork) -> None:
    referral = await _erased(uow)

    with pytest.raises(handlers.NotFound):
        await _confirm(uow, referral, ERASED_AT, partner="dompet-rakyat")

    assert uow.erasures.rows[referral.id].confirmed_at is None
    assert uow.published == []


async def test_confirming_what_nobody_asked_to_erase_is_a_conflict(uow: FakeUnitOfWork) -> None:
    referral = _referral(uuid4(), "bank-nusantara", "savings-basic", "acknowledge")
    uow.referrals.put(referral)

    with pytest.raises(handlers.NoErasureRequested):
        await _confirm(uow, referral, ERASED_AT)

    assert uow.published == []


async def test_an_erasure_said_to_have_happened_in_the_future_is_refused_naming_the_field(
    uow: FakeUnitOfWork,
) -> None:
    referral = await _erased(uow)
    now = ERASED_AT + timedelta(hours=1)

    with pytest.raises(InvalidField) as refused:
        await _confirm(uow, referral, now, erased_at=now + timedelta(hours=1))

    assert refused.value.field == "erased_at"
    assert uow.erasures.rows[referral.id].confirmed_at is None
    # A partner's clock a minute ahead of ours is no mistake.
    accepted = await _confirm(uow, referral, now, erased_at=now + timedelta(minutes=1))
    assert accepted.confirmed_at == now


async def test_an_unconfirmed_erasure_escalates_once_after_its_deadline_and_only_internally(
    uow: FakeUnitOfWork,
) -> None:
    client_id, _ = _client_with_three_referrals(uow)
    await handlers.erase_client_referrals(client_id, ERASED_AT, uow)
    uow.published.clear()

    at_deadline = await handlers.escalate_overdue_erasures(uow, ERASE_BY)
    after = await handlers.escalate_overdue_erasures(uow, ERASE_BY + timedelta(seconds=1))
    again = await handlers.escalate_overdue_erasures(uow, ERASE_BY + timedelta(hours=1))

    assert (at_deadline, after, again) == (0, 3, 0)
    overdue = _data(uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureOverdue.TYPE)
    assert len(overdue) == 3
    assert {e["region_code"] for e in overdue} == {"3273"}
    assert uow.types_on(BANK) == [] and uow.types_on(WALLET) == []


async def test_a_confirmed_erasure_is_never_escalated(uow: FakeUnitOfWork) -> None:
    referral = await _erased(uow)
    await _confirm(uow, referral, ERASED_AT + timedelta(hours=1))
    uow.published.clear()

    escalated = await handlers.escalate_overdue_erasures(uow, ERASE_BY + timedelta(days=1))

    assert escalated == 2  # the client's two other referrals, not the confirmed one
    overdue = _data(uow, referral_contracts.TOPIC, referral_contracts.ReferralErasureOverdue.TYPE)
    assert str(referral.id) not in {e["referral_id"] for e in overdue}


def test_a_confirmation_after_an_escalation_is_still_recorded_but_late() -> None:
    referral = _referral(uuid4(), "bank-nusantara", "savings-basic")
    erasure = PartnerErasure.ask(referral, "bank", ERASED_AT)

    assert erasure.escalate_if_overdue(ERASE_BY + timedelta(minutes=1))
    assert erasure.confirm(ERASE_BY + timedelta(hours=2))

    assert erasure.in_time is False
    assert not erasure.escalate_if_overdue(ERASE_BY + timedelta(days=1))
