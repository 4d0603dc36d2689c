"""Follow-ups the system starts: after an account is opened, and when a task falls due.

An account opened through a referral gets two follow-up tasks, at 30 and 90 days (is the
account in the client's own name; was it used in the last 30 days): the data behind the
women's financial-inclusion indicators.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

from client.adapters import publishing
from client.domain.case import ACCOUNT_FOLLOW_UPS, Case, Task
from client.service_layer.reaction_work import ReactionWork
from client.service_layer.unit_of_work import UnitOfWork
from shared.calendar import local_now
from shared.contracts import referral as referral_contracts
from shared.messaging.envelope import Envelope

SYSTEM = "jembatan"


async def follow_up_opened_account(work: ReactionWork, envelope: Envelope) -> None:
    """For an opened account, two follow-up tasks on the client's open case (opened if need
    be); any other outcome asks for nothing (it is on the timeline all the same)."""
    event = referral_contracts.ReferralCompleted.model_validate(envelope.data)
    if event.outcome != "account_opened":
        return
    officer = await work.registering_officer(event.client_id)
    if officer is None:  # the client was erased: no follow-up for a person no longer known
        return
    case = await work.cases.open_case_of(event.client_id)
    if case is None:
        case = Case.open_for(
            event.client_id,
            event.region_code,
            title="Tindak lanjut rekening",
            assigned_to=officer,
            by=SYSTEM,
            now=event.completed_at,
        )
        await work.cases.add(case)
        work.track(case)
    opened_on = local_now(event.region_code, event.completed_at).date()
    for kind, follow_up in ACCOUNT_FOLLOW_UPS.items():
        await work.cases.add_task(
            Task(
                id=uuid4(),
                case_id=case.id,
                title=follow_up.title,
                due_on=opened_on + timedelta(days=follow_up.days),
                created_by=SYSTEM,
                created_at=event.completed_at,
                kind=kind,
            )
        )
    await work.commit()


async def announce_due_tasks(uow: UnitOfWork, now: datetime, limit: int = 500) -> int:
    """Publish `jembatan.task.due.v1` once per task whose day has come in its office's zone."""
    async with uow:
        # The easternmost zone (WIT, UTC+9) reaches a date first: a superset to filter locally.
        candidates = await uow.cases.tasks_falling_due((now + timedelta(hours=9)).date(), limit)
        due = [
            (task, client_id, region)
            for task, client_id, region in candidates
            if task.due_on <= local_now(region, now).date()
        ]
        for task, _, _ in due:
            await uow.cases.mark_announced(task.id, now)
        uow.announce(
            [publishing.task_due_envelope(t, client_id, region) for t, client_id, region in due]
        )
        await uow.commit()
    return len(due)
