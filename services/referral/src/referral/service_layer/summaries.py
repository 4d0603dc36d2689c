"""A month of the caller's region's referrals per partner, withheld like the ministry's figures."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from referral.domain.summary import MIN_CELL, PublishedPartnerMonth, publish
from referral.service_layer import commands
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.auth import Principal
from shared.calendar import time_zone_of


def month_window(period: str, region_code: str) -> tuple[datetime, datetime]:
    """`YYYY-MM` as the region's offices count it: from its first midnight to the next month's."""
    year, month = (int(part) for part in period.split("-"))
    zone = ZoneInfo(time_zone_of(region_code))
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


async def per_partner(
    uow: ReferralUnitOfWork, actor: Principal, period: str, min_cell: int = MIN_CELL
) -> list[PublishedPartnerMonth]:
    start, end = month_window(period, actor.region or "")
    async with uow:
        counted = await uow.referrals.per_partner(actor.scope, start, end)
    return [publish(month, min_cell) for month in counted]


async def summarise_month(
    cmd: commands.SummariseMonth, uow: ReferralUnitOfWork
) -> list[PublishedPartnerMonth]:
    return await per_partner(uow, cmd.actor, cmd.period)
