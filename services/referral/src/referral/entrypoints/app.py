"""The referral API process: `uvicorn --factory referral.entrypoints.app:create`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from referral import bootstrap
from referral.adapters import orm
from referral.entrypoints.catalogue_api import catalogue_router
from referral.entrypoints.partner_api import partner_router, webhook_key_router
from referral.entrypoints.referrals_api import officer_router
from referral.service_layer.bus import message_bus
from referral.settings import ReferralSettings
from shared.http import configure_api_process, create_app


def create(settings: ReferralSettings | None = None, *, configure_process: bool = True) -> FastAPI:
    settings = settings or ReferralSettings()
    if configure_process:
        configure_api_process(settings)
    container = bootstrap.build(settings, rows="caller")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await container.clients.close()

    app = create_app(
        settings,
        title="Jembatan referrals",
        description="Refer consenting clients to licensed partners; the partner side of it.",
        routers=[officer_router, catalogue_router, partner_router, webhook_key_router],
        engine=container.engine,
        lifespan=lifespan,
        idempotency_keys=orm.idempotency_keys,
    )
    app.state.container = container
    app.state.bus = message_bus(
        container.sessions, container.context(), container.provisioning(), container.keys
    )
    return app
