"""How the read model follows the events: one reaction per event type, in a table.

Every write is keyed by the id of what it describes (client, referral, completion,
follow-up), so the same event applied twice changes nothing — besides the inbox, which
already skips it. Months and days are taken in the region's own zone (WIB, WITA or WIT).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Container
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from indicators.adapters import orm
from indicators.domain.cells import age_band
from shared.calendar import local_now, working_days_between
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import BatchReaction, Handler, one_after_another
from shared.messaging.envelope import Envelope
from shared.sealing import Opener, opened, prefetching

Holidays = Container[date]
Reaction = Callable[[AsyncSession, Holidays, Envelope], Awaitable[None]]
# referral states and how far each is along: a late or repeated event never moves one back
_RANK = {"sent": 1, "acknowledged": 2, "completed": 3, "declined": 3, "withdrawn": 3, "expired": 3}


def _month(at: datetime, region_code: str) -> str:
    return local_now(region_code, at).strftime("%Y-%m")


async def _count(
    session: AsyncSession,
    client_id: UUID,
    region_code: str,
    kind: str,
    registered_at: datetime,
    personal: client_contracts.RegisteredPersonal | client_contracts.ClientRegistered,
) -> None:
    await session.execute(
        insert(orm.clients)
        .values(
            client_id=client_id,
            region_code=region_code,
            kind=kind,
            sex=personal.sex,
            age_band=age_band(personal.birth_date, local_now(region_code, registered_at).date()),
            disability=personal.disability,
            month=_month(registered_at, region_code),
        )
        .on_conflict_do_nothing()
    )


async def count_registration(session: AsyncSession, holidays: Holidays, envelope: Envelope) -> None:
    """A registration of before the person's values were sealed (still on the topic)."""
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    await _count(
        session, event.client_id, event.region_code, event.kind, event.registered_at, event
    )


def count_sealed_registration(keys: Opener) -> Reaction:
    """Sex, age band and disability are opened with the client's key and kept only as the
    categories the indicators count. A client erased before this was counted (no key) is
    not counted; one erased afterwards stays counted (the figures do not change)."""

    async def handle(session: AsyncSession, holidays: Holidays, envelope: Envelope) -> None:
        event = client_contracts.ClientRegisteredV2.model_validate(envelope.data)
        personal = await opened(
            keys, event.client_id, event.sealed, client_contracts.RegisteredPersonal
        )
        if personal is not None:
            await _count(
                session,
                event.client_id,
                event.region_code,
                event.kind,
                event.registered_at,
                personal,
            )

    return handle


async def forget_merged_duplicate(
    session: AsyncSession, holidays: Holidays, envelope: Envelope
) -> None:
    """A duplicate merged into its original was one person registered twice: count one."""
    event = client_contracts.ClientMerged.model_validate(envelope.data)
    await session.execute(
        delete(orm.clients).where(orm.clients.c.client_id == event.merged_client_id)
    )


async def count_follow_up_answer(
    session: AsyncSession, holidays: Holidays, envelope: Envelope
) -> None:
    """An answered account follow-up, counted in the month of its day. An answer given again
    (the officer corrected it) replaces the earlier one. The answers of an erased client stay,
    as their registration does; those of a client never counted, or merged into another,
    count nowhere (the query reads the sex from `clients`)."""
    event = client_contracts.FollowUpAnswered.model_validate(envelope.data)
    table = orm.follow_ups
    answers = {
        "client_id": event.client_id,
        "region_code": event.region_code,
        "days": event.days,
        "due_on": event.due_on,
        "month": event.due_on.strftime("%Y-%m"),
        "account_in_own_name": event.account_in_own_name,
        "account_in_use": event.account_in_use,
        "answered_at": event.answered_at,
    }
    await session.execute(
        insert(table)
        .values(task_id=event.task_id, **answers)
        .on_conflict_do_update(index_elements=[table.c.task_id], set_=answers)
    )


async def count_referral(session: AsyncSession, holidays: Holidays, envelope: Envelope) -> None:
    event = referral_contracts.ReferralSent.model_validate(envelope.data)
    await session.execute(
        insert(orm.referrals)
        .values(
            referral_id=event.referral_id,
            client_id=event.client_id,
            region_code=event.region_code,
            partner_code=event.partner_code,
            partner_kind=event.partner_kind or "unknown",
            product_code=event.product_code,
            state="sent",
            state_rank=_RANK["sent"],
            month=_month(event.sent_at, event.region_code),
            sent_on=local_now(event.region_code, event.sent_at).date().isoformat(),
            updated_at=event.sent_at,
        )
        .on_conflict_do_nothing()
    )


async def _advance(
    session: AsyncSession,
    holidays: Holidays,
    facts: referral_contracts.ReferralFacts | referral_contracts.ReferralCompleted,
    state: str,
    at: datetime,
    outcome: str | None = None,
) -> None:
    table = orm.referrals
    row = (
        await session.execute(
            select(table.c.sent_on, table.c.state_rank)
            .where(table.c.referral_id == facts.referral_id)
            .with_for_update()
        )
    ).first()
    if row is None or row.state_rank >= _RANK[state]:
        return  # not sent in our view (cannot happen in partition order), or already further
    values: dict[str, object] = {"state": state, "state_rank": _RANK[state], "updated_at": at}
    if state == "acknowledged":
        values["working_days_to_acknowledge"] = working_days_between(
            date.fromisoformat(row.sent_on), local_now(facts.region_code, at).date(), holidays
        )
    if state in ("completed", "declined"):
        outcome_day = local_now(facts.region_code, at).date()
        values["outcome"] = outcome or state
        values["working_days_to_outcome"] = working_days_between(
            date.fromisoformat(row.sent_on), outcome_day, holidays
        )
    await session.execute(
        update(table).where(table.c.referral_id == facts.referral_id).values(**values)
    )


async def follow_acknowledgement(
    session: AsyncSession, holidays: Holidays, envelope: Envelope
) -> None:
    event = referral_contracts.ReferralAcknowledged.model_validate(envelope.data)
    await _advance(session, holidays, event, "acknowledged", event.acknowledged_at)


async def follow_completion(session: AsyncSession, holidays: Holidays, envelope: Envelope) -> None:
    event = referral_contracts.ReferralCompleted.model_validate(envelope.data)
    await _advance(session, holidays, event, "completed", event.completed_at, event.outcome)


async def follow_decline(session: AsyncSession, holidays: Holidays, envelope: Envelope) -> None:
    event = referral_contracts.ReferralDeclined.model_validate(envelope.data)
    await _advance(session, holidays, event, "declined", event.declined_at)


async def follow_withdrawal(session: AsyncSession, holidays: Holidays, envelope: Envelope) -> None:
    event = referral_contracts.ReferralWithdrawn.model_validate(envelope.data)
    state = "expired" if event.reason == "expired" else "withdrawn"
    await _advance(session, holidays, event, state, event.withdrawn_at)


async def count_erasure_request(
    session: AsyncSession, holidays: Holidays, envelope: Envelope
) -> None:
    """A partner was asked to erase an erased client's applicant; counted in the month asked."""
    event = referral_contracts.ReferralErasureRequested.model_validate(envelope.data)
    await session.execute(
        insert(orm.erasures)
        .values(
            referral_id=event.referral_id,
            region_code=event.region_code,
            partner_kind=event.partner_kind,
            month=_month(event.requested_at, event.region_code),
            erase_by=event.erase_by,
        )
        .on_conflict_do_nothing()
    )


async def follow_erasure_confirmation(
    session: AsyncSession, holidays: Holidays, envelope: Envelope
) -> None:
    """The partner confirmed: in time or not. The first confirmation stands, as it does for
    the referral service."""
    event = referral_contracts.ReferralErasureConfirmed.model_validate(envelope.data)
    table = orm.erasures
    confirmed = {"confirmed_at": event.confirmed_at, "in_time": event.in_time}
    await session.execute(
        insert(table)
        .values(
            referral_id=event.referral_id,
            region_code=event.region_code,
            partner_kind=event.partner_kind,
            month=_month(event.requested_at, event.region_code),
            erase_by=event.erase_by,
            **confirmed,
        )
        .on_conflict_do_update(
            index_elements=[table.c.referral_id],
            set_=confirmed,
            where=table.c.confirmed_at.is_(None),
        )
    )


async def follow_erasure_overdue(
    session: AsyncSession, holidays: Holidays, envelope: Envelope
) -> None:
    """No confirmation by `erase_by`: the erasure counts as late even before one comes."""
    event = referral_contracts.ReferralErasureOverdue.model_validate(envelope.data)
    table = orm.erasures
    await session.execute(
        insert(table)
        .values(
            referral_id=event.referral_id,
            region_code=event.region_code,
            partner_kind=event.partner_kind,
            month=_month(event.requested_at, event.region_code),
            erase_by=event.erase_by,
            overdue=True,
        )
        .on_conflict_do_update(index_elements=[table.c.referral_id], set_={"overdue": True})
    )


async def count_completed_training(
    session: AsyncSession, holidays: Holidays, envelope: Envelope
) -> None:
    event = training_contracts.TrainingCompleted.model_validate(envelope.data)
    if event.client_id is None:
        return  # officers' own trainings are not an inclusion indicator
    await session.execute(
        insert(orm.trainings)
        .values(
            session_id=event.session_id,
            client_id=event.client_id,
            region_code=event.region_code,
            programme_code=event.programme_code,
            knowledge_gain=event.knowledge_gain,
            month=_month(event.completed_at, event.region_code),
        )
        .on_conflict_do_nothing()
    )


def reactions(keys: Opener) -> dict[str, dict[str, Reaction]]:
    return {
        client_contracts.TOPIC: {
            client_contracts.ClientRegistered.TYPE: count_registration,
            client_contracts.ClientRegisteredV2.TYPE: count_sealed_registration(keys),
            client_contracts.ClientMerged.TYPE: forget_merged_duplicate,
            client_contracts.FollowUpAnswered.TYPE: count_follow_up_answer,
        },
        referral_contracts.TOPIC: {
            referral_contracts.ReferralSent.TYPE: count_referral,
            referral_contracts.ReferralAcknowledged.TYPE: follow_acknowledgement,
            referral_contracts.ReferralCompleted.TYPE: follow_completion,
            referral_contracts.ReferralDeclined.TYPE: follow_decline,
            referral_contracts.ReferralWithdrawn.TYPE: follow_withdrawal,
            referral_contracts.ReferralErasureRequested.TYPE: count_erasure_request,
            referral_contracts.ReferralErasureConfirmed.TYPE: follow_erasure_confirmation,
            referral_contracts.ReferralErasureOverdue.TYPE: follow_erasure_overdue,
        },
        training_contracts.TOPIC: {
            training_contracts.TrainingCompleted.TYPE: count_completed_training,
        },
    }


def consumed(holidays: Holidays, keys: Opener) -> dict[str, BatchReaction]:
    """The worker's routing table, each reaction bound to the holiday calendar; sealed
    values opened with `keys`."""

    def bound(reaction: Reaction) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            await reaction(session, holidays, envelope)

        return handle

    return {
        topic: prefetching(keys, one_after_another({t: bound(r) for t, r in table.items()}))
        for topic, table in reactions(keys).items()
    }
