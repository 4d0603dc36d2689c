"""The indicators API process: `uvicorn --factory indicators.entrypoints.app:create`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from indicators import bootstrap
from indicators.entrypoints.api import regional_router, router
from indicators.service_layer.bus import message_bus
from indicators.settings import IndicatorsSettings
from shared.http import configure_api_process, create_app


def create(
    settings: IndicatorsSettings | None = None, *, configure_process: bool = True
) -> FastAPI:
    settings = settings or IndicatorsSettings()
    if configure_process:
        configure_api_process(settings)
    container = bootstrap.build(settings)
    app = create_app(
        container.settings,
        title="Jembatan ministry indicators",
        description="Financial-inclusion indicators by month and area. Aggregates only.",
        routers=[router, regional_router],
        engine=container.engine,
    )
    app.state.container = container
    app.state.bus = message_bus(container.sessions, container.settings.min_cell)

    # The ministry reads its API under /api/ministry/…, so its document is there too; the
    # service's own name (/api/indicators/openapi.json, decision 0009) stays.
    @app.get("/api/ministry/openapi.json", include_in_schema=False)
    async def ministry_openapi() -> dict[str, Any]:
        return app.openapi()

    return app
