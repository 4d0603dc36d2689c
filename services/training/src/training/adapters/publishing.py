"""Training's domain events as the integration events of `shared.contracts.training`.

One domain event becomes one CloudEvent on `training.events`: subject `session/<id>`; key the
client's id for a client's events (so their timeline keeps its order), else the session's id.
The facts are read from the session as the unit of work commits it, and the time is the one
the use case's clock gave the domain event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from shared.contracts import Contract
from shared.contracts import training as contracts
from shared.messaging.envelope import Envelope
from training.domain.programme import knowledge_gain
from training.domain.training_session import Happened, TrainingSession


def integration_events(training: TrainingSession, happened: Happened) -> list[tuple[str, Envelope]]:
    """The translator the training unit of work commits with."""
    assert happened.at is not None, "a domain event is stamped by the use case's clock"
    if happened.participant is None:
        data = _session_event(happened.kind, training, happened.at)
        client_id = None
    else:
        data, client_id = _participant_event(training, happened, happened.participant, happened.at)
    envelope = Envelope(
        type=data.TYPE,
        source=contracts.SOURCE,
        subject=f"session/{training.id}",
        key=str(client_id or training.id),
        data=data.to_data(),
    )
    return [(contracts.TOPIC, envelope)]


def participant_of(participant: str) -> tuple[str, UUID | None, str | None]:
    """Kind, client id (a client's) and officer id (an officer's) of `kind:ident`."""
    kind, _, ident = participant.partition(":")
    client_id = UUID(ident) if kind == "client" else None
    return kind, client_id, ident if kind == "officer" else None


def _participant_event(
    training: TrainingSession, happened: Happened, participant: str, now: datetime
) -> tuple[Contract, UUID | None]:
    kind, client_id, officer_id = participant_of(participant)
    enrolment = next(e for e in training.enrolments if e.participant == participant)
    common: dict[str, Any] = {
        "session_id": training.id,
        "programme_code": training.programme_code,
        "region_code": training.region_code,
        "participant_kind": kind,
        "client_id": client_id,
        "officer_id": officer_id,
    }
    if happened.kind == "attendance_recorded":
        return contracts.AttendanceRecorded(
            **common,
            days_attended=len(enrolment.attended),
            days_total=len(training.days),
            recorded_at=now,
        ), client_id
    if happened.kind == "completed":
        assert enrolment.certificate_code is not None
        return contracts.TrainingCompleted(
            **common,
            knowledge_gain=knowledge_gain(enrolment.pre_score, enrolment.post_score),
            certificate_code=enrolment.certificate_code,
            completed_at=now,
        ), client_id
    return contracts.EnrolmentChanged(
        **common,
        change=happened.kind,
        changed_at=now,
        programme_title=training.programme_title,
        starts_at=training.starts_at,
    ), client_id


def _session_event(kind: str, training: TrainingSession, now: datetime) -> Contract:
    if kind == "cancelled":
        return contracts.SessionCancelled(
            session_id=training.id,
            programme_code=training.programme_code,
            region_code=training.region_code,
            cancelled_at=now,
        )
    facts = {
        "session_id": training.id,
        "programme_code": training.programme_code,
        "programme_title": training.programme_title,
        "region_code": training.region_code,
        "days": list(training.days),
        "starts_at": training.starts_at,
        "venue": training.venue,
        "online_link": training.online_link,
        "capacity": training.capacity,
    }
    if kind == "scheduled":
        return contracts.SessionScheduled(**facts)
    return contracts.SessionChanged(**facts)
