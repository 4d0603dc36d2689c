"""Settings of the training service (env prefix `TRAINING_`); defaults fit the local stack."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore", frozen=True)

    service_name: str = "training"
    # The client service (direct, not through the gateway): the data keys that open the
    # person's values in client events (shared.sealing), fetched with its own account.
    client_service_url: str = "http://127.0.0.1:8101"
    service_client_id: str | None = "service-training"
    service_client_secret: SecretStr | None = SecretStr("dev-only-service-training-secret")
    database_url: str = "postgresql+psycopg://training:training-dev@127.0.0.1:5432/training"
    http_port: int = 8103
    # Where the public verifies a certificate (printed on every certificate).
    public_base_url: str = "http://localhost:8080"
