"""How the read model follows the events: one reaction per event type, in the bus's table.

Each reaction is `reaction(event, uow[, holidays][, keys])` on the message bus: the bus decodes
the event once, through its contract, and gives a unit of work joined to the inbox's
transaction, so the rows and the inbox commit together. What a row holds is decided here;
how it is written (keyed by id, so an event applied twice changes nothing) is the read model's
(adapters/read_model.py). Months and days are taken in the region's own zone (WIB, WITA or
WIT).

`consumed(holidays, keys)` hands the worker, per topic, the bus's routing table applied one
event after another inside the batch's transaction, with the data keys of a batch's sealed
events fetched in one call first: the batches are what they were before the bus.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import replace
from datetime import date, datetime

from indicators.adapters.read_model import (
    AnsweredFollowUp,
    AskedErasure,
    CompletedTraining,
    CountedClient,
    ReferralStep,
    SentReferral,
)
from indicators.domain.cells import age_band
from indicators.service_layer.unit_of_work import IndicatorsUnitOfWork
from shared.calendar import local_now, working_days_between
from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messagebus import AnyHandler, MessageBus
from shared.messaging.consumer import BatchReaction, one_after_another
from shared.sealing import Opener, opened, prefetching

Holidays = Container[date]
# referral states and how far each is along: a late or repeated event never moves one back
RANK = {"sent": 1, "acknowledged": 2, "completed": 3, "declined": 3, "withdrawn": 3, "expired": 3}


def _month(at: datetime, region_code: str) -> str:
    return local_now(region_code, at).strftime("%Y-%m")


async def _count(
    uow: IndicatorsUnitOfWork,
    event: client_contracts.ClientRegistered | client_contracts.ClientRegisteredV2,
    personal: client_contracts.RegisteredPersonal | client_contracts.ClientRegistered,
) -> None:
    registered_on = local_now(event.region_code, event.registered_at).date()
    counted = CountedClient(
        client_id=event.client_id,
        region_code=event.region_code,
        kind=event.kind,
        sex=personal.sex,
        age_band=age_band(personal.birth_date, registered_on),
        disability=personal.disability,
        month=_month(event.registered_at, event.region_code),
    )
    async with uow:
        await uow.projection.count_client(counted)
        await uow.commit()


async def count_registration(
    event: client_contracts.ClientRegistered, uow: IndicatorsUnitOfWork
) -> None:
    """A registration of before the person's values were sealed (still on the topic)."""
    await _count(uow, event, event)


async def count_sealed_registration(
    event: client_contracts.ClientRegisteredV2, uow: IndicatorsUnitOfWork, keys: Opener
) -> None:
    """Sex, age band and disability are opened with the client's key and kept only as the
    categories the indicators count. A client erased before this was counted (no key) is
    not counted; one erased afterwards stays counted (the figures do not change)."""
    personal = await opened(
        keys, event.client_id, event.sealed, client_contracts.RegisteredPersonal
    )
    if personal is not None:
        await _count(uow, event, personal)


async def forget_merged_duplicate(
    event: client_contracts.ClientMerged, uow: IndicatorsUnitOfWork
) -> None:
    """A duplicate merged into its original was one person registered twice: count one."""
    async with uow:
        await uow.projection.forget_client(event.merged_client_id)
        await uow.commit()


async def count_follow_up_answer(
    event: client_contracts.FollowUpAnswered, uow: IndicatorsUnitOfWork
) -> None:
    """An answered account follow-up, counted in the month of its day. An answer given again
    (the officer corrected it) replaces the earlier one. The answers of an erased client stay,
    as their registration does; those of a client never counted, or merged into another,
    count nowhere (the query reads the sex from the counted clients)."""
    answered = AnsweredFollowUp(
        task_id=event.task_id,
        client_id=event.client_id,
        region_code=event.region_code,
        days=event.days,
        due_on=event.due_on,
        month=event.due_on.strftime("%Y-%m"),
        account_in_own_name=event.account_in_own_name,
        account_in_use=event.account_in_use,
        answered_at=event.answered_at,
    )
    async with uow:
        await uow.projection.keep_follow_up(answered)
        await uow.commit()


async def count_referral(event: referral_contracts.ReferralSent, uow: IndicatorsUnitOfWork) -> None:
    sent = SentReferral(
        referral_id=event.referral_id,
        client_id=event.client_id,
        region_code=event.region_code,
        partner_code=event.partner_code,
        partner_kind=event.partner_kind or "unknown",
        product_code=event.product_code,
        state="sent",
        state_rank=RANK["sent"],
        month=_month(event.sent_at, event.region_code),
        sent_on=local_now(event.region_code, event.sent_at).date().isoformat(),
        updated_at=event.sent_at,
    )
    async with uow:
        await uow.projection.add_referral(sent)
        await uow.commit()


def _working_days(sent_on: str, region_code: str, at: datetime, holidays: Holidays) -> int:
    """Working days from the day sent to `at`'s day, in the region's zone and calendar."""
    return working_days_between(
        date.fromisoformat(sent_on), local_now(region_code, at).date(), holidays
    )


async def _advance(
    uow: IndicatorsUnitOfWork,
    holidays: Holidays,
    facts: referral_contracts.ReferralFacts | referral_contracts.ReferralCompleted,
    state: str,
    at: datetime,
    outcome: str | None = None,
) -> None:
    """Move the referral to `state` unless it is already as far along (or unknown)."""
    async with uow:
        progress = await uow.projection.referral_progress(facts.referral_id)
        if progress is None or progress.state_rank >= RANK[state]:
            return  # not sent in our view (cannot happen in partition order), or already further
        step = ReferralStep(state, RANK[state], at)
        if state == "acknowledged":
            days = _working_days(progress.sent_on, facts.region_code, at, holidays)
            step = replace(step, working_days_to_acknowledge=days)
        if state in ("completed", "declined"):
            days = _working_days(progress.sent_on, facts.region_code, at, holidays)
            step = replace(step, outcome=outcome or state, working_days_to_outcome=days)
        await uow.projection.advance_referral(facts.referral_id, step)
        await uow.commit()


async def follow_acknowledgement(
    event: referral_contracts.ReferralAcknowledged, uow: IndicatorsUnitOfWork, holidays: Holidays
) -> None:
    await _advance(uow, holidays, event, "acknowledged", event.acknowledged_at)


async def follow_completion(
    event: referral_contracts.ReferralCompleted, uow: IndicatorsUnitOfWork, holidays: Holidays
) -> None:
    await _advance(uow, holidays, event, "completed", event.completed_at, event.outcome)


async def follow_decline(
    event: referral_contracts.ReferralDeclined, uow: IndicatorsUnitOfWork, holidays: Holidays
) -> None:
    await _advance(uow, holidays, event, "declined", event.declined_at)


async def follow_withdrawal(
    event: referral_contracts.ReferralWithdrawn, uow: IndicatorsUnitOfWork, holidays: Holidays
) -> None:
    state = "expired" if event.reason == "expired" else "withdrawn"
    await _advance(uow, holidays, event, state, event.withdrawn_at)


def _asked(
    event: referral_contracts.ReferralErasureRequested
    | referral_contracts.ReferralErasureConfirmed
    | referral_contracts.ReferralErasureOverdue,
) -> AskedErasure:
    return AskedErasure(
        referral_id=event.referral_id,
        region_code=event.region_code,
        partner_kind=event.partner_kind,
        month=_month(event.requested_at, event.region_code),
        erase_by=event.erase_by,
    )


async def count_erasure_request(
    event: referral_contracts.ReferralErasureRequested, uow: IndicatorsUnitOfWork
) -> None:
    """A partner was asked to erase an erased client's applicant; counted in the month asked."""
    async with uow:
        await uow.projection.ask_erasure(_asked(event))
        await uow.commit()


async def follow_erasure_confirmation(
    event: referral_contracts.ReferralErasureConfirmed, uow: IndicatorsUnitOfWork
) -> None:
    """The partner confirmed: in time or not. The first confirmation stands, as it does for
    the referral service."""
    async with uow:
        await uow.projection.confirm_erasure(_asked(event), event.confirmed_at, event.in_time)
        await uow.commit()


async def follow_erasure_overdue(
    event: referral_contracts.ReferralErasureOverdue, uow: IndicatorsUnitOfWork
) -> None:
    """No confirmation by `erase_by`: the erasure counts as late even before one comes."""
    async with uow:
        await uow.projection.erasure_overdue(_asked(event))
        await uow.commit()


async def count_completed_training(
    event: training_contracts.TrainingCompleted, uow: IndicatorsUnitOfWork
) -> None:
    if event.client_id is None:
        return  # officers' own trainings are not an inclusion indicator
    completed = CompletedTraining(
        session_id=event.session_id,
        client_id=event.client_id,
        region_code=event.region_code,
        programme_code=event.programme_code,
        knowledge_gain=event.knowledge_gain,
        month=_month(event.completed_at, event.region_code),
    )
    async with uow:
        await uow.projection.add_training(completed)
        await uow.commit()


REACTIONS: Mapping[type[Contract], AnyHandler] = {
    client_contracts.ClientRegistered: count_registration,
    client_contracts.ClientRegisteredV2: count_sealed_registration,
    client_contracts.ClientMerged: forget_merged_duplicate,
    client_contracts.FollowUpAnswered: count_follow_up_answer,
    referral_contracts.ReferralSent: count_referral,
    referral_contracts.ReferralAcknowledged: follow_acknowledgement,
    referral_contracts.ReferralCompleted: follow_completion,
    referral_contracts.ReferralDeclined: follow_decline,
    referral_contracts.ReferralWithdrawn: follow_withdrawal,
    referral_contracts.ReferralErasureRequested: count_erasure_request,
    referral_contracts.ReferralErasureConfirmed: follow_erasure_confirmation,
    referral_contracts.ReferralErasureOverdue: follow_erasure_overdue,
    training_contracts.TrainingCompleted: count_completed_training,
}


def consumed(holidays: Holidays, keys: Opener) -> dict[str, BatchReaction]:
    """The worker's routing table, each reaction given the holiday calendar and the data
    keys it names; sealed values opened with `keys`."""
    bus = MessageBus[IndicatorsUnitOfWork](
        events=REACTIONS,
        joining=IndicatorsUnitOfWork.joining,
        dependencies={"holidays": holidays, "keys": keys},
    )
    return {
        topic: prefetching(keys, one_after_another(table))
        for topic, table in bus.consumer_tables().items()
    }
