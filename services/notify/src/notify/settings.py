"""Settings of the notify service (env prefix `NOTIFY_`); defaults fit the local stack."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore", frozen=True)

    service_name: str = "notify"
    # The client service (direct, not through the gateway): the data keys that open the
    # person's values in client events (shared.sealing), fetched with its own account.
    client_service_url: str = "http://127.0.0.1:8101"
    service_client_id: str | None = "service-notify"
    service_client_secret: SecretStr | None = SecretStr("dev-only-service-notify-secret")
    database_url: str = "postgresql+psycopg://notify:notify-dev@127.0.0.1:5432/notify"
    http_port: int = 8104
    consumer_group: str = "notify"
    # How often the worker looks for sessions starting within 24 hours to remind.
    reminder_scan_seconds: float = Field(default=10.0, gt=0)

    # Clients' phone numbers and emails are encrypted at rest (keys never in the database).
    contact_encryption_key: SecretStr = SecretStr("dev-only-contact-encryption-key")
    contact_index_key: SecretStr = SecretStr("dev-only-contact-index-key")

    # Sending: how often due messages are looked for, how many at once, and the lease after
    # which a message claimed by a sender that died is claimed again.
    dispatch_interval_seconds: float = Field(default=0.5, gt=0)
    dispatch_batch: int = Field(default=50, ge=1, le=1000)
    dispatch_lease_seconds: float = Field(default=15.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=20)
    retry_base_seconds: float = Field(default=1.0, gt=0)
    retry_cap_seconds: float = Field(default=600.0, gt=0)

    # Email over SMTP (the local stack's SMTP server in development and tests).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mail_from: str = "Jembatan <no-reply@jembatan.test>"
    message_id_domain: str = "notify.jembatan.test"
    # Supervisors' alerts (SLA breaches) go by email to the province's supervisors' address.
    supervisor_alert_address: str = "pengawas-{province}@jembatan.test"
    # Administrators' alerts (a personal-data breach past its 3 x 24-hour deadline).
    admin_alert_address: str = "admin@jembatan.test"

    # SMS and WhatsApp through the provider's HTTP API (the local stand-in in development).
    provider_name: str = "smsprovider"
    provider_base_url: str = "http://127.0.0.1:8109"
    provider_api_key: SecretStr = SecretStr("dev-only-smsprovider-api-key")
    # An empty key would let anyone sign: refused, and an empty previous secret means none.
    provider_webhook_secret: SecretStr = Field(
        default=SecretStr("dev-only-smsprovider-webhook-secret"), min_length=1
    )
    # While the secret is rotated, webhooks signed with the one before are accepted too.
    provider_webhook_previous_secret: SecretStr | None = None
    # How often the sender forgets webhook ids too old to be replayed.
    webhook_purge_seconds: float = Field(default=60.0, gt=0)
    # Where the provider reports delivery (through the gateway, as an outside company would).
    provider_callback_url: str | None = (
        "http://127.0.0.1:8080/api/notifications/webhooks/smsprovider/status"
    )
    provider_rate_per_second: float = Field(default=50.0, gt=0)
    provider_burst: int = Field(default=100, ge=1)

    # Quiet hours (21:00-07:00 where the client lives) defer messages. End-to-end tests run at
    # any hour and turn them off; refused outside development.
    quiet_hours: bool = True

    # Tests only: after a message is sent, wait this long before recording it, so a test can
    # kill the worker in exactly that window. Refused outside development.
    fault_hold_after_send_seconds: float = Field(default=0.0, ge=0)

    def webhook_secrets(self) -> tuple[bytes, ...]:
        """The secrets a provider's webhook may be signed with: the current one first."""
        secrets = (self.provider_webhook_secret, self.provider_webhook_previous_secret)
        return tuple(s.get_secret_value().encode() for s in secrets if s and s.get_secret_value())

    @model_validator(mode="after")
    def _faults_only_in_development(self) -> NotifySettings:
        if self.fault_hold_after_send_seconds and not self.is_dev:
            raise ValueError("fault injection is for development and tests only")
        if not self.quiet_hours and not self.is_dev:
            raise ValueError("quiet hours may only be turned off in development and tests")
        return self
