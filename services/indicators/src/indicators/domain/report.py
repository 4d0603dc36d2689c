"""The indicators of one month and area, from the read model's rows, with small cells hidden.

Rows come in already reduced to the facts an aggregate needs (see adapters/repository.py);
this module groups them by area (provinces of the country, regencies of a province), counts,
and suppresses every cell under the threshold before anything leaves the service.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from indicators.domain import cells

KINDS = ("worker", "business")
SEXES = ("F", "M")
AGE_BANDS = ("under-15", *(f"{low}-{high}" for low, high in cells.AGE_BANDS), "65+")
STATES = ("sent", "acknowledged", "completed", "declined", "withdrawn", "expired")


@dataclass(frozen=True)
class ClientRow:
    region_code: str
    kind: str
    sex: str
    age_band: str
    disability: bool
    people: int


@dataclass(frozen=True)
class ReferralRow:
    region_code: str
    partner_kind: str
    product_code: str
    state: str
    outcome: str | None
    working_days_to_outcome: int | None
    client_sex: str | None


@dataclass(frozen=True)
class TrainingRow:
    region_code: str
    knowledge_gain: int | None


@dataclass
class _Area:
    registered: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_sex: Counter[str] = field(default_factory=Counter)
    by_age: Counter[str] = field(default_factory=Counter)
    disability: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    by_partner_kind: Counter[str] = field(default_factory=Counter)
    by_product: Counter[str] = field(default_factory=Counter)
    by_state: Counter[str] = field(default_factory=Counter)
    completed: int = 0
    days_to_outcome: list[int] = field(default_factory=list)
    accounts_opened_by_women: int = 0
    trainings: int = 0
    gains: list[int] = field(default_factory=list)


def area_of(region_code: str, within: str) -> str:
    """The reported area a region belongs to: a province nationally, a regency in a province."""
    return region_code[: len(within) + 2] if len(within) < 4 else region_code


def build(
    period: str,
    within: str,
    clients: Iterable[ClientRow],
    referrals: Iterable[ReferralRow],
    trainings: Iterable[TrainingRow],
    min_cell: int,
) -> dict[str, Any]:
    areas: dict[str, _Area] = defaultdict(_Area)
    total = _Area()
    for c in clients:
        for a in (areas[area_of(c.region_code, within)], total):
            a.registered["all"] += c.people
            a.by_kind[c.kind] += c.people
            a.by_sex[c.sex] += c.people
            a.by_age[c.age_band] += c.people
            a.disability["with_disability" if c.disability else "without"] += c.people
    for r in referrals:
        for a in (areas[area_of(r.region_code, within)], total):
            a.sent += 1
            a.by_partner_kind[r.partner_kind] += 1
            a.by_product[r.product_code] += 1
            a.by_state[r.state] += 1
            if r.state == "completed":
                a.completed += 1
                if r.outcome == "account_opened" and r.client_sex == "F":
                    a.accounts_opened_by_women += 1
            if r.working_days_to_outcome is not None:
                a.days_to_outcome.append(r.working_days_to_outcome)
    for t in trainings:
        for a in (areas[area_of(t.region_code, within)], total):
            a.trainings += 1
            if t.knowledge_gain is not None:
                a.gains.append(t.knowledge_gain)

    rows = [
        _publish(code, "regency" if len(code) == 4 else "province", a, min_cell)
        for code, a in sorted(areas.items())
    ]
    _hide_lone_areas(rows, areas, min_cell)
    level = {0: "national", 2: "province", 4: "regency"}[len(within)]
    return {
        "period": period,
        "region": within or None,
        "min_cell": min_cell,
        "total": _publish(within or "ID", level, total, min_cell),
        "areas": rows,
    }


def _publish(code: str, level: str, a: _Area, min_cell: int) -> dict[str, Any]:
    registered = a.registered["all"]
    return {
        "region_code": code,
        "level": level,
        "clients_registered": {
            "total": cells.count(registered, min_cell),
            "by_kind": cells.breakdown({k: a.by_kind[k] for k in KINDS}, min_cell),
            "by_sex": cells.breakdown({s: a.by_sex[s] for s in SEXES}, min_cell),
            "by_age_band": cells.breakdown({b: a.by_age[b] for b in AGE_BANDS}, min_cell),
            "with_disability": cells.breakdown(
                {k: a.disability[k] for k in ("with_disability", "without")}, min_cell
            )["with_disability"],
        },
        "referrals": {
            "sent": cells.count(a.sent, min_cell),
            "by_partner_type": cells.breakdown(dict(a.by_partner_kind), min_cell),
            "by_product": cells.breakdown(dict(a.by_product), min_cell),
            "by_state": cells.breakdown({s: a.by_state[s] for s in STATES}, min_cell),
            "conversion": cells.ratio(a.completed, a.sent, min_cell),
            "median_working_days_to_outcome": cells.median(a.days_to_outcome, min_cell),
        },
        "accounts_opened_by_women": cells.count(a.accounts_opened_by_women, min_cell),
        "trainings": {
            "completed": cells.count(a.trainings, min_cell),
            "mean_knowledge_gain": cells.mean(a.gains, min_cell),
        },
    }


def _hide_lone_areas(rows: list[dict[str, Any]], areas: dict[str, _Area], min_cell: int) -> None:
    """Across areas, as within a breakdown: a total minus the shown areas must not reveal a
    lone hidden one."""
    measures: tuple[tuple[tuple[str, ...], Callable[[_Area], int]], ...] = (
        (("clients_registered", "total"), lambda a: a.registered["all"]),
        (("referrals", "sent"), lambda a: a.sent),
        (("trainings", "completed"), lambda a: a.trainings),
        (("accounts_opened_by_women",), lambda a: a.accounts_opened_by_women),
    )
    for path, value in measures:
        counts = {row["region_code"]: value(areas[row["region_code"]]) for row in rows}
        shown = cells.breakdown(counts, min_cell)
        for row in rows:
            if shown[row["region_code"]] is None:
                target = row
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = None
