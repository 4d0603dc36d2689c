"""The training API process: `uvicorn --factory training.entrypoints.app:create`."""

from __future__ import annotations

from fastapi import FastAPI

from shared.http import configure_api_process, create_app
from training import bootstrap
from training.adapters import orm
from training.entrypoints.api import router
from training.service_layer.bus import message_bus
from training.settings import TrainingSettings


def create(settings: TrainingSettings | None = None, *, configure_process: bool = True) -> FastAPI:
    settings = settings or TrainingSettings()
    if configure_process:
        configure_api_process(settings)
    container = bootstrap.build(settings, rows="caller")
    app = create_app(
        container.settings,
        title="Jembatan training records",
        description="Financial-literacy programmes for clients and officers, and certificates.",
        routers=[router],
        engine=container.engine,
        idempotency_keys=orm.idempotency_keys,
    )
    app.state.container = container
    app.state.bus = message_bus(container.sessions, container.keys)
    return app
