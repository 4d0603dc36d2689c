"""Settings of the client service (env prefix `CLIENT_`); defaults fit the local stack."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ClientSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLIENT_", extra="ignore", frozen=True)

    service_name: str = "client"
    consumer_group: str = "client-timeline"  # what it keeps: each client's timeline
    database_url: str = "postgresql+psycopg://client:client-dev@127.0.0.1:5432/client"
    http_port: int = 8101
    # The gateway, for the parts of a client's export that other services keep (the
    # officer's own token goes with each call).
    gateway_url: str = "http://127.0.0.1:8080"
    # How often client-timers looks for tasks falling due.
    task_due_scan_seconds: float = 15.0
    # Keys never live in the database. Each is the input of HKDF; production sets real ones.
    # The NIK keyring, `id=secret,id=secret`, newest first: the first encrypts, all decrypt
    # (rotation: `python -m client.entrypoints.rotate_keys`). Empty: one key, id "1", the
    # secret below, which also reads NIKs stored before key ids existed.
    nik_encryption_keys: SecretStr = SecretStr("")
    nik_encryption_key: SecretStr = SecretStr("dev-only-nik-encryption-key")
    nik_index_key: SecretStr = SecretStr("dev-only-nik-index-key")
    # Wraps each client's data key (`id=secret,...`, newest first, like the NIK keyring).
    data_key_encryption_keys: SecretStr = SecretStr("dev-only-kek=client-data-kek")
    # Its own Keycloak account, allowed only to view the realm's users: the officers a
    # supervisor may give cases to (adapters/staff_directory.py).
    service_client_id: str | None = "service-client"
    service_client_secret: SecretStr | None = SecretStr("dev-only-service-client-secret")
    keycloak_url: str = "http://127.0.0.1:8180"
    keycloak_realm: str = "jembatan"
    # Our services that may fetch clients' data keys to open sealed event values.
    data_key_readers: tuple[str, ...] = (
        "service-referral",
        "service-notify",
        "service-training",
        "service-indicators",
    )
