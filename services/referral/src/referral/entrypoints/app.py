"""The referral API process: `uvicorn --factory referral.entrypoints.app:create`.

The routes of this service arrive with its own issue; until then it serves health and OpenAPI.
"""

from __future__ import annotations

from fastapi import FastAPI

from referral import bootstrap
from referral.settings import ReferralSettings
from shared.http import create_app
from shared.telemetry import configure_logging, configure_telemetry


def create(settings: ReferralSettings | None = None, *, configure_process: bool = True) -> FastAPI:
    settings = settings or ReferralSettings()
    if configure_process:
        configure_logging("referral-api", settings.log_level, settings.log_file)
        configure_telemetry("referral-api", settings.otlp_endpoint)
    container = bootstrap.build(settings)
    app = create_app(
        container.settings, title="Jembatan referrals", routers=[], engine=container.engine
    )
    app.state.container = container
    return app
