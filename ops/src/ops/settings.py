"""Where the command line finds the services: the same variables the services read
(`CLIENT_DATABASE_URL`, …), so on a cluster the operator's shell gets their values; the
defaults are the local stack of `make up`."""

from __future__ import annotations

from enum import StrEnum

from pydantic_settings import BaseSettings, SettingsConfigDict


class Service(StrEnum):
    """The services that keep an outbox."""

    client = "client"
    referral = "referral"
    training = "training"
    notify = "notify"


def _local(service: str) -> str:
    return f"postgresql+psycopg://{service}:{service}-dev@127.0.0.1:5432/{service}"


class OpsSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    client_database_url: str = _local("client")
    referral_database_url: str = _local("referral")
    training_database_url: str = _local("training")
    notify_database_url: str = _local("notify")

    def database_url(self, service: Service) -> str:
        return str(getattr(self, f"{service.value}_database_url"))
