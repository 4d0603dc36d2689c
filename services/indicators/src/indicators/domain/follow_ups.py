"""The shares of accounts in the client's own name at 30 days and in use at 90, by sex and area.

An account a partner opened through a referral gets two follow-ups from the client's officer,
30 and 90 days after it was opened. A follow-up counts in the month of its day, and only once
that day has come: an answer given early waits for it, so no figure speaks of an account
before it is 30 or 90 days old. Of the clients of one sex in an area,

    in own name at 30 days: 30-day follow-ups answered "in the client's own name"
                            / 30-day follow-ups where that was asked
    in use at 90 days:      90-day follow-ups answered "in use" / 90-day follow-ups answered

Like every ratio the indicators publish, a share is printed only when both counts are at least
the threshold, and the counts themselves are never printed, so no published sum ties them to
anything (as for the erasures, `domain/erasures.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from indicators.domain.erasures import share
from indicators.domain.report import SEXES, area_of

Shares = dict[str, float | None]  # sex -> share, or None when withheld


@dataclass(frozen=True)
class FollowUpRow:
    region_code: str
    sex: str  # the client's, from the registration
    days: int  # 30 or 90
    due_on: date  # the follow-up's day, in the office's calendar
    account_in_own_name: bool | None  # asked at 30 days
    account_in_use: bool

    def counted(self, period: str, today: date) -> bool:
        return self.due_on.strftime("%Y-%m") == period and self.due_on <= today


@dataclass(frozen=True)
class BySex:
    """One figure's shares by sex, for the whole of the answer and each of its areas."""

    total: Shares
    areas: dict[str, Shares]
    sexes: tuple[str, ...] = field(default=SEXES)

    def of_area(self, region_code: str) -> Shares:
        """An area's shares; an area without a follow-up has every sex withheld."""
        return self.areas.get(region_code, dict.fromkeys(self.sexes))


@dataclass(frozen=True)
class FollowUpShares:
    in_own_name_at_30_days: BySex
    in_use_at_90_days: BySex


@dataclass
class _Tally:
    yes: dict[str | None, Counter[str]] = field(default_factory=lambda: {None: Counter()})
    asked: dict[str | None, Counter[str]] = field(default_factory=lambda: {None: Counter()})

    def add(self, area: str, sex: str, answer: bool) -> None:
        for where in (None, area):
            self.asked.setdefault(where, Counter())[sex] += 1
            self.yes.setdefault(where, Counter())[sex] += int(answer)

    def by_sex(self, sexes: tuple[str, ...], min_cell: int) -> BySex:
        def shares(where: str | None) -> Shares:
            return {s: share(self.yes[where][s], self.asked[where][s], min_cell) for s in sexes}

        return BySex(
            total=shares(None),
            areas={code: shares(code) for code in sorted(c for c in self.asked if c is not None)},
            sexes=sexes,
        )


def account_shares(
    rows: Iterable[FollowUpRow], period: str, today: date, within: str, min_cell: int
) -> FollowUpShares:
    """Both shares for the whole of `within` and each of its areas (provinces of the country,
    regencies of a province), from the follow-ups of `period` due by `today`. Every row lists
    F and M, and after them any other sex the follow-ups hold."""
    own_name, in_use = _Tally(), _Tally()
    seen: set[str] = set()
    for row in rows:
        if not row.counted(period, today):
            continue
        seen.add(row.sex)
        area = area_of(row.region_code, within)
        if row.days == 30 and row.account_in_own_name is not None:
            own_name.add(area, row.sex, row.account_in_own_name)
        elif row.days == 90:
            in_use.add(area, row.sex, row.account_in_use)
    sexes = SEXES + tuple(sorted(seen - set(SEXES)))
    return FollowUpShares(
        in_own_name_at_30_days=own_name.by_sex(sexes, min_cell),
        in_use_at_90_days=in_use.by_sex(sexes, min_cell),
    )
