"""The client worker process (the timeline projection): `python -m client.entrypoints.worker`."""

from __future__ import annotations

import faust

from client import bootstrap
from client.adapters import orm
from client.service_layer.reactions import consumed
from client.settings import ClientSettings
from shared.messaging.worker import consumer_app, run_worker
from shared.telemetry import configure_telemetry

GROUP = "client-timeline"


def create(container: bootstrap.Container) -> faust.App:
    settings = container.settings
    app = consumer_app(
        GROUP,
        settings.kafka_bootstrap_servers,
        settings.worker_instance_id,
        container.sessions,
        orm.inbox,
        consumed(),
        security=settings.kafka_security,
    )

    return app


def main() -> None:
    settings = ClientSettings()
    configure_telemetry("client-worker", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    container = bootstrap.build(settings)
    run_worker(create(container), "client-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
