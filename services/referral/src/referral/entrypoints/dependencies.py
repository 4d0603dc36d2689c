"""What the referral routes are given: who may call them, the bus the app was built with,
and the service's container (settings, webhook keys). All are `async def`: a plain `def`
dependency would cost a worker-thread hop for an attribute lookup."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from referral.bootstrap import Container
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.auth import Admin as Admin
from shared.auth import CaseWorker as CaseWorker
from shared.auth import Partner as Partner
from shared.auth import Principal, require_roles
from shared.http import app_bus, app_container
from shared.messagebus import MessageBus

AnyUser = Annotated[
    Principal, Depends(require_roles("officer", "supervisor", "admin", "ministry", "partner"))
]
Limit = Annotated[int, Query(ge=1, le=200)]
Period = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such referral for you"}}


ContainerDep = Annotated[Container, Depends(app_container)]
Bus = Annotated[MessageBus[ReferralUnitOfWork], Depends(app_bus)]
