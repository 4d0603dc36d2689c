"""The attacker's test: no subtraction between published cells recovers a count under 5.

`support.disclosure` reads an answer as a determined reader would. It writes down every
relation between its cells: areas against the total, breakdowns against their parts,
products against partner types, conversion against its counts, a printed mean or median
against the count it needs, withheld cells against printed zeros. It then proves, with exact
linear programming, that every withheld count whose true value is under 5 fits the published
figures at 5 or more as well. Here that audit runs over many seeded random months and over
the edge cases: one small cell in a row, a whole row small, a single area, all areas small,
zeros, the national level, a product sold by two partner types. It also runs on answers
built to leak, to show that it finds what it should.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pytest

from indicators.domain.report import AGE_BANDS, ClientRow, ReferralRow, TrainingRow, build
from indicators.entrypoints.api import EXAMPLE
from indicators.service_layer.queries import flatten
from support import disclosure

PERIOD = "2026-11"
# Product -> the partner types offering it, as the public partner catalogue says.
CATALOGUE = {
    "savings-basic": ("bank",),
    "kur-mikro": ("bank",),
    "ewallet-account": ("e-money",),
    "qris-merchant": ("bank", "e-money"),
}
SINGLE_TYPE_OFFERS = (
    ("bank", "savings-basic"),
    ("bank", "kur-mikro"),
    ("e-money", "ewallet-account"),
)
SHARED_OFFERS = (("bank", "qris-merchant"), ("e-money", "qris-merchant"))
STATES = ("sent", "acknowledged", "completed", "completed", "declined", "withdrawn", "expired")
REGENCIES = ("3201", "3204", "3205", "3206", "3273", "3275", "3276", "3277")


@dataclass
class Month:
    """One month of the read model, reduced to the rows a report is built from."""

    within: str = "32"
    clients: list[ClientRow] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)
    trainings: list[TrainingRow] = field(default_factory=list)

    def answer(self, min_cell: int = 5) -> dict[str, Any]:
        return build(PERIOD, self.within, self.clients, self.referrals, self.trainings, min_cell)

    def truth(self) -> dict[str, Any]:
        """The same answer with nothing withheld."""
        return self.answer(min_cell=1)

    def people(self, region: str, count: int, rng: random.Random) -> Month:
        for _ in range(count):
            self.clients.append(
                ClientRow(
                    region,
                    rng.choice(("worker", "worker", "business")),
                    rng.choice("FFM"),
                    rng.choice(AGE_BANDS[1:6]),
                    rng.random() < 0.15,
                    1,
                )
            )
        return self

    def referred(
        self, region: str, count: int, rng: random.Random, offers: tuple[tuple[str, str], ...]
    ) -> Month:
        for _ in range(count):
            kind, product = rng.choice(offers)
            state = rng.choice(STATES)
            opened = state == "completed" and rng.random() < 0.7
            days = rng.randrange(1, 9) if state in ("completed", "declined") else None
            self.referrals.append(
                ReferralRow(
                    region,
                    kind,
                    product,
                    state,
                    "account_opened" if opened else None,
                    days,
                    rng.choice("FM"),
                )
            )
        return self

    def trained(self, region: str, count: int, rng: random.Random) -> Month:
        for _ in range(count):
            gain = None if rng.random() < 0.1 else rng.randrange(0, 40)
            self.trainings.append(TrainingRow(region, gain))
        return self


def random_month(seed: int) -> Month:
    """A province of one to six regencies, most of them small, as a quiet month is."""
    rng = random.Random(seed)
    offers = SINGLE_TYPE_OFFERS + (SHARED_OFFERS if rng.random() < 0.3 else ())
    month = Month()
    for region in rng.sample(REGENCIES, rng.randint(1, 6)):
        month.people(region, rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40)), rng)
        month.referred(region, rng.choice((0, 1, 2, 3, 5, 7, 10, 20)), rng, offers)
        month.trained(region, rng.choice((0, 2, 4, 6, 9)), rng)
    return month


def _findings(month: Month, min_cell: int = 5) -> list[str]:
    answer = month.answer(min_cell)
    return [str(f) for f in disclosure.audit(answer, month.truth(), CATALOGUE)]


@pytest.mark.parametrize("seed", range(60))
def test_no_withheld_count_under_five_can_be_worked_out_in_a_random_month(seed: int) -> None:
    assert _findings(random_month(seed)) == []


@pytest.mark.parametrize(("seed", "min_cell"), [(s, m) for s in range(60, 70) for m in (3, 10)])
def test_nor_under_another_threshold(seed: int, min_cell: int) -> None:
    assert _findings(random_month(seed), min_cell) == []


def _one_small_cell_in_a_row(rng: random.Random) -> Month:
    month = Month()
    month.clients += [ClientRow("3273", "worker", "F", "25-34", False, 20)]
    month.clients += [ClientRow("3273", "worker", "M", "25-34", False, 3)]
    month.clients += [ClientRow("3204", "worker", "F", "35-44", False, 15)]
    month.clients += [ClientRow("3204", "worker", "M", "35-44", False, 12)]
    return month


def _a_whole_row_small(rng: random.Random) -> Month:
    month = Month().people("3273", 3, rng).referred("3273", 2, rng, SINGLE_TYPE_OFFERS)
    return month.people("3204", 30, rng).referred("3204", 25, rng, SINGLE_TYPE_OFFERS)


def _a_single_area(rng: random.Random) -> Month:
    month = Month(within="3273").people("3273", 9, rng)
    return month.referred("3273", 8, rng, SINGLE_TYPE_OFFERS).trained("3273", 3, rng)


def _all_areas_small(rng: random.Random) -> Month:
    month = Month()
    for region in REGENCIES[:5]:
        month.people(region, rng.randint(1, 4), rng)
        month.referred(region, rng.randint(1, 4), rng, SINGLE_TYPE_OFFERS)
        month.trained(region, rng.randint(1, 4), rng)
    return month


def _zeros(rng: random.Random) -> Month:
    # Nobody in business anywhere, no referral in two areas, no training in one.
    month = Month()
    month.clients += [ClientRow(r, "worker", "F", "25-34", False, 6) for r in REGENCIES[:3]]
    month.clients += [ClientRow("3201", "worker", "M", "45-54", True, 2)]
    month.referred("3201", 7, rng, SINGLE_TYPE_OFFERS)
    return month.trained("3204", 6, rng).trained("3205", 2, rng)


def _a_column_of_ones(rng: random.Random) -> Month:
    month = Month()
    for region in REGENCIES[:5]:
        month.clients += [ClientRow(region, "worker", "F", "25-34", False, 9)]
        month.clients += [ClientRow(region, "worker", "M", "25-34", False, 1)]
    return month


def _the_national_level(rng: random.Random) -> Month:
    month = Month(within="")
    for region in ("3273", "3204", "3578", "3515", "5171", "9471"):
        month.people(region, rng.choice((1, 3, 7, 15)), rng)
        month.referred(region, rng.choice((0, 2, 6, 11)), rng, SINGLE_TYPE_OFFERS)
    return month


def _a_product_of_two_partner_types(rng: random.Random) -> Month:
    month = Month()
    for region in REGENCIES[:4]:
        month.referred(region, rng.choice((3, 6, 12)), rng, SINGLE_TYPE_OFFERS + SHARED_OFFERS)
    return month


EDGE_CASES: dict[str, Callable[[random.Random], Month]] = {
    "one small cell in a row": _one_small_cell_in_a_row,
    "a whole row small": _a_whole_row_small,
    "a single area": _a_single_area,
    "all areas small": _all_areas_small,
    "zeros": _zeros,
    "a column of ones": _a_column_of_ones,
    "the national level": _the_national_level,
    "a product of two partner types": _a_product_of_two_partner_types,
    "an empty month": lambda rng: Month(),
}


@pytest.mark.parametrize("case", EDGE_CASES)
@pytest.mark.parametrize("seed", range(3))
def test_no_withheld_count_under_five_can_be_worked_out_in_an_edge_case(
    case: str, seed: int
) -> None:
    month = EDGE_CASES[case](random.Random(seed))
    assert _findings(month) == []
    # Without knowing the truth either: every null could be 5 or more.
    assert [str(f) for f in disclosure.audit(month.answer(), catalogue=CATALOGUE)] == []


def _primary_only(truth: dict[str, Any]) -> dict[str, Any]:
    """The truth with only its counts from 1 to 4 withheld: what per-cell rules publish."""
    leaky = copy.deepcopy(truth)

    def hide(node: dict[str, Any]) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                hide(value)
            elif isinstance(value, int) and 0 < value < 5 and key != "min_cell":
                node[key] = None

    for row in [leaky["total"], *leaky["areas"]]:
        hide(row)
    leaky["min_cell"] = 5
    return leaky


def test_the_attacker_subtracts_shown_areas_from_the_total() -> None:
    month = Month()
    month.clients += [ClientRow("3273", "worker", "F", "25-34", False, 10)]
    month.clients += [ClientRow("3273", "worker", "M", "25-34", False, 6)]
    month.clients += [ClientRow("3205", "worker", "F", "25-34", False, 4)]
    month.clients += [ClientRow("3205", "worker", "M", "25-34", False, 2)]
    leaky = _primary_only(month.truth())
    findings = {(f.row, f.cell): (f.low, f.high) for f in disclosure.audit(leaky, month.truth())}
    # The total's 8 men minus 3273's 6 are 3205's 2, and 6 - 2 its 4 women.
    assert findings[("3205", "clients_registered.by_sex.M")] == (Fraction(2), Fraction(2))
    assert findings[("3205", "clients_registered.by_sex.F")] == (Fraction(4), Fraction(4))
    assert month.answer()["areas"][0]["clients_registered"]["by_sex"]["M"] is None  # 3205
    assert _findings(month) == []


def test_the_attacker_reads_completed_back_from_conversion_and_sent() -> None:
    month = Month()
    month.referrals += [
        ReferralRow("3273", "bank", "savings-basic", state, None, None, "F")
        for state in ["completed"] * 3 + ["sent"] * 9
    ]
    truth = month.truth()
    leaky = _primary_only(truth)
    assert leaky["total"]["referrals"]["conversion"] == 0.25  # printed beside a null
    findings = disclosure.audit(leaky, truth)
    assert any(f.cell == "referrals.by_state.completed" and f.high == 3 for f in findings)


def test_the_attacker_knows_a_withheld_count_is_not_zero() -> None:
    # Two areas with 1 man each, total 2: withheld, each is 1 or more, so each is exactly 1.
    month = Month()
    for region in ("3273", "3204"):
        month.clients += [ClientRow(region, "worker", "F", "25-34", False, 9)]
        month.clients += [ClientRow(region, "worker", "M", "25-34", False, 1)]
    leaky = _primary_only(month.truth())
    findings = {(f.row, f.cell) for f in disclosure.audit(leaky, month.truth())}
    assert ("3204", "clients_registered.by_sex.M") in findings
    assert month.answer()["total"]["clients_registered"]["by_sex"]["M"] is None


@pytest.mark.parametrize("seed", range(5))
def test_the_csv_answer_withholds_exactly_what_the_json_answer_does(seed: int) -> None:
    month = random_month(seed)
    answer = month.answer()
    rows = [{k: "" if v is None else str(v) for k, v in row.items()} for row in flatten(answer)]
    assert all((row["value"] == "") == (row["suppressed"] == "True") for row in rows)
    from_csv = disclosure.from_csv(rows, answer["min_cell"])
    assert disclosure.leaves(from_csv) == disclosure.leaves(answer)
    assert disclosure.audit(from_csv, month.truth(), CATALOGUE) == []


@pytest.mark.parametrize("seed", range(40))
def test_ratios_means_and_medians_stand_on_printed_counts(seed: int) -> None:
    month = random_month(seed)
    for row in [(a := month.answer())["total"], *a["areas"]]:
        referrals, trainings = row["referrals"], row["trainings"]
        states = referrals["by_state"]
        if referrals["conversion"] is not None:
            assert referrals["sent"] >= 5 and states["completed"] >= 5
        if referrals["median_working_days_to_outcome"] is not None:
            assert states["completed"] is not None and states["declined"] is not None
            assert states["completed"] + states["declined"] >= 5
        if trainings["mean_knowledge_gain"] is not None:
            assert trainings["completed"] >= 5


def test_the_documented_example_gives_nothing_away() -> None:
    assert disclosure.audit(EXAMPLE, catalogue=CATALOGUE) == []
    example_nulls = [v for v in disclosure.relations(EXAMPLE).printed.values() if v is None]
    assert example_nulls  # it shows what a withheld cell looks like
