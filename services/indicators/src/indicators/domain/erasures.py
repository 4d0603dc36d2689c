"""The share of erasures each partner type confirmed in time, by area, hiding nobody.

When a client is erased, each partner that received one of their referrals must erase the
applicant by a deadline and confirm it (UU 27/2022 Pasal 43). An erasure has its verdict once
the partner confirmed it, in time or late, or once its deadline passed unconfirmed; one still
within its deadline counts nowhere yet. The share of a partner type in an area is

    erasures confirmed in time / erasures with a verdict

and, like every ratio the indicators publish, it is printed only when both counts are at
least the threshold. The counts themselves are never printed, so no published sum ties them
to anything: a total against its areas gives nothing away.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from indicators.domain.report import area_of

Shares = dict[str, float | None]  # partner type -> share, or None when withheld


@dataclass(frozen=True)
class ErasureRow:
    region_code: str
    partner_kind: str
    in_time: bool | None  # None until the partner confirmed
    overdue: bool  # its deadline passed before a confirmation came

    @property
    def decided(self) -> bool:
        return self.in_time is not None or self.overdue


@dataclass(frozen=True)
class ErasureShares:
    total: Shares
    areas: dict[str, Shares]
    partner_kinds: tuple[str, ...] = field(default=())

    def of_area(self, region_code: str) -> Shares:
        """An area's shares; an area without an erasure has every partner type withheld."""
        return self.areas.get(region_code, dict.fromkeys(self.partner_kinds))


def share(kept: int, decided: int, min_cell: int) -> float | None:
    """kept ÷ decided to four places; None when either is under `min_cell`."""
    if min(kept, decided) < min_cell:
        return None
    return round(kept / decided, 4)


def confirmed_in_time(rows: Iterable[ErasureRow], within: str, min_cell: int) -> ErasureShares:
    """Per partner type, for the whole of `within` and each of its areas (provinces of the
    country, regencies of a province); every row lists every partner type of the answer."""
    kept: dict[str | None, Counter[str]] = {None: Counter()}
    decided: dict[str | None, Counter[str]] = {None: Counter()}
    kinds: set[str] = set()
    for row in rows:
        kinds.add(row.partner_kind)
        if not row.decided:
            continue
        for where in (None, area_of(row.region_code, within)):
            decided.setdefault(where, Counter())[row.partner_kind] += 1
            kept.setdefault(where, Counter())[row.partner_kind] += int(row.in_time is True)
    ordered = tuple(sorted(kinds))

    def shares(where: str | None) -> Shares:
        return {k: share(kept[where][k], decided[where][k], min_cell) for k in ordered}

    return ErasureShares(
        total=shares(None),
        areas={code: shares(code) for code in sorted(c for c in decided if c is not None)},
        partner_kinds=ordered,
    )
