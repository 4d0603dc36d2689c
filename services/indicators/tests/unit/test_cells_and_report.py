"""The report's arithmetic, and what it prints: zeros, withheld counts, ratios and means."""

from __future__ import annotations

from datetime import date

from indicators.domain import cells
from indicators.domain.report import ClientRow, ReferralRow, TrainingRow, build


def _referral(
    region: str, state: str, *, kind: str = "bank", product: str = "savings-basic", **extra: object
) -> ReferralRow:
    fields: dict[str, object] = {
        "outcome": None,
        "working_days_to_outcome": None,
        "client_sex": "F",
    } | extra
    return ReferralRow(region, kind, product, state, **fields)  # type: ignore[arg-type]


def test_a_ratio_needs_five_behind_both_of_its_counts() -> None:
    assert cells.ratio(5, 10, 5) == 0.5
    assert cells.ratio(4, 10, 5) is None  # conversion x sent would give the 4 away
    assert cells.ratio(5, 4, 5) is None
    assert cells.ratio(None, 10, 5) is None and cells.ratio(6, None, 5) is None


def test_means_and_medians_need_five_values_behind_them() -> None:
    assert cells.mean([10, 20, 30, 40], 5) is None and cells.mean([1, 2, 3, 4, 5], 5) == 3
    assert cells.median([1, 2, 3, 4, 100], 5) == 3.0 and cells.median([1, 2, 3, 4], 5) is None


def test_age_bands_at_the_day_of_registration() -> None:
    assert cells.age_band(date(2000, 6, 1), date(2025, 5, 31)) == "15-24"
    assert cells.age_band(date(2000, 6, 1), date(2025, 6, 1)) == "25-34"
    assert cells.age_band(date(1950, 1, 1), date(2026, 1, 1)) == "65+"


def test_a_province_report_counts_by_regency_and_in_total() -> None:
    clients = [
        ClientRow("3273", "worker", "F", "25-34", False, 6),
        ClientRow("3273", "business", "M", "35-44", True, 5),
        ClientRow("3204", "worker", "F", "25-34", False, 7),
        ClientRow("3204", "worker", "M", "15-24", False, 2),
    ]
    referrals = [
        _referral("3273", "completed", outcome="account_opened", working_days_to_outcome=2)
        for _ in range(5)
    ] + [_referral("3273", "sent", kind="e-money", product="ewallet-account")] * 5
    trainings = [TrainingRow("3273", 20 + i) for i in range(6)]
    report = build("2026-11", "32", clients, referrals, trainings, 5)
    total = report["total"]
    assert total["clients_registered"]["total"] == 20
    assert total["clients_registered"]["by_sex"] == {"F": 13, "M": 7}
    assert total["clients_registered"]["with_disability"] == 5
    assert total["referrals"]["conversion"] == 0.5
    assert total["referrals"]["median_working_days_to_outcome"] == 2.0
    assert total["accounts_opened_by_women"] == 5
    assert total["trainings"] == {"completed": 6, "mean_knowledge_gain": 22.5}
    bandung, garut = (
        next(a for a in report["areas"] if a["region_code"] == code) for code in ("3273", "3204")
    )
    assert (
        bandung["clients_registered"]["total"] == 11 and garut["clients_registered"]["total"] == 9
    )
    # 3204's men (2) are withheld, and so its women (7), or 9 - 7 would give them away; and
    # so are 3273's, or the total's 7 men minus 3273's 5 would give them away too.
    assert garut["clients_registered"]["by_sex"] == {"F": None, "M": None}
    assert bandung["clients_registered"]["by_sex"] == {"F": None, "M": None}
    # A zero holds nobody and is printed as such.
    assert garut["trainings"] == {"completed": 0, "mean_knowledge_gain": None}
    assert garut["referrals"]["sent"] == 0
    assert garut["clients_registered"]["by_kind"] == {"worker": 9, "business": 0}


def test_every_row_lists_every_category_of_the_answer() -> None:
    referrals = [
        _referral("3273", "completed", kind="bank", product="kur-mikro"),
        _referral("3204", "declined", kind="e-money", product="ewallet-account"),
    ]
    report = build("2026-11", "32", [], referrals, [], 5)
    shapes = {
        (
            tuple(row["referrals"]["by_partner_type"]),
            tuple(row["referrals"]["by_product"]),
            tuple(row["referrals"]["by_state"]),
            tuple(row["clients_registered"]["by_age_band"]),
        )
        for row in [report["total"], *report["areas"]]
    }
    assert shapes == {
        (
            ("bank", "e-money"),
            ("ewallet-account", "kur-mikro"),
            ("sent", "acknowledged", "completed", "declined", "withdrawn", "expired"),
            ("under-15", "15-24", "25-34", "35-44", "45-54", "55-64", "65+"),
        )
    }
    # 3204 sent nothing to a bank: a zero, not a missing key a reader would have to guess at.
    garut = next(a for a in report["areas"] if a["region_code"] == "3204")
    assert garut["referrals"]["by_partner_type"]["bank"] == 0


def test_conversion_is_withheld_with_the_completed_count_it_would_give_away() -> None:
    # 3273: 7 completed of 12; 3204: 2 completed of 8. 3204's 2 is withheld, so 3273's 7
    # is too (the total's 9 minus 7): conversion beside 3273's 12 sent would give 7 back.
    referrals = (
        [_referral("3273", "completed") for _ in range(7)]
        + [_referral("3273", "sent") for _ in range(5)]
        + [_referral("3204", "completed") for _ in range(2)]
        + [_referral("3204", "sent") for _ in range(6)]
    )
    report = build("2026-11", "32", [], referrals, [], 5)
    for area in report["areas"]:
        state = area["referrals"]["by_state"]
        assert state["completed"] is None and area["referrals"]["conversion"] is None
    assert report["total"]["referrals"]["conversion"] == round(9 / 20, 4)


def test_a_median_is_withheld_when_the_outcomes_it_stands_on_are() -> None:
    # Six outcomes in 3273 (enough for a median), but 3 of them declined: withheld, and a
    # median printed beside them would say that completed + declined is at least five.
    referrals = [_referral("3273", "completed", working_days_to_outcome=d) for d in (1, 2, 3)] + [
        _referral("3273", "declined", working_days_to_outcome=d) for d in (4, 5, 6)
    ]
    referrals += [_referral("3204", "completed", working_days_to_outcome=2) for _ in range(5)]
    referrals += [_referral("3204", "declined", working_days_to_outcome=2) for _ in range(5)]
    report = build("2026-11", "32", [], referrals, [], 5)
    bandung = next(a for a in report["areas"] if a["region_code"] == "3273")
    assert bandung["referrals"]["by_state"]["declined"] is None
    assert bandung["referrals"]["median_working_days_to_outcome"] is None
    assert report["total"]["referrals"]["median_working_days_to_outcome"] == 2.0


def test_each_partner_type_has_its_median_days_to_acknowledge_over_five_or_none() -> None:
    referrals = (
        [
            _referral("3273", "acknowledged", working_days_to_acknowledge=days)
            for days in (0, 1, 1, 2, 5)
        ]
        + [
            _referral(
                "3204",
                "completed",
                kind="e-money",
                product="ewallet-account",
                working_days_to_acknowledge=days,
            )
            for days in (1, 2, 3, 4)
        ]
        + [_referral("3204", "sent", kind="e-money", product="ewallet-account")] * 3
    )
    report = build("2026-11", "32", [], referrals, [], 5)
    by_type = "median_working_days_to_acknowledge_by_partner_type"
    medians = {a["region_code"]: a["referrals"][by_type] for a in report["areas"]}
    assert report["total"]["referrals"][by_type] == {"bank": 1.0, "e-money": None}  # 4 < 5
    assert medians == {
        "3204": {"bank": None, "e-money": None},  # every type in every row
        "3273": {"bank": 1.0, "e-money": None},
    }


def _by_type(
    bank: tuple[int, int], e_money: tuple[int, int], region: str = "3273"
) -> list[ReferralRow]:
    """(completed, sent) referrals of each partner type."""
    rows: list[ReferralRow] = []
    for kind, product, (completed, sent) in (
        ("bank", "savings-basic", bank),
        ("e-money", "ewallet-account", e_money),
    ):
        rows += [_referral(region, "completed", kind=kind, product=product)] * completed
        rows += [_referral(region, "sent", kind=kind, product=product)] * (sent - completed)
    return rows


def test_conversion_per_partner_type_is_printed_for_every_type_or_for_none() -> None:
    by_type = "conversion_by_partner_type"
    # bank 6 of 10, e-money 0 of 8: every completed count is 0 or at least 5
    report = build("2026-11", "32", [], _by_type((6, 10), (0, 8)), [], 5)
    assert report["total"]["referrals"][by_type] == {"bank": 0.6, "e-money": 0.0}
    # the areas never print it: the split summed over areas is not among the checked sums
    assert [a["referrals"][by_type] for a in report["areas"]] == [{"bank": None, "e-money": None}]
    # e-money 3 of 8: its conversion would print the 3, and the bank's 6 would give 9 - 6 back
    report = build("2026-11", "32", [], _by_type((6, 10), (3, 8)), [], 5)
    assert report["total"]["referrals"]["by_state"]["completed"] == 9
    assert report["total"]["referrals"][by_type] == {"bank": None, "e-money": None}
    # a type with fewer than 5 sent: none either
    report = build("2026-11", "32", [], _by_type((6, 10), (0, 4)), [], 5)
    assert report["total"]["referrals"][by_type] == {"bank": None, "e-money": None}


def test_a_mean_is_withheld_when_its_trainings_are() -> None:
    trainings = [TrainingRow("3273", 10) for _ in range(3)] + [
        TrainingRow("3204", 30) for _ in range(9)
    ]
    report = build("2026-11", "32", [], [], trainings, 5)
    assert report["total"]["trainings"] == {"completed": 12, "mean_knowledge_gain": 25.0}
    for area in report["areas"]:
        # 3273's 3 are withheld, so 3204's 9 too (12 - 9 = 3): neither mean is printed.
        assert area["trainings"] == {"completed": None, "mean_knowledge_gain": None}


def test_a_product_offered_by_two_partner_types_is_always_withheld() -> None:
    referrals = [
        _referral("3273", "sent", kind="bank", product="qris-merchant") for _ in range(6)
    ] + [_referral("3273", "sent", kind="e-money", product="qris-merchant") for _ in range(7)]
    referrals += [_referral("3273", "sent", kind="bank", product="savings-basic")] * 8
    report = build("2026-11", "3273", [], referrals, [], 5)
    total = report["total"]["referrals"]
    # Its count is a sum across types, outside the sums the suppression protects with.
    assert total["by_product"] == {"qris-merchant": None, "savings-basic": 8}
    assert total["by_partner_type"] == {"bank": 14, "e-money": 7} and total["sent"] == 21
