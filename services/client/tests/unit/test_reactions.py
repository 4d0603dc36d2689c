"""The client worker's reactions, event type by event type, through a fake reaction work:
every event naming a client lands on its timeline (only the summary's safe keys), a STOP
withdraws the notifications consents granted before it, an opened account starts two
follow-up tasks, an officer's own training stays off the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from client.domain.case import Case
from client.domain.consent import Consent
from client.service_layer.opt_out import OPTED_OUT_BY
from client.service_layer.reactions import REACTIONS, react
from client.service_layer.timeline import SUMMARY_KEYS
from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.contracts import notify as notify_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messaging.consumer import PermanentFailure
from shared.messaging.envelope import Envelope

from .fake_reactions import FakeReactionWork

CLIENT = UUID("0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10")  # the client of the contracts' examples
TRAINING_STEPS = (
    training_contracts.EnrolmentChanged,
    training_contracts.AttendanceRecorded,
    training_contracts.TrainingCompleted,
)
# What the events on the timeline only are: every published event of these topics that names
# a client, the ones acted on besides excepted (their own tests follow).
TIMELINE_ONLY: list[type[Contract]] = [
    c
    for c in (
        *client_contracts.PUBLISHED,
        *notify_contracts.PUBLISHED,
        *referral_contracts.PUBLISHED,
    )
    if "client_id" in c.model_fields
    and c not in (notify_contracts.OptedOut, referral_contracts.ReferralCompleted)
]
COVERS = {
    *(c.TYPE for c in TIMELINE_ONLY),
    *(c.TYPE for c in TRAINING_STEPS),
    notify_contracts.OptedOut.TYPE,
    referral_contracts.ReferralCompleted.TYPE,
}


def _envelope(contract: type[Contract], **changes: Any) -> Envelope:
    return Envelope(
        type=contract.TYPE,
        source="/test",
        subject=str(CLIENT),
        key=str(CLIENT),
        data={**contract.EXAMPLE, **changes},
    )


async def _react(work: FakeReactionWork, contract: type[Contract], envelope: Envelope) -> None:
    await react(REACTIONS[contract.TOPIC], work, envelope)


@pytest.mark.parametrize("contract", TIMELINE_ONLY, ids=lambda c: c.TYPE)
async def test_an_event_naming_a_client_goes_on_its_timeline_and_nowhere_else(
    contract: type[Contract],
) -> None:
    work = FakeReactionWork()
    envelope = _envelope(contract)
    await _react(work, contract, envelope)
    [entry] = work.timeline.entries
    assert entry["client_id"] == UUID(str(contract.EXAMPLE["client_id"]))
    assert (entry["event_id"], entry["event_type"]) == (envelope.id, contract.TYPE)
    assert set(entry["summary"]) <= SUMMARY_KEYS
    assert work.published == [] and work.cases.rows == {} and work.consents.rows == {}


async def test_an_event_that_names_no_client_is_refused_for_good() -> None:
    work = FakeReactionWork()
    contract = notify_contracts.NotificationDelivered
    envelope = _envelope(contract)
    del envelope.data["client_id"]
    with pytest.raises(PermanentFailure):
        await _react(work, contract, envelope)


@pytest.mark.parametrize("contract", TRAINING_STEPS, ids=lambda c: c.TYPE)
async def test_a_clients_training_step_is_on_the_timeline_an_officers_is_not(
    contract: type[Contract],
) -> None:
    work = FakeReactionWork()
    await _react(work, contract, _envelope(contract, participant_kind="client"))
    await _react(work, contract, _envelope(contract, participant_kind="officer"))
    assert [e["summary"].get("participant_kind") for e in work.timeline.entries] == ["client"]


def _notifications_consent(granted_at: datetime) -> Consent:
    return Consent(
        id=uuid4(),
        client_id=CLIENT,
        purpose="notifications",
        partner_code=None,
        scope=(),
        channels=("sms",),
        text_version="2026-01",
        granted_at=granted_at,
        granted_by="siti",
    )


async def test_a_stop_withdraws_the_earlier_notifications_consent_and_says_so() -> None:
    work = FakeReactionWork()
    stop = notify_contracts.OptedOut.model_validate(notify_contracts.OptedOut.EXAMPLE)
    before = _notifications_consent(stop.received_at - timedelta(days=3))
    again = _notifications_consent(stop.received_at + timedelta(minutes=5))
    for consent in (before, again):
        await work.consents.add(consent)
    await _react(work, notify_contracts.OptedOut, _envelope(notify_contracts.OptedOut))
    assert work.consents.rows[before.id].withdrawn_by == OPTED_OUT_BY
    assert work.consents.rows[again.id].live
    [(topic, withdrawn)] = work.published
    assert topic == client_contracts.TOPIC and work.commits == 1
    assert withdrawn.type == client_contracts.ConsentWithdrawn.TYPE
    assert withdrawn.data["consent_id"] == str(before.id)
    assert [e["event_type"] for e in work.timeline.entries] == [notify_contracts.OptedOut.TYPE]


async def test_an_opened_account_opens_a_case_with_two_follow_ups() -> None:
    work = FakeReactionWork()
    work.officers[CLIENT] = "siti-sub"
    contract = referral_contracts.ReferralCompleted
    await _react(work, contract, _envelope(contract))
    [case] = work.cases.rows.values()
    assert (case.client_id, case.assigned_to, case.status) == (CLIENT, "siti-sub", "open")
    assert [(t, e.type) for t, e in work.published] == [
        (client_contracts.TOPIC, client_contracts.CaseOpened.TYPE)
    ]
    [(_, opened)] = work.published
    assert (opened.key, opened.subject) == (str(CLIENT), f"case/{case.id}")
    tasks = sorted(work.cases.task_rows.values(), key=lambda t: t.due_on)
    assert [(t.kind, t.due_on) for t in tasks] == [
        ("account_follow_up_30", date(2027, 1, 6)),
        ("account_follow_up_90", date(2027, 3, 7)),
    ]
    assert [e["event_type"] for e in work.timeline.entries] == [contract.TYPE]


async def test_an_opened_account_adds_its_follow_ups_to_the_case_already_open() -> None:
    work = FakeReactionWork()
    work.officers[CLIENT] = "siti-sub"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    case = Case.open_for(
        CLIENT, "3273", title="Pendampingan", assigned_to="budi", by="budi", now=now
    )
    await work.cases.add(case)
    contract = referral_contracts.ReferralCompleted
    await _react(work, contract, _envelope(contract))
    assert list(work.cases.rows) == [case.id] and work.published == []
    assert {t.case_id for t in work.cases.task_rows.values()} == {case.id}


@pytest.mark.parametrize("why", ["a loan, not an account", "erased"])
async def test_no_follow_up_without_an_account_or_for_an_erased_client(why: str) -> None:
    work = FakeReactionWork()
    contract = referral_contracts.ReferralCompleted
    if why == "erased":
        envelope = _envelope(contract)  # no registering officer: the client was erased
    else:
        work.officers[CLIENT] = "siti-sub"
        envelope = _envelope(contract, outcome="loan_disbursed")
    await _react(work, contract, envelope)
    assert work.cases.rows == {} and work.cases.task_rows == {} and work.published == []
    assert len(work.timeline.entries) == 1
