"""The notify API process: `uvicorn --factory notify.entrypoints.app:create`."""

from __future__ import annotations

from fastapi import FastAPI

from notify import bootstrap
from notify.entrypoints.api import router
from notify.service_layer.bus import message_bus
from notify.settings import NotifySettings
from shared.http import configure_api_process, create_app


def create(settings: NotifySettings | None = None, *, configure_process: bool = True) -> FastAPI:
    settings = settings or NotifySettings()
    if configure_process:
        configure_api_process(settings)
    container = bootstrap.build(settings, rows="caller")
    app = create_app(
        container.settings,
        title="Jembatan notifications",
        description="What each client was told, over which channel, and what became of it.",
        routers=[router],
        engine=container.engine,
    )
    app.state.container = container
    app.state.bus = message_bus(container.sessions, container.rules.contacts)
    return app
