"""The read model follows each event type the worker routes, delivered as the worker delivers
them: a topic's events as one batch, decoded once by the bus, applied one after another in the
inbox's unit of work, announcing nothing."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from indicators_fakes import FakeIndicatorsUow, FakeKeys, bus_over, deliver, event

from indicators.adapters.read_model import AnsweredFollowUp, CountedClient
from indicators.service_layer.projections import REACTIONS, consumed
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts

REFERRAL = UUID(referral_contracts.ReferralSent.EXAMPLE["referral_id"])
CLIENT = UUID(client_contracts.ClientRegistered.EXAMPLE["client_id"])


def test_the_worker_routes_every_reaction_by_topic_in_batches() -> None:
    keys = FakeKeys()
    routed = consumed(frozenset(), keys)
    assert {topic: set(reaction.types) for topic, reaction in routed.items()} == {
        topic: {c.TYPE for c in REACTIONS if topic == c.TOPIC}
        for topic in (client_contracts.TOPIC, referral_contracts.TOPIC, training_contracts.TOPIC)
    }
    assert len(REACTIONS) == 13


async def test_count_registration_keeps_categories_once() -> None:
    uow = FakeIndicatorsUow()
    registered = event(client_contracts.ClientRegistered, registered_at="2026-11-30T18:00:00Z")
    await deliver(bus_over(uow), registered, registered)
    assert uow.model.clients_ == {
        CLIENT: CountedClient(CLIENT, "3273", "worker", "M", "35-44", False, "2026-12")
    }  # 01:00 WIB on 1 December: a December registration
    assert uow.published == [] and uow.commits == 2


async def test_count_sealed_registration_opens_the_values_and_skips_the_erased() -> None:
    uow, keys = FakeIndicatorsUow(), FakeKeys()
    known, erased = uuid4(), uuid4()
    keys.values[known] = {
        "full_name": "Siti Aminah",
        "sex": "F",
        "birth_date": "2005-01-01",
        "disability": True,
        "contact": client_contracts.ClientRegistered.EXAMPLE["contact"],
    }
    events = [
        event(client_contracts.ClientRegisteredV2, client_id=str(who)) for who in (known, erased)
    ]
    await deliver(bus_over(uow, keys), *events, keys=keys)
    assert uow.model.clients_ == {
        known: CountedClient(known, "3273", "worker", "F", "15-24", True, "2026-11")
    }
    assert keys.prefetched == [[known, erased]]  # one call for the batch


async def test_forget_merged_duplicate_counts_one_person() -> None:
    uow = FakeIndicatorsUow()
    bus = bus_over(uow)
    duplicate = client_contracts.ClientMerged.EXAMPLE["merged_client_id"]
    await deliver(
        bus,
        event(client_contracts.ClientRegistered),
        event(client_contracts.ClientRegistered, client_id=duplicate),
    )
    await deliver(bus, event(client_contracts.ClientMerged))
    assert set(uow.model.clients_) == {CLIENT}


async def test_count_follow_up_answer_in_the_month_of_its_day_the_last_answer_standing() -> None:
    uow = FakeIndicatorsUow()
    task = uuid4()
    first = event(client_contracts.FollowUpAnswered, task_id=str(task), account_in_use=True)
    corrected = event(
        client_contracts.FollowUpAnswered,
        task_id=str(task),
        account_in_use=False,
        answered_at="2027-03-09T02:00:00Z",
    )
    await deliver(bus_over(uow), first, corrected)
    [kept] = uow.model.follow_ups_.values()
    assert kept == AnsweredFollowUp(
        task, CLIENT, "3273", 90, date(2027, 3, 6), "2027-03", True, False, corrected.answered_at
    )


async def test_count_referral_once_as_sent() -> None:
    uow = FakeIndicatorsUow()
    sent = event(referral_contracts.ReferralSent, partner_kind=None)
    await deliver(bus_over(uow), sent, sent)
    row = uow.model.referrals_[REFERRAL]
    assert (row["state"], row["state_rank"], row["partner_kind"]) == ("sent", 1, "unknown")
    assert (row["month"], row["sent_on"]) == ("2026-11", "2026-11-30")


async def test_follow_acknowledgement_counts_working_days_in_the_regions_calendar() -> None:
    uow = FakeIndicatorsUow()
    acknowledged = event(
        referral_contracts.ReferralAcknowledged, acknowledged_at="2026-12-03T03:00Z"
    )
    bus = bus_over(uow, holidays=frozenset({date(2026, 12, 1)}))
    await deliver(bus, event(referral_contracts.ReferralSent), acknowledged)
    row = uow.model.referrals_[REFERRAL]
    assert (row["state"], row["working_days_to_acknowledge"]) == ("acknowledged", 2)
    assert row["outcome"] is None


async def test_follow_completion_records_the_outcome_and_never_moves_back() -> None:
    uow = FakeIndicatorsUow()
    await deliver(
        bus_over(uow),
        event(referral_contracts.ReferralSent),
        event(referral_contracts.ReferralAcknowledged),
        event(referral_contracts.ReferralCompleted),
        event(referral_contracts.ReferralAcknowledged, acknowledged_at="2026-12-08T03:00Z"),
    )
    row = uow.model.referrals_[REFERRAL]
    assert (row["state"], row["outcome"], row["working_days_to_outcome"]) == (
        "completed",
        "account_opened",
        5,
    )
    assert row["working_days_to_acknowledge"] == 1  # kept from before, not overwritten


async def test_follow_decline_is_an_outcome_of_its_own() -> None:
    uow = FakeIndicatorsUow()
    await deliver(
        bus_over(uow),
        event(referral_contracts.ReferralSent),
        event(referral_contracts.ReferralDeclined),
    )
    row = uow.model.referrals_[REFERRAL]
    assert (row["state"], row["outcome"], row["working_days_to_outcome"]) == (
        "declined",
        "declined",
        3,
    )


async def test_follow_withdrawal_tells_an_expiry_from_a_withdrawal() -> None:
    uow = FakeIndicatorsUow()
    other = uuid4()
    await deliver(
        bus_over(uow),
        event(referral_contracts.ReferralSent),
        event(referral_contracts.ReferralSent, referral_id=str(other)),
        event(referral_contracts.ReferralWithdrawn),
        event(referral_contracts.ReferralWithdrawn, referral_id=str(other), reason="expired"),
        event(referral_contracts.ReferralWithdrawn, referral_id=str(uuid4())),  # never sent
    )
    states = {k: (r["state"], r["outcome"]) for k, r in uow.model.referrals_.items()}
    assert states == {REFERRAL: ("withdrawn", None), other: ("expired", None)}


async def test_count_erasure_request_in_the_month_asked() -> None:
    uow = FakeIndicatorsUow()
    asked = event(referral_contracts.ReferralErasureRequested, requested_at="2026-12-31T18:00Z")
    await deliver(bus_over(uow), asked, asked)
    [row] = uow.model.erasures_.values()
    assert (row["month"], row["in_time"], row["overdue"]) == ("2027-01", None, False)


async def test_follow_erasure_confirmation_the_first_one_stands() -> None:
    uow = FakeIndicatorsUow()
    await deliver(
        bus_over(uow),
        event(referral_contracts.ReferralErasureConfirmed),  # before its request: kept whole
        event(referral_contracts.ReferralErasureRequested),
        event(referral_contracts.ReferralErasureConfirmed, in_time=False),
    )
    [row] = uow.model.erasures_.values()
    assert (row["month"], row["in_time"], row["overdue"]) == ("2026-12", True, False)


async def test_follow_erasure_overdue_marks_it_late_even_unconfirmed() -> None:
    uow = FakeIndicatorsUow()
    await deliver(
        bus_over(uow),
        event(referral_contracts.ReferralErasureOverdue),
        event(referral_contracts.ReferralErasureConfirmed, in_time=False),
    )
    [row] = uow.model.erasures_.values()
    assert (row["in_time"], row["overdue"]) == (False, True)


async def test_count_completed_training_of_clients_only() -> None:
    uow = FakeIndicatorsUow()
    completed = event(training_contracts.TrainingCompleted)
    officers = event(
        training_contracts.TrainingCompleted,
        session_id=str(uuid4()),
        participant_kind="officer",
        client_id=None,
        officer_id="officer-1",
    )
    await deliver(bus_over(uow), completed, completed, officers)
    [row] = uow.model.trainings_.values()
    assert (row.client_id, row.knowledge_gain, row.month) == (CLIENT, 35, "2026-12")
