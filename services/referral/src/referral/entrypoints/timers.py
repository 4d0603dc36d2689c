"""The referral service's periodic jobs: `python -m referral.entrypoints.timers`.

Expires referrals a partner did not acknowledge in time, escalates late outcomes (working
days, Indonesian holidays) and erasures a partner did not confirm by their deadline. Database
only, apart from the Kafka consumer, so it runs whether or not Kafka is reachable
(shared.periodic).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from referral import bootstrap
from referral.service_layer.handlers import (
    escalate_overdue_erasures,
    expire_late_referrals,
    remind_late_outcomes,
)
from referral.settings import ReferralSettings
from shared.periodic import Job, run_jobs
from shared.telemetry import configure_logging, configure_telemetry


async def serve(container: bootstrap.Container) -> None:
    async def expire_unacknowledged() -> None:
        now = datetime.now(UTC)
        await expire_late_referrals(container.uow(), now)
        await remind_late_outcomes(container.uow(), now, container.holidays)

    async def escalate_unconfirmed_erasures() -> None:
        await escalate_overdue_erasures(container.uow(), datetime.now(UTC))

    await run_jobs(
        [
            Job(
                "expire and escalate late referrals",
                container.settings.sla_scan_seconds,
                expire_unacknowledged,
            ),
            Job(
                "escalate unconfirmed erasures",
                container.settings.sla_scan_seconds,
                escalate_unconfirmed_erasures,
            ),
        ]
    )
    await container.engine.dispose()


def main() -> None:
    settings = ReferralSettings()
    configure_logging("referral-timers", settings.log_level, settings.log_file)
    configure_telemetry("referral-timers", settings.otlp_endpoint, trace_dir=settings.trace_dir)
    asyncio.run(serve(bootstrap.build(settings)))


if __name__ == "__main__":
    main()
