"""The client API process: `uvicorn --factory client.entrypoints.app:create`."""

from __future__ import annotations

from fastapi import FastAPI

from client import bootstrap
from client.adapters import orm
from client.entrypoints import breach_api, cases_api, duplicates_api, internal_api, privacy_api
from client.entrypoints.api import audit_router, router
from client.settings import ClientSettings
from shared.http import configure_api_process, create_app


def create(settings: ClientSettings | None = None, *, configure_process: bool = True) -> FastAPI:
    settings = settings or ClientSettings()
    if configure_process:
        configure_api_process(settings)
    container = bootstrap.build(settings, rows="caller")
    app = create_app(
        settings,
        title="Jembatan client intake",
        description="Register workers and UMKM, record consent, follow their cases.",
        routers=[
            router,
            cases_api.router,
            cases_api.bulk_router,
            cases_api.tasks_router,
            cases_api.staff_router,
            duplicates_api.router,
            audit_router,
            privacy_api.router,
            privacy_api.requests_router,
            breach_api.router,
            internal_api.router,
        ],
        engine=container.engine,
        idempotency_keys=orm.idempotency_keys,
    )
    app.state.container = container
    return app
