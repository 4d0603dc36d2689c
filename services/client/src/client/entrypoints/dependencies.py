"""Typed FastAPI dependencies of the client API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from client.bootstrap import Container
from client.service_layer.unit_of_work import SqlUnitOfWork
from shared.auth import Principal, require_roles


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _uow(container: Annotated[Container, Depends(_container)]) -> SqlUnitOfWork:
    return container.uow()


UowDep = Annotated[SqlUnitOfWork, Depends(_uow)]
# Officers and supervisors work with people's records; no other role sees one.
CaseWorker = Annotated[Principal, Depends(require_roles("officer", "supervisor"))]
