"""What the notify routes are given besides the caller: the bus the app was built with.

Who may call a route is said by the role aliases of `shared.auth` in its signature. The
dependency is `async def`: a plain `def` would cost a worker-thread hop for an attribute.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from notify.service_layer.unit_of_work import NotifyUnitOfWork
from shared.messagebus import MessageBus


async def _bus(request: Request) -> MessageBus[NotifyUnitOfWork]:
    bus: MessageBus[NotifyUnitOfWork] = request.app.state.bus
    return bus


Bus = Annotated[MessageBus[NotifyUnitOfWork], Depends(_bus)]
