"""The timeline projection: every event about a client, from any service, recorded once.

What an entry may show (`SUMMARY_KEYS`) and the two reactions that write one; the table of
which events they follow is `reactions.REACTIONS`. The entries of a batch are collected by the
reaction work's timeline writer and written in one statement at the end of its transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from client.service_layer.reaction_work import ReactionWork
from shared.messaging.consumer import PermanentFailure
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


async def record_on_timeline(work: ReactionWork, envelope: Envelope) -> None:
    """Any event that names a client goes on that client's timeline, with its summary."""
    try:
        client_id = UUID(str(envelope.data["client_id"]))
    except (KeyError, ValueError) as exc:
        raise PermanentFailure("event names no client") from exc
    work.timeline.record(
        client_id=client_id,
        event_id=envelope.id,
        event_type=envelope.type,
        source=envelope.source,
        occurred_at=envelope.time,
        summary=summary_of(envelope.data),
    )


async def record_client_step(work: ReactionWork, envelope: Envelope) -> None:
    """A training event of a client goes on the timeline; an officer's own training does not."""
    if envelope.data.get("participant_kind") == "officer":
        return
    await record_on_timeline(work, envelope)
