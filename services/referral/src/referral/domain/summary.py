"""A month of referrals per partner in a region, as a supervisor's dashboard shows them: sent,
completed, conversion and SLA breaches, withheld like the ministry's figures.

A count from 1 to 4 is withheld (`None`), a zero is printed; conversion is printed only when
both counts it stands on are printed and at least `min_cell`. No total is printed beside the
partners, so no withheld count can be worked out by subtraction within the answer. An SLA
breach is a referral the partner did not acknowledge within 2 working days (it expired) or
whose outcome came late (the partner was reminded).
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_CELL = 5


@dataclass(frozen=True)
class PartnerMonth:
    """What the region's referrals to one partner came to in a month (the raw counts)."""

    partner_code: str
    partner_name: str
    sent: int
    completed: int
    sla_breaches: int


@dataclass(frozen=True)
class PublishedPartnerMonth:
    partner_code: str
    partner_name: str
    sent: int | None
    completed: int | None
    conversion: float | None
    sla_breaches: int | None


def withheld(count: int, min_cell: int = MIN_CELL) -> int | None:
    """The count as it may be printed: 0, or `min_cell` and more; otherwise None."""
    return count if count == 0 or count >= min_cell else None


def publish(month: PartnerMonth, min_cell: int = MIN_CELL) -> PublishedPartnerMonth:
    sent, completed = withheld(month.sent, min_cell), withheld(month.completed, min_cell)
    conversion = (
        round(month.completed / month.sent, 4)
        if sent is not None and completed is not None and min(sent, completed) >= min_cell
        else None
    )
    return PublishedPartnerMonth(
        month.partner_code,
        month.partner_name,
        sent,
        completed,
        conversion,
        withheld(month.sla_breaches, min_cell),
    )
