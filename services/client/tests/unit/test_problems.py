"""What the client's errors answer: each is a `shared.errors` class raised where it arises, and
the app factory's one translation (`shared.problems.from_error`) gives exactly the body the
routes used to build by hand (status, type, detail, errors, extra members)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from client.adapters.breaches import ConcurrentChange
from client.domain.breach import (
    AUTHORITY_ALREADY_TOLD,
    PEOPLE_ALREADY_TOLD,
    AlreadyNotified,
    Breach,
    InvalidBreach,
)
from client.domain.case import IllegalTransition
from client.domain.consent import ConsentAlreadyWithdrawn
from client.domain.model import InvalidClient
from client.domain.subject_request import InvalidRequest, RequestAlreadyAnswered
from client.service_layer import (
    breaches,
    cases,
    commands,
    duplicates,
    handlers,
    importing,
    privacy,
    referral_reads,
)
from shared.errors import DomainError
from shared.problems import TYPE_BASE, from_error

from .fakes import FakeUnitOfWork
from .test_breaches import ADMIN, FOUND, _command, _ctx
from .test_registration import CTX, SITI, _register

KNOWN = UUID("7c1f9a52-0d3e-4b8a-9f61-2a4e5d6c7b80")


def _missing(what: str) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": f"No such {what}.",
    }


def _invalid(field: str, message: str) -> dict[str, Any]:
    return {
        "type": TYPE_BASE + "validation",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request has invalid fields.",
        "errors": [{"field": field, "message": message}],
    }


def _conflict(slug: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": TYPE_BASE + slug, "title": "Conflict", "status": 409, "detail": detail, **extra}


ANSWERS: list[tuple[DomainError, dict[str, Any]]] = [
    (handlers.ClientNotFound(), _missing("client")),
    (handlers.ConsentNotFound(), _missing("consent")),
    (cases.CaseNotFound(), _missing("case")),
    (cases.TaskNotFound(), _missing("task")),
    (duplicates.FlagNotFound(), _missing("duplicate flag")),
    (privacy.RequestNotFound(), _missing("request")),
    (breaches.BreachNotFound(), _missing("breach")),
    (InvalidClient("phone", "is not a phone number"), _invalid("phone", "is not a phone number")),
    (InvalidRequest("kind", "must be one of x"), _invalid("kind", "must be one of x")),
    (
        InvalidBreach("regions", "must name at least one"),
        _invalid("regions", "must name at least one"),
    ),
    (cases.NoOffice(), _invalid("token", "names no region or username")),
    (importing.SheetUnreadable("the sheet is empty"), _invalid("file", "the sheet is empty")),
    (
        handlers.NikAlreadyRegistered(KNOWN),
        _conflict(
            "duplicate-nik", "This NIK is already registered.", existing_client_id=str(KNOWN)
        ),
    ),
    (
        handlers.NikAlreadyRegistered(None),
        _conflict("duplicate-nik", "This NIK is already registered."),
    ),
    (
        ConsentAlreadyWithdrawn(),
        _conflict("consent-withdrawn", "This consent was already withdrawn."),
    ),
    (
        IllegalTransition("a closed case cannot be reassigned"),
        _conflict("illegal-transition", "a closed case cannot be reassigned"),
    ),
    (RequestAlreadyAnswered(), _conflict("already-answered", "The request was answered already.")),
    (
        AlreadyNotified(PEOPLE_ALREADY_TOLD),
        _conflict("already-notified", "The people were already told of this breach."),
    ),
    (
        AlreadyNotified(AUTHORITY_ALREADY_TOLD),
        _conflict("already-notified", "The authority's notice was already recorded."),
    ),
    (duplicates.FlagResolved(), _conflict("flag-resolved", "This flag was already resolved.")),
    (
        referral_reads.NoLiveConsent(),
        _conflict("no-consent", "No live referral consent for this partner."),
    ),
]


@pytest.mark.parametrize(("error", "body"), ANSWERS, ids=lambda v: type(v).__name__)
def test_each_error_answers_the_body_its_route_gave(error: DomainError, body: Any) -> None:
    problem = from_error(error)
    assert (problem.status, problem.body()) == (body["status"], body)


async def test_withdrawing_a_consent_the_client_does_not_have_is_no_such_consent() -> None:
    uow = FakeUnitOfWork()
    client = await handlers.register_client(_register(), uow, CTX)
    command = commands.WithdrawConsent(actor=SITI, client_id=client.id, consent_id=uuid4())
    with pytest.raises(handlers.ConsentNotFound):
        await handlers.withdraw_consent(command, uow, CTX)


@pytest.mark.parametrize("step", ["people", "authority"])
async def test_a_notice_recorded_meanwhile_by_someone_else_is_already_notified(
    step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = FakeUnitOfWork()
    breach = await breaches.record_breach(_command(), uow, _ctx(FOUND + timedelta(hours=1)))

    async def changed_meanwhile(_: Breach) -> None:
        raise ConcurrentChange()

    monkeypatch.setattr(uow.breaches, "save", changed_meanwhile)
    later = _ctx(FOUND + timedelta(hours=2))
    with pytest.raises(AlreadyNotified) as refused:
        if step == "people":
            await breaches.notify_people(breach.id, ADMIN, uow, later)
        else:
            await breaches.record_authority_notified(breach.id, ADMIN, None, uow, later)
    expected = PEOPLE_ALREADY_TOLD if step == "people" else AUTHORITY_ALREADY_TOLD
    assert refused.value.detail == expected and refused.value.__cause__ is None
