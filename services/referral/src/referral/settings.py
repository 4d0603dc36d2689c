"""Settings of the referral service (env prefix `REFERRAL_`); defaults fit the local stack."""

from __future__ import annotations

import socket

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReferralSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore", frozen=True)

    service_name: str = "referral"
    database_url: str = "postgresql+psycopg://referral:referral-dev@127.0.0.1:5432/referral"
    http_port: int = 8102
    # The client service, called directly (not through the gateway) for referral profiles.
    client_service_url: str = "http://127.0.0.1:8101"
    # Its own Keycloak account, with which it reads a partner's applicant from the client service.
    service_client_id: str | None = "service-referral"
    service_client_secret: SecretStr | None = SecretStr("dev-only-service-referral-secret")
    sla_scan_seconds: float = 30.0
    worker_instance_id: str = Field(default_factory=lambda: f"referral-{socket.gethostname()}")
