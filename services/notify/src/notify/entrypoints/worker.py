"""The notify worker process: `python -m notify.entrypoints.worker`.

A faust-streaming app: each consumed topic feeds an idempotent consumer that plans messages.
Sending them is the sender's work (`notify.entrypoints.sender`).
"""

from __future__ import annotations

import faust

from notify import bootstrap
from notify.adapters import orm
from notify.service_layer.reactions import consumed
from notify.settings import NotifySettings
from shared.messaging.worker import consumer_app, run_worker
from shared.telemetry import configure_telemetry


def create(container: bootstrap.Container) -> faust.App:
    settings = container.settings
    return consumer_app(
        settings.consumer_group,
        settings.kafka_bootstrap_servers,
        settings.worker_instance_id,
        container.sessions,
        orm.inbox,
        consumed(container.rules, container.keys),
        security=settings.kafka_security,
    )


def main() -> None:
    settings = NotifySettings()
    configure_telemetry("notify-worker", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    container = bootstrap.build(settings)
    run_worker(create(container), "notify-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
