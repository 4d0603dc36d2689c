"""The indicators worker: `python -m indicators.entrypoints.worker`."""

from __future__ import annotations

import faust

from indicators import bootstrap
from indicators.adapters import orm
from indicators.service_layer.projections import consumed
from indicators.settings import IndicatorsSettings
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
        consumed(container.holidays, container.keys),
        security=settings.kafka_security,
    )


def main() -> None:
    settings = IndicatorsSettings()
    configure_telemetry("indicators-worker", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    container = bootstrap.build(settings)
    run_worker(create(container), "indicators-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
