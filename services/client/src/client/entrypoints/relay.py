"""The client service's outbox relay process: `python -m client.entrypoints.relay`."""

from __future__ import annotations

import signal
import threading

from client.settings import ClientSettings
from shared import db
from shared.messaging.relay import OutboxRelay, kafka_producer
from shared.telemetry import configure_logging, configure_telemetry


def main() -> None:
    settings = ClientSettings()
    configure_logging("client-relay", settings.log_level, settings.log_file)
    configure_telemetry("client-relay", settings.otlp_endpoint)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    engine = db.sync_engine(settings.database_url)
    relay = OutboxRelay(
        engine,
        lambda: kafka_producer(settings.kafka_bootstrap_servers, "client-relay"),
        service="client",
    )
    relay.run(stop)


if __name__ == "__main__":
    main()
