"""A client who answered STOP to a message no longer consents to notifications.

Notify hears the reply and publishes `jembatan.notification.opted_out.v1`; here the client's
live `notifications` consents are withdrawn like an officer would, so notify's own consent
projection (fed by `consent.withdrawn`) stops every channel.

Only consents granted before the STOP was sent (the event's `received_at`) are withdrawn: a
client who agreed again afterwards changed their mind, and a STOP that arrives late (the
provider's retry, a queue) must not undo that.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from client.adapters import publishing
from client.domain.consent import Consent
from client.service_layer.reaction_work import ReactionWork
from shared.contracts import notify as notify_contracts
from shared.messaging.envelope import Envelope

OPTED_OUT_BY = "client-reply-stop"


def stopped_by(consents: Iterable[Consent], sent_at: datetime) -> list[Consent]:
    """The live notifications consents a STOP sent at `sent_at` withdraws."""
    return [
        c for c in consents if c.purpose == "notifications" and c.live and c.granted_at <= sent_at
    ]


async def withdraw_notifications_consent(work: ReactionWork, envelope: Envelope) -> None:
    event = notify_contracts.OptedOut.model_validate(envelope.data)
    withdrawn = []
    for consent in stopped_by(await work.consents.for_client(event.client_id), event.received_at):
        consent.withdraw(by=OPTED_OUT_BY, now=event.received_at)
        await work.consents.save_withdrawal(consent)
        withdrawn.append(publishing.withdrawal_envelope(consent, event.region_code))
    # The STOP names the region; the client itself is not loaded, so the envelopes are made
    # here and announced rather than translated from a tracked client.
    work.announce(withdrawn)
    await work.commit()
