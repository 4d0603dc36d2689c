"""Settings of the notify service (env prefix `NOTIFY_`); defaults fit the local stack."""

from __future__ import annotations

import socket

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore", frozen=True)

    service_name: str = "notify"
    database_url: str = "postgresql+psycopg://notify:notify-dev@127.0.0.1:5432/notify"
    http_port: int = 8104
    consumer_group: str = "notify"
    # Unique per running worker (static group membership); Kubernetes sets the pod name.
    worker_instance_id: str = Field(default_factory=lambda: f"notify-{socket.gethostname()}")
    # How often the worker looks for sessions starting within 24 hours to remind.
    reminder_scan_seconds: float = Field(default=10.0, gt=0)
