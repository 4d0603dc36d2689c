"""What the referral routes share: who may call them, the service's container, and how an
illegal transition of a referral is answered."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from referral.bootstrap import Container
from referral.domain.referral import IllegalTransition
from shared.auth import Admin as Admin
from shared.auth import CaseWorker as CaseWorker
from shared.auth import Partner as Partner
from shared.auth import Principal, require_roles
from shared.problems import Conflict, Problem

AnyUser = Annotated[
    Principal, Depends(require_roles("officer", "supervisor", "admin", "ministry", "partner"))
]
Limit = Annotated[int, Query(ge=1, le=200)]
Period = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such referral for you"}}


async def _container(request: Request) -> Container:  # async: no worker thread
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(_container)]


def illegal_transition(exc: IllegalTransition) -> Problem:
    """A change the referral's lifecycle does not allow from its state: 409 naming the state."""
    return Conflict(str(exc), "illegal-transition", state=exc.state)
