"""The indicators worker: `python -m indicators.entrypoints.worker`."""

from __future__ import annotations

import faust

from indicators import bootstrap
from indicators.service_layer.projections import REACTIONS
from indicators.settings import IndicatorsSettings
from shared.messaging.worker import create_worker_app, run_worker, subscribe
from shared.telemetry import configure_telemetry


def create(container: bootstrap.Container) -> faust.App:
    settings = container.settings
    app = create_worker_app(
        settings.consumer_group, settings.kafka_bootstrap_servers, settings.worker_instance_id
    )
    for topic in REACTIONS:
        subscribe(app, topic, container.consumer(topic))
    return app


def main() -> None:
    settings = IndicatorsSettings()
    configure_telemetry("indicators-worker", settings.otlp_endpoint)
    container = bootstrap.build(settings)
    run_worker(create(container), "indicators-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
