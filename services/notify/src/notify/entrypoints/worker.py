"""The notify worker process: `python -m notify.entrypoints.worker`.

A faust-streaming app that subscribes each consumed topic to an idempotent consumer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from notify import bootstrap
from notify.service_layer.reactions import CONSUMED, schedule
from notify.service_layer.training import remind_upcoming
from notify.settings import NotifySettings
from shared.messaging.worker import create_worker_app, run_worker, subscribe
from shared.telemetry import configure_telemetry


def create(container: bootstrap.Container) -> faust.App:
    app = create_worker_app(
        container.settings.consumer_group,
        container.settings.kafka_bootstrap_servers,
        container.settings.worker_instance_id,
    )
    for topic in CONSUMED:
        subscribe(app, topic, container.consumer(topic))

    async def remind_sessions_starting_soon() -> None:
        await remind_upcoming(container.sessions, schedule, datetime.now(UTC))

    app.timer(interval=container.settings.reminder_scan_seconds)(remind_sessions_starting_soon)
    return app


def main() -> None:
    settings = NotifySettings()
    configure_telemetry("notify-worker", settings.otlp_endpoint)
    container = bootstrap.build(settings)
    run_worker(create(container), "notify-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
