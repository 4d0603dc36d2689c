"""The referral worker: projections from client and training events, consent withdrawal.

`python -m referral.entrypoints.worker`
"""

from __future__ import annotations

import faust

from referral import bootstrap
from referral.adapters import orm
from referral.service_layer.reactions import consumed
from referral.settings import ReferralSettings
from shared.messaging.worker import consumer_app, run_worker
from shared.telemetry import configure_telemetry

GROUP = "referral"


def create(container: bootstrap.Container) -> faust.App:
    settings = container.settings
    app = consumer_app(
        GROUP,
        settings.kafka_bootstrap_servers,
        settings.worker_instance_id,
        container.sessions,
        orm.inbox,
        consumed(container.keys),
        security=settings.kafka_security,
    )

    return app


def main() -> None:
    settings = ReferralSettings()
    configure_telemetry("referral-worker", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    container = bootstrap.build(settings)
    run_worker(create(container), "referral-worker", settings.log_level, settings.log_file)


if __name__ == "__main__":
    main()
