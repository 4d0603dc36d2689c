"""The notify worker process: `python -m notify.entrypoints.worker`.

A faust-streaming app: each consumed topic feeds an idempotent consumer that plans messages;
timers send what is due and remind the enrolled of tomorrow's trainings.
"""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from notify import bootstrap
from notify.service_layer.dispatch import Dispatcher
from notify.service_layer.reactions import consumed
from notify.service_layer.training import remind_upcoming
from notify.settings import NotifySettings
from shared.messaging.worker import create_worker_app, every, run_worker, subscribe
from shared.telemetry import configure_telemetry


def create(container: bootstrap.Container) -> faust.App:
    settings = container.settings
    app = create_worker_app(
        settings.consumer_group, settings.kafka_bootstrap_servers, settings.worker_instance_id
    )
    for topic in consumed(container.rules):
        subscribe(app, topic, container.consumer(topic))
    dispatcher: list[Dispatcher] = []  # built on first use, inside the running loop

    async def send_due_messages() -> None:
        if not dispatcher:
            dispatcher.append(container.dispatcher())
        while await dispatcher[0].dispatch_due() == settings.dispatch_batch:
            pass  # a full batch: more may be waiting

    async def remind_sessions_starting_soon() -> None:
        await remind_upcoming(container.sessions, container.rules, datetime.now(UTC))

    every(app, settings.dispatch_interval_seconds, send_due_messages)
    every(app, settings.reminder_scan_seconds, remind_sessions_starting_soon)
    return app


def main() -> None:
    settings = NotifySettings()
    configure_telemetry("notify-worker", settings.otlp_endpoint)
    container = bootstrap.build(settings)
    run_worker(create(container), "notify-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
