"""Settings of the referral service (env prefix `REFERRAL_`); defaults fit the local stack."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_ONLY_SECRET_PREFIX, ServiceSettings

# Where development makes its webhook signing key at first use (never committed; .cache).
DEV_WEBHOOK_KEY = Path(".cache/referral/dev-only-webhook-signing-key.pem")


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
    # Webhooks to partners without Kafka (decision 0021). The dispatcher signs with the
    # private key; the API publishes the public half (from `webhook_public_key_file`, or
    # derived from the private key where the API may read it). Unset in development: a key
    # made at first use under .cache. Outside development both must be set, and a path
    # marked dev-only is refused.
    webhook_signing_key_file: str | None = None
    webhook_public_key_file: str | None = None
    webhook_attempts: int = Field(default=10, ge=1, le=50)
    webhook_first_pause_seconds: float = Field(default=1.0, ge=0)
    webhook_max_pause_seconds: float = Field(default=300.0, ge=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # How often the dispatcher rereads which partners have a callback URL, and looks for
    # dead letters an operator asked to redrive.
    webhook_refresh_seconds: float = Field(default=30.0, gt=0)
    webhook_redrive_scan_seconds: float = Field(default=10.0, gt=0)
    # A dead letter's body is kept as long as the partner's topic keeps the event.
    webhook_body_retention_hours: float = Field(default=70.0, gt=0)

    @model_validator(mode="after")
    def _no_faults_outside_dev(self) -> ReferralSettings:
        if self.fault_onboarding_stop_after and not self.is_dev:
            raise ValueError("fault injection is for development and tests only")
        return self

    @model_validator(mode="after")
    def _no_dev_webhook_key_outside_dev(self) -> ReferralSettings:
        for name in ("webhook_signing_key_file", "webhook_public_key_file"):
            path = getattr(self, name)
            if not self.is_dev and path and DEV_ONLY_SECRET_PREFIX in Path(path).name:
                raise ValueError(f"{name} names a development key outside development")
        return self

    def webhook_signing_key_path(self) -> Path:
        """The private key's file; outside development it must have been set."""
        if self.webhook_signing_key_file:
            return Path(self.webhook_signing_key_file)
        if not self.is_dev:
            raise ValueError("webhook_signing_key_file must be set outside development")
        return DEV_WEBHOOK_KEY
