"""What the notify routes are given besides the caller: the bus the app was built with.

Who may call a route is said by the role aliases of `shared.auth` in its signature.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from notify.service_layer.unit_of_work import NotifyUnitOfWork
from shared.http import app_bus
from shared.messagebus import MessageBus

Bus = Annotated[MessageBus[NotifyUnitOfWork], Depends(app_bus)]
