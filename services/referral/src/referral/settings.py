"""Settings of the referral service (env prefix `REFERRAL_`); defaults fit the local stack."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReferralSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore", frozen=True)

    service_name: str = "referral"
    database_url: str = "postgresql+psycopg://referral:referral-dev@127.0.0.1:5432/referral"
    http_port: int = 8102
