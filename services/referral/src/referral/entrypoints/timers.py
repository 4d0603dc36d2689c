"""The referral service's periodic jobs: `python -m referral.entrypoints.timers`.

Expires referrals a partner did not acknowledge in time and escalates late outcomes (working
days, Indonesian holidays). Database only, apart from the Kafka consumer, so it runs whether
or not Kafka is reachable (shared.periodic).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from referral import bootstrap
from referral.service_layer.handlers import expire_late_referrals, remind_late_outcomes
from referral.settings import ReferralSettings
from shared.periodic import Job, run_jobs
from shared.telemetry import configure_logging, configure_telemetry


async def serve(container: bootstrap.Container) -> None:
    async def expire_unacknowledged() -> None:
        now = datetime.now(UTC)
        await expire_late_referrals(container.uow(), now)
        await remind_late_outcomes(container.uow(), now, container.holidays)

    await run_jobs(
        [
            Job(
                "expire and escalate late referrals",
                container.settings.sla_scan_seconds,
                expire_unacknowledged,
            )
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
