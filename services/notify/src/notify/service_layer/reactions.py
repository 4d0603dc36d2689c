"""How notify reacts to other services' events: one handler per event type, in a table.

The consumer hands over a batch of new events (their inbox rows claimed in the same
transaction, so a redelivered event plans nothing twice); the reactions run one after
another in one `Work`, which writes what they planned in bulk at the end and announces the
scheduled messages through notify's unit of work, joined to the inbox's transaction.

This table stays beside the message bus rather than on it: the bus reacts to one event in
one unit of work, and these reactions share one read-ahead and one bulk write per batch
(decision 0010) and open the batch's sealed values with keys fetched once (`prefetching`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from notify.domain import breach_words
from notify.service_layer import training, wording
from notify.service_layer.planning import (
    Rules,
    Work,
    alert_administrators,
    alert_officer,
    alert_supervisors,
    tell_client,
)
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import BatchReaction
from shared.messaging.envelope import Envelope
from shared.sealing import Opener, opened, prefetching

Reaction = Callable[[Work, Envelope], Awaitable[None]]

# What a partner's answer means to the client, by referral event type.
_REFERRAL_MESSAGES = {
    referral_contracts.ReferralAcknowledged.TYPE: "referral_acknowledged",
    referral_contracts.ReferralDeclined.TYPE: "referral_declined",
    referral_contracts.ReferralWithdrawn.TYPE: "referral_withdrawn",
}


async def remember_registered_client(work: Work, envelope: Envelope) -> None:
    """A registration of before the person's values were sealed (still on the topic)."""
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    await work.book.remember_client(
        event.client_id,
        event.region_code,
        event.preferred_language,
        phone=event.contact.phone,
        email=event.contact.email,
    )


async def follow_client_changes(work: Work, envelope: Envelope) -> None:
    event = client_contracts.ClientUpdated.model_validate(envelope.data)
    await work.book.remember_client(
        event.client_id,
        event.region_code,
        event.preferred_language,
        phone=event.contact.phone,
        email=event.contact.email,
    )


def remember_sealed_client(keys: Opener) -> Reaction:
    """Where to reach a new client: the contact is opened with the client's key (and kept
    encrypted under notify's own); an erased client (no key) is not remembered."""

    async def react(work: Work, envelope: Envelope) -> None:
        event = client_contracts.ClientRegisteredV2.model_validate(envelope.data)
        personal = await opened(
            keys, event.client_id, event.sealed, client_contracts.RegisteredPersonal
        )
        if personal is not None:
            await work.book.remember_client(
                event.client_id,
                event.region_code,
                event.preferred_language,
                phone=personal.contact.phone,
                email=personal.contact.email,
            )

    return react


def follow_sealed_client_changes(keys: Opener) -> Reaction:
    async def react(work: Work, envelope: Envelope) -> None:
        event = client_contracts.ClientUpdatedV2.model_validate(envelope.data)
        personal = await opened(
            keys, event.client_id, event.sealed, client_contracts.UpdatedPersonal
        )
        if personal is not None:
            await work.book.remember_client(
                event.client_id,
                event.region_code,
                event.preferred_language,
                phone=personal.contact.phone,
                email=personal.contact.email,
            )

    return react


async def remember_notification_consent(work: Work, envelope: Envelope) -> None:
    """A client who first agrees to hear from us is welcomed, over the channels chosen (the
    registration comes before the consent, so the welcome waits for it)."""
    event = client_contracts.ConsentGranted.model_validate(envelope.data)
    if event.purpose != "notifications":
        return
    await work.book.grant(event.consent_id, event.client_id, list(event.channels), event.granted_at)
    if await work.book.has_heard(event.client_id, "client_registered"):
        return
    await tell_client(
        work,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind="client_registered",
        context={},
    )


async def forget_notification_consent(work: Work, envelope: Envelope) -> None:
    event = client_contracts.ConsentWithdrawn.model_validate(envelope.data)
    if event.purpose == "notifications":
        await work.book.withdraw(event.consent_id, event.client_id, event.withdrawn_at)


async def tell_client_referred(work: Work, envelope: Envelope) -> None:
    event = referral_contracts.ReferralSent.model_validate(envelope.data)
    partner = event.partner_name or event.partner_code
    product = event.product_name or event.product_code
    await work.repo.put_referral_names(event.referral_id, partner, product)
    await tell_client(
        work,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind="referral_sent",
        context={"partner_name": partner, "product_name": product},
    )


async def _referral_names(
    work: Work,
    event: referral_contracts.ReferralFacts | referral_contracts.ReferralCompleted,
) -> dict[str, str]:
    names = await work.repo.referral_names(event.referral_id)
    partner, product = names or (event.partner_code, event.product_code)
    return {"partner_name": partner, "product_name": product}


async def tell_client_partner_answered(work: Work, envelope: Envelope) -> None:
    event = referral_contracts.ReferralFacts.model_validate(envelope.data)
    await tell_client(
        work,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind=_REFERRAL_MESSAGES[envelope.type],
        context=await _referral_names(work, event),
    )


async def tell_client_account_opened(work: Work, envelope: Envelope) -> None:
    event = referral_contracts.ReferralCompleted.model_validate(envelope.data)
    if event.outcome != "account_opened":
        return  # other outcomes (a loan, a QRIS merchant) are told by the partner itself
    await tell_client(
        work,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind="referral_account_opened",
        context=await _referral_names(work, event),
    )


# Supervisors read alerts in Indonesian.
_BREACHES = {
    "not_acknowledged": "mitra belum menanggapi dalam 2 hari kerja",
    "outcome_late": "hasil dari mitra terlambat",
}


async def alert_supervisors_of_breach(work: Work, envelope: Envelope) -> None:
    """The province's supervisors hear of an SLA breach, and so does the officer who sent the
    referral (when the event names her)."""
    event = referral_contracts.ReferralEscalated.model_validate(envelope.data)
    context = {
        "referral_id": str(event.referral_id),
        "partner_code": event.partner_code,
        "breach": _BREACHES.get(event.breach, event.breach),
        "region_code": event.region_code,
    }
    await alert_supervisors(
        work,
        event_id=envelope.id,
        region_code=event.region_code,
        kind="sla_breach",
        context=context,
    )
    if event.referred_by:
        await alert_officer(
            work,
            event_id=envelope.id,
            officer=event.referred_by,
            region_code=event.region_code,
            kind="sla_breach",
            context=context,
        )


async def alert_supervisors_of_overdue_erasure(work: Work, envelope: Envelope) -> None:
    """A partner did not confirm, by its deadline, that it erased an erased client's data."""
    event = referral_contracts.ReferralErasureOverdue.model_validate(envelope.data)
    await alert_supervisors(
        work,
        event_id=envelope.id,
        region_code=event.region_code,
        kind="erasure_overdue",
        context={
            "referral_id": str(event.referral_id),
            "partner_code": event.partner_code,
            "region_code": event.region_code,
            "when": wording.when(event.erase_by, event.region_code, "id"),
        },
    )


async def tell_client_of_data_breach(work: Work, envelope: Envelope) -> None:
    """A personal-data breach that may have touched the client's record, in their language,
    over the channels they consented to (UU 27/2022 Pasal 46)."""
    event = client_contracts.BreachNoticeApproved.model_validate(envelope.data)

    def context(language: str) -> dict[str, str]:
        return {
            "reference": event.breach_id.hex[:8].upper(),
            "found_on": wording.day(event.found_at, event.region_code, language),
            "what": breach_words.category(event.category, language),
            "data_kinds": breach_words.data_kinds(event.data_kinds, language),
            "handling": event.handling,
        }

    await tell_client(
        work,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind="breach_notice",
        context=context,
    )


async def alert_administrators_of_late_data_breach(work: Work, envelope: Envelope) -> None:
    event = client_contracts.BreachEscalated.model_validate(envelope.data)
    region = event.region_codes[0] if event.region_codes else "31"
    await alert_administrators(
        work,
        event_id=envelope.id,
        region_code=region,
        kind="breach_escalated",
        context={
            "breach_id": str(event.breach_id),
            "due": wording.when(event.due_at, region, "id"),
            "pending": breach_words.pending(event.pending, "id"),
        },
    )


ROUTING: dict[str, dict[str, Reaction]] = {
    client_contracts.TOPIC: {
        client_contracts.ClientRegistered.TYPE: remember_registered_client,
        client_contracts.ClientUpdated.TYPE: follow_client_changes,
        client_contracts.ConsentGranted.TYPE: remember_notification_consent,
        client_contracts.ConsentWithdrawn.TYPE: forget_notification_consent,
        client_contracts.BreachNoticeApproved.TYPE: tell_client_of_data_breach,
        client_contracts.BreachEscalated.TYPE: alert_administrators_of_late_data_breach,
    },
    referral_contracts.TOPIC: {
        referral_contracts.ReferralSent.TYPE: tell_client_referred,
        referral_contracts.ReferralAcknowledged.TYPE: tell_client_partner_answered,
        referral_contracts.ReferralDeclined.TYPE: tell_client_partner_answered,
        referral_contracts.ReferralWithdrawn.TYPE: tell_client_partner_answered,
        referral_contracts.ReferralCompleted.TYPE: tell_client_account_opened,
        referral_contracts.ReferralEscalated.TYPE: alert_supervisors_of_breach,
        referral_contracts.ReferralErasureOverdue.TYPE: alert_supervisors_of_overdue_erasure,
    },
    training_contracts.TOPIC: dict(training.REACTIONS),
}


def in_batches(rules: Rules, reactions: Mapping[str, Reaction]) -> BatchReaction:
    """The reactions of one topic, run over a batch of new events in one `Work`."""

    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        work = Work.begin(session, rules)
        await work.book.load_for(envelopes)
        for envelope in envelopes:
            await reactions[envelope.type](work, envelope)
        await work.finish()

    return BatchReaction(frozenset(reactions), handle)


async def follow_restriction(work: Work, envelope: Envelope) -> None:
    event = client_contracts.ClientRestricted.model_validate(envelope.data)
    await work.book.restrict(event.client_id, event.restricted)


def forget_erased_client(keys: Opener) -> Reaction:
    async def react(work: Work, envelope: Envelope) -> None:
        event = client_contracts.ClientErased.model_validate(envelope.data)
        keys.forget(event.client_id)
        await work.book.forget_client(event.client_id)

    return react


def routing(keys: Opener) -> dict[str, dict[str, Reaction]]:
    """Every reaction of the notify worker, by topic and event type; sealed values opened
    with `keys`."""
    table = {topic: dict(reactions) for topic, reactions in ROUTING.items()}
    table[client_contracts.TOPIC] |= {
        client_contracts.ClientRegisteredV2.TYPE: remember_sealed_client(keys),
        client_contracts.ClientUpdatedV2.TYPE: follow_sealed_client_changes(keys),
        client_contracts.ClientRestricted.TYPE: follow_restriction,
        client_contracts.ClientErased.TYPE: forget_erased_client(keys),
    }
    return table


def consumed(rules: Rules, keys: Opener) -> dict[str, BatchReaction]:
    """The notify worker's consumers, by topic; sealed values opened with `keys`."""
    return {
        topic: prefetching(keys, in_batches(rules, reactions))
        for topic, reactions in routing(keys).items()
    }
