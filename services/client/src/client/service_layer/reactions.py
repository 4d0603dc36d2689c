"""How the client worker reacts to events: per topic, a table of event type → reactions.

Every event that names a client goes on its timeline (`timeline.py`); a few are also acted on:
a STOP to a message withdraws the client's notifications consents (`opt_out.py`), an account
opened through a referral starts two follow-up tasks (`follow_ups.py`). The reactions of an
event run in the order of their tuple, inside the consumer's transaction (its inbox claim
makes a redelivery do nothing), each with the batch's `ReactionWork`, a unit of work joined
to that transaction: what a reaction publishes goes to the outbox through it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from client.service_layer.follow_ups import follow_up_opened_account
from client.service_layer.opt_out import withdraw_notifications_consent
from client.service_layer.reaction_work import ReactionWork, SqlReactionWork
from client.service_layer.timeline import record_client_step, record_on_timeline
from shared.contracts import client as client_contracts
from shared.contracts import notify as notify_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import BatchReaction
from shared.messaging.envelope import Envelope

Reaction = Callable[[ReactionWork, Envelope], Awaitable[None]]

_TIMELINE: tuple[Reaction, ...] = (record_on_timeline,)

REACTIONS: dict[str, dict[str, tuple[Reaction, ...]]] = {
    # A breach's escalation concerns no client: it has no timeline to go on.
    client_contracts.TOPIC: {
        c.TYPE: _TIMELINE for c in client_contracts.PUBLISHED if "client_id" in c.model_fields
    },
    notify_contracts.TOPIC: {
        **{c.TYPE: _TIMELINE for c in notify_contracts.PUBLISHED},
        notify_contracts.OptedOut.TYPE: (record_on_timeline, withdraw_notifications_consent),
    },
    # A client's own training steps; session-wide events reach the client through notify.
    training_contracts.TOPIC: {
        c.TYPE: (record_client_step,)
        for c in (
            training_contracts.EnrolmentChanged,
            training_contracts.AttendanceRecorded,
            training_contracts.TrainingCompleted,
        )
    },
    referral_contracts.TOPIC: {
        **{c.TYPE: _TIMELINE for c in referral_contracts.PUBLISHED},
        referral_contracts.ReferralCompleted.TYPE: (record_on_timeline, follow_up_opened_account),
    },
}


async def react(
    reactions: Mapping[str, Sequence[Reaction]], work: ReactionWork, envelope: Envelope
) -> None:
    """Run the reactions of one event, in order."""
    for reaction in reactions[envelope.type]:
        await reaction(work, envelope)


def in_batches(reactions: Mapping[str, Sequence[Reaction]]) -> BatchReaction:
    """One topic's reactions, event after event; the batch's timeline entries written last."""
    table = dict(reactions)

    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        async with SqlReactionWork.joining(session) as work:
            for envelope in envelopes:
                await react(table, work, envelope)
            await work.finish()

    return BatchReaction(frozenset(table), handle)


def consumed() -> dict[str, BatchReaction]:
    """The client worker's consumers, by topic."""
    return {topic: in_batches(table) for topic, table in REACTIONS.items()}
