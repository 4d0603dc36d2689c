"""Domain events of clients, consents and cases, translated into the contracts of
`client.events` one event at a time (the unit of work's `translate`), and the envelopes of
events no aggregate holds (duplicate flags, merges, tasks due, breach notices)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from client.domain import events
from client.domain.breach import AffectedClient, Breach, BreachEscalated
from client.domain.case import Case, Task
from client.domain.consent import Consent
from client.domain.model import Client
from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.messaging.envelope import Envelope
from shared.sealing import seal


def _envelope(client: Client, data: Contract, subject: str) -> Envelope:
    return _envelope_for(client.id, data, subject)


def _envelope_for(client_id: UUID, data: Contract, subject: str) -> Envelope:
    return Envelope(
        type=data.TYPE,
        source=client_contracts.SOURCE,
        subject=subject,
        key=str(client_id),
        data=data.to_data(),
    )


def _contact(client: Client) -> client_contracts.Contact:
    return client_contracts.Contact(phone=client.phone, email=client.email)


def _business(client: Client) -> client_contracts.BusinessInfo | None:
    b = client.business
    return (
        client_contracts.BusinessInfo(nib=b.nib, name=b.name, kbli=b.kbli, scale=b.scale)
        if b
        else None
    )


def carries_personal_values(client: Client) -> bool:
    """Whether the client's new events need its data key (to seal the person's values)."""
    return any(
        isinstance(e, (events.ClientRegistered, events.ClientUpdated)) for e in client.events
    )


def client_envelope(client: Client, event: events.Event, data_key: bytes | None) -> Envelope:
    """One event of the client; the person's values sealed under the client's `data_key`."""
    data: Contract
    if isinstance(event, events.ClientRestricted):
        data = client_contracts.ClientRestricted(
            client_id=client.id,
            region_code=client.region_code,
            restricted=event.restricted,
            request_id=event.request_id,
            changed_at=event.at,
        )
    elif isinstance(event, events.ClientErased):
        data = client_contracts.ClientErased(
            client_id=client.id,
            region_code=client.region_code,
            request_id=event.request_id,
            erased_at=event.at,
        )
    elif data_key is None:
        raise ValueError("a client event with a person's values needs the client's key")
    elif isinstance(event, events.ClientRegistered):
        personal = client_contracts.RegisteredPersonal(
            full_name=client.full_name,
            sex=client.sex,
            birth_date=client.birth_date,
            disability=client.disability,
            contact=_contact(client),
            business=_business(client),
        )
        data = client_contracts.ClientRegisteredV2(
            client_id=client.id,
            kind=client.kind,
            region_code=client.region_code,
            registered_at=client.registered_at,
            registered_by=client.registered_by,
            preferred_language=client.preferred_language,
            sealed=seal(data_key, client.id, personal.model_dump(mode="json")),
        )
    elif isinstance(event, events.ClientUpdated):
        updated = client_contracts.UpdatedPersonal(contact=_contact(client))
        data = client_contracts.ClientUpdatedV2(
            client_id=client.id,
            region_code=client.region_code,
            fields=list(event.fields),
            updated_at=client.updated_at or datetime.now(UTC),
            updated_by=event.by,
            preferred_language=client.preferred_language,
            sealed=seal(data_key, client.id, updated.model_dump(mode="json")),
        )
    else:
        raise TypeError(f"no contract for {type(event).__name__}")
    return _envelope(client, data, f"client/{client.id}")


def consent_envelope(consent: Consent, client: Client, event: events.Event) -> Envelope:
    """One event of a client's consent."""
    if isinstance(event, events.ConsentWithdrawn):
        return withdrawal_envelope(consent, client.region_code)
    if not isinstance(event, events.ConsentGranted):
        raise TypeError(f"no contract for {type(event).__name__}")
    data = client_contracts.ConsentGranted(
        consent_id=consent.id,
        client_id=client.id,
        region_code=client.region_code,
        purpose=consent.purpose,
        partner_code=consent.partner_code,
        scope=list(consent.scope),
        channels=list(consent.channels),
        text_version=consent.text_version,
        granted_at=consent.granted_at,
        granted_by=consent.granted_by,
    )
    return _envelope(client, data, f"consent/{consent.id}")


def withdrawal_envelope(consent: Consent, region_code: str) -> Envelope:
    data = client_contracts.ConsentWithdrawn(
        consent_id=consent.id,
        client_id=consent.client_id,
        region_code=region_code,
        purpose=consent.purpose,
        partner_code=consent.partner_code,
        withdrawn_at=consent.withdrawn_at or datetime.now(UTC),
        withdrawn_by=consent.withdrawn_by or "",
    )
    return _envelope_for(consent.client_id, data, f"consent/{consent.id}")


_CASE_CONTRACTS: dict[
    type[events.Event],
    type[
        client_contracts.CaseOpened
        | client_contracts.CaseAssigned
        | client_contracts.CaseClosed
        | client_contracts.CaseReopened
    ],
] = {
    events.CaseOpened: client_contracts.CaseOpened,
    events.CaseAssigned: client_contracts.CaseAssigned,
    events.CaseClosed: client_contracts.CaseClosed,
    events.CaseReopened: client_contracts.CaseReopened,
}


def case_envelope(case: Case, event: events.Event) -> Envelope:
    """One event of a case, with the case as it is now."""
    contract = _CASE_CONTRACTS[type(event)]
    data = contract(
        case_id=case.id,
        client_id=case.client_id,
        region_code=case.region_code,
        status=case.status,
        assigned_to=case.assigned_to,
        occurred_at=datetime.now(UTC),
    )
    return _envelope_for(case.client_id, data, f"case/{case.id}")


def duplicate_envelope(flag: dict[str, Any]) -> Envelope:
    data = client_contracts.DuplicateSuspected(
        flag_id=flag["id"],
        client_id=flag["client_id"],
        candidate_id=flag["candidate_id"],
        region_code=flag["region_code"],
        reason=flag["reason"],
        flagged_at=flag["flagged_at"],
    )
    return _envelope_for(data.client_id, data, f"client/{data.client_id}")


def merged_envelope(
    survivor: UUID, merged: UUID, region_code: str, by: str, at: datetime
) -> Envelope:
    data = client_contracts.ClientMerged(
        client_id=survivor,
        merged_client_id=merged,
        region_code=region_code,
        merged_by=by,
        merged_at=at,
    )
    return _envelope_for(survivor, data, f"client/{survivor}")


def task_due_envelope(task: Task, client_id: UUID, region_code: str) -> Envelope:
    data = client_contracts.TaskDue(
        task_id=task.id,
        case_id=task.case_id,
        client_id=client_id,
        region_code=region_code,
        kind=task.kind,
        due_on=task.due_on,
    )
    return _envelope_for(client_id, data, f"task/{task.id}")


def follow_up_answered_envelope(task: Task, client_id: UUID, region_code: str) -> Envelope:
    """The answers of a completed account follow-up."""
    follow_up = task.account_follow_up
    if follow_up is None or task.done_at is None or task.account_in_use is None:
        raise ValueError("not an answered account follow-up")
    data = client_contracts.FollowUpAnswered(
        task_id=task.id,
        case_id=task.case_id,
        client_id=client_id,
        region_code=region_code,
        days=follow_up.days,
        due_on=task.due_on,
        account_in_own_name=task.account_in_own_name,
        account_in_use=task.account_in_use,
        answered_at=task.done_at,
    )
    return _envelope_for(client_id, data, f"task/{task.id}")


def breach_notice_envelopes(
    breach: Breach, recipients: list[AffectedClient], approved_at: datetime
) -> list[Envelope]:
    """One notice per affected client, keyed by the client so it follows their other events."""
    out = []
    for client in recipients:
        data = client_contracts.BreachNoticeApproved(
            breach_id=breach.id,
            client_id=client.id,
            region_code=client.region_code,
            category=breach.category,
            data_kinds=list(breach.data_kinds),
            found_at=breach.found_at,
            handling=breach.handling,
            approved_at=approved_at,
        )
        out.append(_envelope_for(client.id, data, f"breach/{breach.id}"))
    return out


def breach_envelopes(breach: Breach) -> list[Envelope]:
    """The breach's own events; no client is concerned, so the breach id is the key."""
    out = []
    for event in breach.events:
        if not isinstance(event, BreachEscalated):
            raise TypeError(f"no contract for {type(event).__name__}")
        data = client_contracts.BreachEscalated(
            breach_id=breach.id,
            category=breach.category,
            region_codes=list(breach.regions),
            found_at=breach.found_at,
            due_at=breach.due_at,
            pending=list(breach.pending()),
            escalated_at=breach.escalated_at or datetime.now(UTC),
        )
        out.append(_envelope_for(breach.id, data, f"breach/{breach.id}"))
    breach.events.clear()
    return out
