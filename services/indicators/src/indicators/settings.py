"""Settings of the indicators service (env prefix `INDICATORS_`); defaults fit the local stack."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IndicatorsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INDICATORS_", extra="ignore", frozen=True)

    service_name: str = "indicators"
    # The client service (direct, not through the gateway): the data keys that open the
    # person's values in client events (shared.sealing), fetched with its own account.
    client_service_url: str = "http://127.0.0.1:8101"
    service_client_id: str | None = "service-indicators"
    service_client_secret: SecretStr | None = SecretStr("dev-only-service-indicators-secret")
    database_url: str = "postgresql+psycopg://indicators:indicators-dev@127.0.0.1:5432/indicators"
    http_port: int = 8105
    # A replay rebuilds the read model under a new group name (entrypoints/replay.py).
    consumer_group: str = "indicators"
    # No published cell counts fewer people than this.
    min_cell: int = Field(default=5, ge=1)
