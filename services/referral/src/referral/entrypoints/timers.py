"""The referral service's periodic jobs: `python -m referral.entrypoints.timers`.

Expires referrals a partner did not acknowledge in time, escalates late outcomes (working
days, Indonesian holidays) and erasures a partner did not confirm by their deadline. Database
only, apart from the Kafka consumer, so it runs whether or not Kafka is reachable
(shared.periodic).
"""

from __future__ import annotations

from datetime import UTC, datetime

from referral import bootstrap
from referral.service_layer.handlers import (
    escalate_overdue_erasures,
    expire_late_referrals,
    remind_late_outcomes,
)
from referral.settings import ReferralSettings
from shared.periodic import Job, run_timers


def jobs(container: bootstrap.Container) -> list[Job]:
    async def expire_unacknowledged() -> None:
        now = datetime.now(UTC)
        await expire_late_referrals(container.uow(), now)
        await remind_late_outcomes(container.uow(), now, container.holidays)

    async def escalate_unconfirmed_erasures() -> None:
        await escalate_overdue_erasures(container.uow(), datetime.now(UTC))

    every = container.settings.sla_scan_seconds
    return [
        Job("expire and escalate late referrals", every, expire_unacknowledged),
        Job("escalate unconfirmed erasures", every, escalate_unconfirmed_erasures),
    ]


def main() -> None:
    run_timers(ReferralSettings(), bootstrap.build, jobs)


if __name__ == "__main__":
    main()
