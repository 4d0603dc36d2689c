"""What the indicators routes are given besides the caller: the service's container.

Who may call a route is said by the role aliases of `shared.auth` in its signature. The
dependency is `async def`: a plain `def` would cost a worker-thread hop for an attribute.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from indicators.bootstrap import Container


async def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(_container)]
