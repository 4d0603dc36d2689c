"""The notify sender process: `python -m notify.entrypoints.sender`.

Sends what is due (and reminds the enrolled of tomorrow's trainings, and forgets the
provider's webhook ids once they are too old to be replayed) from the database, apart
from the Kafka consumer: it keeps sending while Kafka is away, and scales on its own. Several
senders may run; rows are claimed with SKIP LOCKED (decision 0008).
"""

from __future__ import annotations

import asyncio

from notify import bootstrap
from notify.service_layer import inbound
from notify.service_layer.training import remind_upcoming
from notify.settings import NotifySettings
from shared.periodic import Job, run_jobs
from shared.telemetry import configure_logging, configure_telemetry


async def serve(container: bootstrap.Container) -> None:
    settings = container.settings
    dispatcher = container.dispatcher()

    async def send_due_messages() -> None:
        while await dispatcher.dispatch_due() == settings.dispatch_batch:
            pass  # a full batch: more may be waiting

    async def remind_sessions_starting_soon() -> None:
        await remind_upcoming(container.sessions, container.rules, container.rules.clock())

    async def forget_old_webhooks() -> None:
        await inbound.forget_old_webhooks(container.sessions, container.rules)

    await run_jobs(
        [
            Job("send due messages", settings.dispatch_interval_seconds, send_due_messages),
            Job(
                "remind upcoming sessions",
                settings.reminder_scan_seconds,
                remind_sessions_starting_soon,
            ),
            Job("forget old webhook ids", settings.webhook_purge_seconds, forget_old_webhooks),
        ]
    )
    await container.engine.dispose()


def main() -> None:
    settings = NotifySettings()
    configure_logging("notify-sender", settings.log_level, settings.log_file)
    configure_telemetry("notify-sender", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    asyncio.run(serve(bootstrap.build(settings)))


if __name__ == "__main__":
    main()
