"""The indicators of one month and area, from the read model's rows, with small cells withheld.

Rows come in already reduced to the facts an aggregate needs (see adapters/repository.py);
this module groups them by area (provinces of the country, regencies of a province), counts,
and withholds every count under the threshold before anything leaves the service. Over the
whole answer at once, it also withholds every further count that would let one be worked out
(`domain/suppression.py`). It hands the suppression every sum a reader knows between the
answer's cells:

- in each row (an area, or the total), kind, sex and age band each add up to the clients
  registered, and so do with and without a disability (the second is never printed);
- partner type, product and state each add up to the referrals sent, and a partner type's
  products add up to it when each product has one partner type (the catalogue is public);
- accounts opened by women, plus the other completions (never printed), are the completed
  referrals;
- across rows, every cell of the total is the sum of that cell over the areas.

Every row lists every category of the answer, zeros included, so that a missing key never
says more than a zero. A ratio, mean or median is printed only when the counts it stands on
are: conversion needs completed and sent both printed and at least the threshold; the mean
knowledge gain needs the trainings completed printed and five gains behind it; the median
working days needs completed and declined printed and five outcomes behind it. The median
working days a partner type took to acknowledge needs five acknowledgements behind it, and
stands on no printed count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indicators.domain import cells
from indicators.domain.suppression import Node, Table, withhold

KINDS = ("worker", "business")
SEXES = ("F", "M")
AGE_BANDS = ("under-15", *(f"{low}-{high}" for low, high in cells.AGE_BANDS), "65+")
STATES = ("sent", "acknowledged", "completed", "declined", "withdrawn", "expired")

REGISTERED = "clients_registered.total"
SENT = "referrals.sent"
COMPLETED = "referrals.by_state.completed"
DECLINED = "referrals.by_state.declined"
TRAININGS = "trainings.completed"
# Counts every reader can work out but no answer prints: the rest of a printed part.
WITHOUT_DISABILITY = "~clients_registered.without_disability"
COMPLETED_OTHERWISE = "~referrals.completed_otherwise"
UNPRINTED = (WITHOUT_DISABILITY, COMPLETED_OTHERWISE)


def offer(product: str, kind: str) -> str:
    """The unprinted count of one product's referrals to partners of one type."""
    return f"~referrals.offers.{kind}.{product}"


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
    working_days_to_acknowledge: int | None = None


@dataclass(frozen=True)
class TrainingRow:
    region_code: str
    knowledge_gain: int | None


@dataclass
class _Area:
    registered: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_sex: Counter[str] = field(default_factory=Counter)
    by_age: Counter[str] = field(default_factory=Counter)
    with_disability: int = 0
    sent: int = 0
    by_partner_kind: Counter[str] = field(default_factory=Counter)
    completed_by_partner_kind: Counter[str] = field(default_factory=Counter)
    by_product: Counter[str] = field(default_factory=Counter)
    by_offer: Counter[tuple[str, str]] = field(default_factory=Counter)  # (partner type, product)
    by_state: Counter[str] = field(default_factory=Counter)
    days_to_outcome: list[int] = field(default_factory=list)
    days_to_acknowledge: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    accounts_opened_by_women: int = 0
    trainings: int = 0
    gains: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Categories:
    """The categories of each breakdown, the same in every row of one answer."""

    kinds: tuple[str, ...]
    sexes: tuple[str, ...]
    age_bands: tuple[str, ...]
    partner_kinds: tuple[str, ...]
    products: tuple[str, ...]
    states: tuple[str, ...]
    # product -> the partner types offering it (the catalogue every reader can look up)
    offered_by: Mapping[str, tuple[str, ...]]

    def shared(self, product: str) -> bool:
        """Offered by partners of several types: its count is not a part of one type's."""
        return len(self.offered_by[product]) > 1

    def partitions(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """(whole, breakdown, categories): the breakdowns that add up to a count."""
        return (
            (REGISTERED, "clients_registered.by_kind", self.kinds),
            (REGISTERED, "clients_registered.by_sex", self.sexes),
            (REGISTERED, "clients_registered.by_age_band", self.age_bands),
            (SENT, "referrals.by_partner_type", self.partner_kinds),
            (SENT, "referrals.by_product", self.products),
            (SENT, "referrals.by_state", self.states),
        )

    def schema(self) -> tuple[Node, ...]:
        """Every count of a row as a tree of sums (see `domain/suppression.py`)."""

        def leaves(breakdown: str, keys: Iterable[str]) -> tuple[Node, ...]:
            return tuple(Node(f"{breakdown}.{k}") for k in keys)

        # A partner type's referrals are the sum of its products. A product offered by
        # several types splits into one unprinted count per type, and its own count, a sum
        # across types, is always withheld (see `_publish`).
        by_partner = tuple(
            Node(
                f"referrals.by_partner_type.{kind}",
                (
                    tuple(
                        Node(offer(p, kind) if self.shared(p) else f"referrals.by_product.{p}")
                        for p in self.products
                        if kind in self.offered_by[p]
                    ),
                ),
            )
            for kind in self.partner_kinds
        )
        states = tuple(
            Node(
                path,
                ((Node("accounts_opened_by_women"), Node(COMPLETED_OTHERWISE)),)
                if path == COMPLETED
                else (),
            )
            for path in (f"referrals.by_state.{s}" for s in self.states)
        )
        registered = Node(
            REGISTERED,
            (
                leaves("clients_registered.by_kind", self.kinds),
                leaves("clients_registered.by_sex", self.sexes),
                leaves("clients_registered.by_age_band", self.age_bands),
                (Node("clients_registered.with_disability"), Node(WITHOUT_DISABILITY)),
            ),
        )
        return (registered, Node(SENT, (by_partner, states)), Node(TRAININGS))

    def offers(self) -> list[tuple[str, str]]:
        """(partner type, product) of every product offered by several types."""
        return [(k, p) for p in self.products if self.shared(p) for k in self.offered_by[p]]


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
            a.registered += c.people
            a.by_kind[c.kind] += c.people
            a.by_sex[c.sex] += c.people
            a.by_age[c.age_band] += c.people
            a.with_disability += c.people if c.disability else 0
    for r in referrals:
        for a in (areas[area_of(r.region_code, within)], total):
            a.sent += 1
            a.by_partner_kind[r.partner_kind] += 1
            a.by_product[r.product_code] += 1
            a.by_offer[(r.partner_kind, r.product_code)] += 1
            a.by_state[r.state] += 1
            a.completed_by_partner_kind[r.partner_kind] += int(r.state == "completed")
            if r.state == "completed" and r.outcome == "account_opened" and r.client_sex == "F":
                a.accounts_opened_by_women += 1
            if r.working_days_to_outcome is not None:
                a.days_to_outcome.append(r.working_days_to_outcome)
            if r.working_days_to_acknowledge is not None:
                a.days_to_acknowledge[r.partner_kind].append(r.working_days_to_acknowledge)
    for t in trainings:
        for a in (areas[area_of(t.region_code, within)], total):
            a.trainings += 1
            if t.knowledge_gain is not None:
                a.gains.append(t.knowledge_gain)

    categories = _Categories(
        kinds=_with_extra(KINDS, total.by_kind),
        sexes=_with_extra(SEXES, total.by_sex),
        age_bands=_with_extra(AGE_BANDS, total.by_age),
        partner_kinds=tuple(sorted(total.by_partner_kind)),
        products=tuple(sorted(total.by_product)),
        states=_with_extra(STATES, total.by_state),
        offered_by={
            p: tuple(sorted(k for k, offered in total.by_offer if offered == p))
            for p in total.by_product
        },
    )
    codes = sorted(areas)
    rows: dict[str | None, dict[str, int]] = {None: _counts(total, categories)}
    rows |= {code: _counts(areas[code], categories) for code in codes}
    hidden = withhold(
        Table(
            rows,
            total=None,
            schema=categories.schema(),
            unprinted=frozenset({*UNPRINTED, *(offer(p, k) for k, p in categories.offers())}),
        ),
        min_cell,
    )

    def printed(row: str | None) -> Callable[[str], int | None]:
        return lambda path: None if (row, path) in hidden else rows[row][path]

    level = {0: "national", 2: "province", 4: "regency"}[len(within)]
    return {
        "period": period,
        "region": within or None,
        "min_cell": min_cell,
        "total": _publish(
            within or "ID", level, total, printed(None), categories, min_cell, whole=True
        ),
        "areas": [
            _publish(
                code,
                "regency" if len(code) == 4 else "province",
                areas[code],
                printed(code),
                categories,
                min_cell,
            )
            for code in codes
        ],
    }


def _with_extra(known: tuple[str, ...], seen: Counter[str]) -> tuple[str, ...]:
    """The documented categories, and after them any the data holds beyond them."""
    return known + tuple(sorted(set(seen) - set(known)))


def _counts(a: _Area, categories: _Categories) -> dict[str, int]:
    """Every count of one row, printed or not, by dotted path."""
    counts = {
        REGISTERED: a.registered,
        "clients_registered.with_disability": a.with_disability,
        WITHOUT_DISABILITY: a.registered - a.with_disability,
        SENT: a.sent,
        "accounts_opened_by_women": a.accounts_opened_by_women,
        COMPLETED_OTHERWISE: a.by_state["completed"] - a.accounts_opened_by_women,
        TRAININGS: a.trainings,
    }
    counters = {
        "clients_registered.by_kind": a.by_kind,
        "clients_registered.by_sex": a.by_sex,
        "clients_registered.by_age_band": a.by_age,
        "referrals.by_partner_type": a.by_partner_kind,
        "referrals.by_product": a.by_product,
        "referrals.by_state": a.by_state,
    }
    for _, breakdown, keys in categories.partitions():
        counts |= {f"{breakdown}.{k}": counters[breakdown][k] for k in keys}
    counts |= {offer(p, k): a.by_offer[(k, p)] for k, p in categories.offers()}
    return counts


def _conversions(
    a: _Area, shown: Callable[[str], int | None], kinds: Sequence[str], min_cell: int
) -> dict[str, float | None]:
    """Completed ÷ sent per partner type, in the answer's total row only, and for every type
    or for none. Beside its printed `sent`, a type's conversion prints its completed count,
    a split of the printed completed that the suppression does not hold as cells: so each
    type's completed must be 0 or at least the threshold (then no other type's is small by
    subtraction either), and its sent printed and at least the threshold. In the areas'
    rows the same split would add sums across areas, which the suppression does not check
    (docs/indicators.md); there it is always None."""
    if shown(COMPLETED) is None:
        return dict.fromkeys(kinds)
    shares: dict[str, float | None] = {}
    for kind in kinds:
        sent, completed = (
            shown(f"referrals.by_partner_type.{kind}"),
            a.completed_by_partner_kind[kind],
        )
        if sent is None or sent < min_cell or 0 < completed < min_cell:
            return dict.fromkeys(kinds)
        shares[kind] = round(completed / sent, 4)
    return shares


def _publish(
    code: str,
    level: str,
    a: _Area,
    shown: Callable[[str], int | None],
    categories: _Categories,
    min_cell: int,
    whole: bool = False,
) -> dict[str, Any]:
    def breakdown(path: str, keys: Sequence[str]) -> dict[str, int | None]:
        return {k: shown(f"{path}.{k}") for k in keys}

    completed, sent = shown(COMPLETED), shown(SENT)
    outcomes_printed = completed is not None and shown(DECLINED) is not None
    return {
        "region_code": code,
        "level": level,
        "clients_registered": {
            "total": shown(REGISTERED),
            "by_kind": breakdown("clients_registered.by_kind", categories.kinds),
            "by_sex": breakdown("clients_registered.by_sex", categories.sexes),
            "by_age_band": breakdown("clients_registered.by_age_band", categories.age_bands),
            "with_disability": shown("clients_registered.with_disability"),
        },
        "referrals": {
            "sent": sent,
            "by_partner_type": breakdown("referrals.by_partner_type", categories.partner_kinds),
            "by_product": {
                p: None if categories.shared(p) else shown(f"referrals.by_product.{p}")
                for p in categories.products
            },
            "by_state": breakdown("referrals.by_state", categories.states),
            "conversion": cells.ratio(completed, sent, min_cell),
            "median_working_days_to_outcome": (
                cells.median(a.days_to_outcome, min_cell) if outcomes_printed else None
            ),
            "conversion_by_partner_type": (
                _conversions(a, shown, categories.partner_kinds, min_cell)
                if whole
                else dict.fromkeys(categories.partner_kinds)
            ),
            # Medians only, over at least the threshold's acknowledgements; how many were
            # acknowledged is printed nowhere, so no sum ties a median to a count.
            "median_working_days_to_acknowledge_by_partner_type": {
                k: cells.median(a.days_to_acknowledge[k], min_cell)
                for k in categories.partner_kinds
            },
        },
        "accounts_opened_by_women": shown("accounts_opened_by_women"),
        "trainings": {
            "completed": shown(TRAININGS),
            "mean_knowledge_gain": (
                cells.mean(a.gains, min_cell) if shown(TRAININGS) is not None else None
            ),
        },
    }
