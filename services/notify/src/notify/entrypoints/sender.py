"""The notify sender process: `python -m notify.entrypoints.sender`.

Sends what is due (and reminds the enrolled of tomorrow's trainings, and forgets the
provider's webhook ids once they are too old to be replayed) from the database, apart
from the Kafka consumer: it keeps sending while Kafka is away, and scales on its own. Several
senders may run; rows are claimed with SKIP LOCKED (decision 0008).
"""

from __future__ import annotations

from notify import bootstrap
from notify.service_layer import inbound
from notify.service_layer.training import remind_upcoming
from notify.settings import NotifySettings
from shared.periodic import Job, run_timers


def jobs(container: bootstrap.Container) -> list[Job]:
    """Built inside the running event loop, as the dispatcher's HTTP client must be."""
    settings = container.settings
    dispatcher = container.dispatcher()

    async def send_due_messages() -> None:
        while await dispatcher.dispatch_due() == settings.dispatch_batch:
            pass  # a full batch: more may be waiting

    async def remind_sessions_starting_soon() -> None:
        await remind_upcoming(container.sessions, container.rules, container.rules.clock())

    async def forget_old_webhooks() -> None:
        await inbound.forget_old_webhooks(container.sessions, container.rules)

    return [
        Job("send due messages", settings.dispatch_interval_seconds, send_due_messages),
        Job(
            "remind upcoming sessions",
            settings.reminder_scan_seconds,
            remind_sessions_starting_soon,
        ),
        Job("forget old webhook ids", settings.webhook_purge_seconds, forget_old_webhooks),
    ]


def main() -> None:
    run_timers(NotifySettings(), bootstrap.build, jobs, process="sender")


if __name__ == "__main__":
    main()
