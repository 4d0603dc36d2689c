"""The client service's periodic jobs: `python -m client.entrypoints.timers`.

Announces tasks falling due (`jembatan.task.due.v1`), escalates breaches past their
3 x 24-hour deadline (`jembatan.breach.escalated.v1`), both through the outbox, and registers
the client sheets officers uploaded (import jobs). Database only, so it runs whether or not
Kafka is reachable (shared.periodic).
"""

from __future__ import annotations

from datetime import UTC, datetime

from client import bootstrap
from client.service_layer import import_jobs
from client.service_layer.breaches import escalate_late_breaches
from client.service_layer.follow_ups import announce_due_tasks
from client.settings import ClientSettings
from shared.periodic import Job, run_timers

# A late breach is escalated within a minute of its deadline.
BREACH_SCAN_SECONDS = 60.0
# An uploaded sheet starts within half a second.
IMPORT_SCAN_SECONDS = 0.5


def jobs(container: bootstrap.Container) -> list[Job]:
    async def announce_tasks_falling_due() -> None:
        await announce_due_tasks(container.uow(), datetime.now(UTC))

    async def escalate_breaches_past_their_deadline() -> None:
        await escalate_late_breaches(container.uow(), datetime.now(UTC))

    async def register_uploaded_sheets() -> None:
        await import_jobs.run_waiting(container.sheets, container.uow, container.context())

    return [
        Job("register uploaded sheets", IMPORT_SCAN_SECONDS, register_uploaded_sheets),
        Job(
            "announce tasks falling due",
            container.settings.task_due_scan_seconds,
            announce_tasks_falling_due,
        ),
        Job(
            "escalate breaches past their deadline",
            BREACH_SCAN_SECONDS,
            escalate_breaches_past_their_deadline,
        ),
    ]


def main() -> None:
    run_timers(ClientSettings(), bootstrap.build, jobs)


if __name__ == "__main__":
    main()
