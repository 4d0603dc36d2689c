"""Typed FastAPI dependencies of the client API.

All are `async def`: FastAPI runs a plain `def` dependency in a worker thread, three thread
hops per request for what is an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from client.bootstrap import Container
from client.service_layer.handlers import Context
from client.service_layer.unit_of_work import SqlUnitOfWork
from shared.auth import Admin as Admin
from shared.auth import CaseWorker as CaseWorker
from shared.auth import Principal, require_roles, require_service
from shared.auth import Supervisor as Supervisor
from shared.http import app_container


async def _uow(container: Annotated[Container, Depends(app_container)]) -> SqlUnitOfWork:
    return container.uow()


async def _context(container: Annotated[Container, Depends(app_container)]) -> Context:
    return container.context()


UowDep = Annotated[SqlUnitOfWork, Depends(_uow)]
ContainerDep = Annotated[Container, Depends(app_container)]
ContextDep = Annotated[Context, Depends(_context)]
# The roles are shared.auth's (CaseWorker: officers and supervisors, the only ones who see a
# person's record). Breaches: administrators record and act on them; a supervisor reads
# their province's.
BreachReader = Annotated[Principal, Depends(require_roles("admin", "supervisor"))]
# The referral service's own account: a partner reads its referral's applicant through it.
ReferralService = Annotated[Principal, Depends(require_service("service-referral"))]
