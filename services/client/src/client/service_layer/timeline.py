"""The timeline projection: every event about a client, from any service, recorded once.

The worker hands over a batch of new events; each handler runs in turn and the batch's
timeline entries are written in one statement at the end of its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from client.adapters.repositories.timeline import TimelineWriter
from shared.contracts import client as client_contracts
from shared.contracts import notify as notify_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import BatchReaction, Handler, PermanentFailure
from shared.messaging.envelope import Envelope

# What a timeline entry may show: identifiers and facts, never a name, NIK, phone or address.
SUMMARY_KEYS = frozenset(
    {
        "kind",
        "region_code",
        "fields",
        "consent_id",
        "purpose",
        "partner_code",
        "scope",
        "channels",
        "channel",
        "text_version",
        "notification_id",
        "answers_event_id",
        "template",
        "language",
        "referral_id",
        "product_code",
        "status",
        "outcome",
        "reason",
        "session_id",
        "programme_code",
        "certificate_code",
        "knowledge_gain",
        "participant_kind",
        "change",
        "days_attended",
        "days_total",
        "case_id",
        "task_id",
        "due_on",
    }
)


def summary_of(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in SUMMARY_KEYS}


_WRITER = "timeline_writer"  # the batch's writer, in the session's `info`


async def record_on_timeline(session: AsyncSession, envelope: Envelope) -> None:
    try:
        client_id = UUID(str(envelope.data["client_id"]))
    except (KeyError, ValueError) as exc:
        raise PermanentFailure("event names no client") from exc
    writer: TimelineWriter = session.info[_WRITER]
    writer.record(
        client_id=client_id,
        event_id=envelope.id,
        event_type=envelope.type,
        source=envelope.source,
        occurred_at=envelope.time,
        summary=summary_of(envelope.data),
    )


async def record_client_step(session: AsyncSession, envelope: Envelope) -> None:
    """A training event of a client goes on the timeline; an officer's own training does not."""
    if envelope.data.get("participant_kind") == "officer":
        return
    await record_on_timeline(session, envelope)


def _in_batches(handlers: Mapping[str, Handler]) -> BatchReaction:
    """One topic's handlers run one after another; their entries written together."""

    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        writer = session.info[_WRITER] = TimelineWriter(session)
        try:
            for envelope in envelopes:
                await handlers[envelope.type](session, envelope)
            await writer.flush()
        finally:
            del session.info[_WRITER]

    return BatchReaction(frozenset(handlers), handle)


def consumed() -> dict[str, BatchReaction]:
    """The client worker's consumers, by topic: every event onto the timeline, some also
    acted on."""
    return {topic: _in_batches(handlers) for topic, handlers in _routes().items()}


def _routes() -> dict[str, dict[str, Handler]]:
    from client.service_layer.follow_ups import follow_up_opened_account
    from client.service_layer.opt_out import withdraw_notifications_consent

    return {
        # A breach's escalation concerns no client: it has no timeline to go on.
        client_contracts.TOPIC: {
            c.TYPE: record_on_timeline
            for c in client_contracts.PUBLISHED
            if "client_id" in c.model_fields
        },
        notify_contracts.TOPIC: {
            **{c.TYPE: record_on_timeline for c in notify_contracts.PUBLISHED},
            notify_contracts.OptedOut.TYPE: withdraw_notifications_consent,
        },
        # A client's own training steps; session-wide events reach the client through notify.
        training_contracts.TOPIC: {
            c.TYPE: record_client_step
            for c in (
                training_contracts.EnrolmentChanged,
                training_contracts.AttendanceRecorded,
                training_contracts.TrainingCompleted,
            )
        },
        referral_contracts.TOPIC: {
            **{c.TYPE: record_on_timeline for c in referral_contracts.PUBLISHED},
            referral_contracts.ReferralCompleted.TYPE: follow_up_opened_account,
        },
    }
