"""The training worker (client projection): `python -m training.entrypoints.worker`."""

from __future__ import annotations

import socket

import faust

from shared.messaging.worker import consumer_app, run_worker
from shared.telemetry import configure_telemetry
from training import bootstrap
from training.adapters import orm
from training.service_layer.reactions import consumed
from training.settings import TrainingSettings

GROUP = "training"


def create(container: bootstrap.Container) -> faust.App:
    settings = container.settings
    app = consumer_app(
        GROUP,
        settings.kafka_bootstrap_servers,
        f"training-{socket.gethostname()}",
        container.sessions,
        orm.inbox,
        consumed(container.keys),
        security=settings.kafka_security,
    )
    return app


def main() -> None:
    settings = TrainingSettings()
    configure_telemetry("training-worker", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    container = bootstrap.build(settings)
    run_worker(create(container), "training-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
