"""Settings of the referral service (env prefix `REFERRAL_`); defaults fit the local stack."""

from __future__ import annotations

import socket
from typing import Literal

from pydantic import Field, SecretStr, model_validator
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
    # Onboarding partners: its own Keycloak account, which may manage clients and nothing
    # more, and the replication of the partner topics it makes (3 in a cluster).
    keycloak_url: str = "http://127.0.0.1:8180"
    keycloak_realm: str = "jembatan"
    onboarding_client_id: str = "service-onboarding"
    onboarding_client_secret: SecretStr = SecretStr("dev-only-service-onboarding-secret")
    partner_topic_replicas: int = Field(default=1, ge=1)
    # Tests only: an onboarding or offboarding stops after this step, as a crash would.
    fault_onboarding_stop_after: Literal["client", "topic", "acls"] | None = None
    sla_scan_seconds: float = 30.0
    worker_instance_id: str = Field(default_factory=lambda: f"referral-{socket.gethostname()}")

    @model_validator(mode="after")
    def _no_faults_outside_dev(self) -> ReferralSettings:
        if self.fault_onboarding_stop_after and not self.is_dev:
            raise ValueError("fault injection is for development and tests only")
        return self
