"""How notify reacts to other services' events: one handler per event type, in a table.

Each handler runs in the consumer's transaction with its inbox row, so a redelivered event
is recognised and plans nothing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from notify.service_layer import training
from notify.service_layer.planning import Rules, alert_supervisors, tell_client
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope

Reaction = Callable[[AsyncSession, Rules, Envelope], Awaitable[None]]

# What a partner's answer means to the client, by referral event type.
_REFERRAL_MESSAGES = {
    referral_contracts.ReferralAcknowledged.TYPE: "referral_acknowledged",
    referral_contracts.ReferralDeclined.TYPE: "referral_declined",
    referral_contracts.ReferralWithdrawn.TYPE: "referral_withdrawn",
}


async def remember_registered_client(
    session: AsyncSession, rules: Rules, envelope: Envelope
) -> None:
    event = client_contracts.ClientRegistered.model_validate(envelope.data)
    await rules.repository(session).remember_client(
        event.client_id,
        event.region_code,
        event.preferred_language,
        phone=event.contact.phone,
        email=event.contact.email,
    )


async def follow_client_changes(session: AsyncSession, rules: Rules, envelope: Envelope) -> None:
    event = client_contracts.ClientUpdated.model_validate(envelope.data)
    await rules.repository(session).remember_client(
        event.client_id,
        event.region_code,
        event.preferred_language,
        phone=event.contact.phone,
        email=event.contact.email,
    )


async def remember_notification_consent(
    session: AsyncSession, rules: Rules, envelope: Envelope
) -> None:
    """A client who first agrees to hear from us is welcomed, over the channels chosen (the
    registration comes before the consent, so the welcome waits for it)."""
    event = client_contracts.ConsentGranted.model_validate(envelope.data)
    if event.purpose != "notifications":
        return
    repo = rules.repository(session)
    await repo.grant(event.consent_id, event.client_id, list(event.channels), event.granted_at)
    if await repo.has_heard(event.client_id, "client_registered"):
        return
    await tell_client(
        session,
        rules,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind="client_registered",
        context={},
    )


async def forget_notification_consent(
    session: AsyncSession, rules: Rules, envelope: Envelope
) -> None:
    event = client_contracts.ConsentWithdrawn.model_validate(envelope.data)
    if event.purpose == "notifications":
        await rules.repository(session).withdraw(event.consent_id, event.withdrawn_at)


async def tell_client_referred(session: AsyncSession, rules: Rules, envelope: Envelope) -> None:
    event = referral_contracts.ReferralSent.model_validate(envelope.data)
    partner = event.partner_name or event.partner_code
    product = event.product_name or event.product_code
    await rules.repository(session).put_referral_names(event.referral_id, partner, product)
    await tell_client(
        session,
        rules,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind="referral_sent",
        context={"partner_name": partner, "product_name": product},
    )


async def _referral_names(
    session: AsyncSession,
    rules: Rules,
    event: referral_contracts.ReferralFacts | referral_contracts.ReferralCompleted,
) -> dict[str, str]:
    names = await rules.repository(session).referral_names(event.referral_id)
    partner, product = names or (event.partner_code, event.product_code)
    return {"partner_name": partner, "product_name": product}


async def tell_client_partner_answered(
    session: AsyncSession, rules: Rules, envelope: Envelope
) -> None:
    event = referral_contracts.ReferralFacts.model_validate(envelope.data)
    await tell_client(
        session,
        rules,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind=_REFERRAL_MESSAGES[envelope.type],
        context=await _referral_names(session, rules, event),
    )


async def tell_client_account_opened(
    session: AsyncSession, rules: Rules, envelope: Envelope
) -> None:
    event = referral_contracts.ReferralCompleted.model_validate(envelope.data)
    if event.outcome != "account_opened":
        return  # other outcomes (a loan, a QRIS merchant) are told by the partner itself
    await tell_client(
        session,
        rules,
        event_id=envelope.id,
        client_id=event.client_id,
        region_code=event.region_code,
        kind="referral_account_opened",
        context=await _referral_names(session, rules, event),
    )


# Supervisors read alerts in Indonesian.
_BREACHES = {
    "not_acknowledged": "mitra belum menanggapi dalam 2 hari kerja",
    "outcome_late": "hasil dari mitra terlambat",
}


async def alert_supervisors_of_breach(
    session: AsyncSession, rules: Rules, envelope: Envelope
) -> None:
    event = referral_contracts.ReferralEscalated.model_validate(envelope.data)
    await alert_supervisors(
        session,
        rules,
        event_id=envelope.id,
        region_code=event.region_code,
        kind="sla_breach",
        context={
            "referral_id": str(event.referral_id),
            "partner_code": event.partner_code,
            "breach": _BREACHES.get(event.breach, event.breach),
            "region_code": event.region_code,
        },
    )


def consumed(rules: Rules) -> dict[str, dict[str, Handler]]:
    """The notify worker's routing table, each reaction bound to the rules it needs."""

    def bound(reaction: Reaction) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            await reaction(session, rules, envelope)

        return handle

    return {
        client_contracts.TOPIC: {
            client_contracts.ClientRegistered.TYPE: bound(remember_registered_client),
            client_contracts.ClientUpdated.TYPE: bound(follow_client_changes),
            client_contracts.ConsentGranted.TYPE: bound(remember_notification_consent),
            client_contracts.ConsentWithdrawn.TYPE: bound(forget_notification_consent),
        },
        referral_contracts.TOPIC: {
            referral_contracts.ReferralSent.TYPE: bound(tell_client_referred),
            referral_contracts.ReferralAcknowledged.TYPE: bound(tell_client_partner_answered),
            referral_contracts.ReferralDeclined.TYPE: bound(tell_client_partner_answered),
            referral_contracts.ReferralWithdrawn.TYPE: bound(tell_client_partner_answered),
            referral_contracts.ReferralCompleted.TYPE: bound(tell_client_account_opened),
            referral_contracts.ReferralEscalated.TYPE: bound(alert_supervisors_of_breach),
        },
        training_contracts.TOPIC: {
            type_: bound(reaction) for type_, reaction in training.REACTIONS.items()
        },
    }
