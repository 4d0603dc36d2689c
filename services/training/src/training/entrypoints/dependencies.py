"""What the training routes are given: the bus the app was built with, and the settings.

Who may call a route is said by the role aliases of `shared.auth` (`CaseWorker`, `Admin`,
`Supervisor`) in its signature. All are `async def`: a plain `def` dependency would cost a
worker-thread hop for an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.http import app_bus
from shared.messagebus import MessageBus
from training.service_layer.unit_of_work import TrainingUnitOfWork
from training.settings import TrainingSettings


async def _settings(request: Request) -> TrainingSettings:
    settings: TrainingSettings = request.app.state.container.settings
    return settings


Bus = Annotated[MessageBus[TrainingUnitOfWork], Depends(app_bus)]
Settings = Annotated[TrainingSettings, Depends(_settings)]
