"""Settings every service shares; each service subclasses with its own env prefix.

Defaults fit the local stack of `make up`, so a developer needs no env file. Nothing is
created at import: a service builds its settings once, in `bootstrap.build()`.
"""

from __future__ import annotations

import socket

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kafka_security import KafkaSecurity, Mechanism, Protocol

LOCAL_ISSUER = "http://localhost:8180/realms/jembatan"
DEV_ONLY_SECRET_PREFIX = "dev-only-"  # noqa: S105  (a marker, not a secret)


class ServiceSettings(BaseSettings):
    """Connection and identity settings of one service (API, relay or worker)."""

    model_config = SettingsConfigDict(env_prefix="JEMBATAN_", extra="ignore", frozen=True)

    service_name: str
    environment: str = "dev"
    database_url: str
    # Each service is its own Kafka user (shared.kafka_security): locally over the SCRAM
    # listener without TLS, in a cluster over TLS. The user defaults to the service's name
    # and, in development only, the password to the local broker's `dev-only-kafka-<user>`
    # (infra/kafka/access.py).
    kafka_bootstrap_servers: str = "127.0.0.1:9095"
    kafka_security_protocol: Protocol = "SASL_PLAINTEXT"
    kafka_sasl_mechanism: Mechanism | None = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None
    oidc_issuer: str = LOCAL_ISSUER
    # Fetched over the internal address; `iss` is still checked against the public issuer.
    oidc_jwks_url: str = f"{LOCAL_ISSUER}/protocol/openid-connect/certs"
    oidc_audience: str = "jembatan-api"
    # This service's own Keycloak account (role `service`), for its calls to other services;
    # a service that makes none leaves them unset.
    oidc_token_url: str = f"{LOCAL_ISSUER}/protocol/openid-connect/token"
    service_client_id: str | None = None
    service_client_secret: SecretStr | None = None
    token_leeway_seconds: int = Field(default=10, ge=0, le=60)
    log_level: str = "INFO"
    log_file: str | None = None
    otlp_endpoint: str | None = None
    trace_dir: str | None = None  # spans as JSON lines, one file per process (local only)
    # A worker's static group membership needs a name unique per running worker: in a cluster
    # the pod's (the Deployments set it), else the service's and the host's.
    worker_instance_id: str = Field(
        default_factory=lambda fields: f"{fields['service_name']}-{socket.gethostname()}"
    )
    # The worker's consumer group: the service's name unless the service says otherwise.
    consumer_group: str = Field(default_factory=lambda fields: str(fields["service_name"]))

    @property
    def is_dev(self) -> bool:
        return self.environment == "dev"

    @property
    def kafka_security(self) -> KafkaSecurity:
        user = self.kafka_sasl_username or self.service_name
        password = self.kafka_sasl_password
        if password is None and self.is_dev:
            password = SecretStr(f"{DEV_ONLY_SECRET_PREFIX}kafka-{user}")
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            mechanism=self.kafka_sasl_mechanism,
            username=user,
            password=password.get_secret_value() if password else None,
            cafile=self.kafka_ssl_cafile,
        )

    # Tests only (the chaos suite): the relay waits this long after the broker acknowledged a
    # batch and before marking it sent, so a kill lands in exactly that window. Refused
    # outside development.
    fault_relay_hold_after_ack_seconds: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _no_dev_secrets_outside_dev(self) -> ServiceSettings:
        """The dev defaults of secrets are public; refuse them anywhere but development."""
        if self.is_dev:
            return self
        if self.fault_relay_hold_after_ack_seconds:
            raise ValueError("fault injection is for development and tests only")
        if not self.kafka_security_protocol.endswith("SSL"):
            raise ValueError("kafka_security_protocol must use TLS outside development")
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value().startswith(
                DEV_ONLY_SECRET_PREFIX
            ):
                raise ValueError(f"{name} must be set to a real secret outside development")
        return self


def service_account(settings: ServiceSettings) -> tuple[str, str, str]:
    """(token URL, client id, secret) of the service's own Keycloak account."""
    if settings.service_client_id is None or settings.service_client_secret is None:
        raise ValueError(f"{settings.service_name} has no service account configured")
    return (
        settings.oidc_token_url,
        settings.service_client_id,
        settings.service_client_secret.get_secret_value(),
    )
