"""Suppression of small cells (and of what would reveal them), and the report's arithmetic."""

from __future__ import annotations

from datetime import date

from indicators.domain import cells
from indicators.domain.report import ClientRow, ReferralRow, TrainingRow, build


def test_a_cell_under_five_is_never_published() -> None:
    assert cells.count(4, 5) is None and cells.count(5, 5) == 5 and cells.count(0, 5) is None


def test_a_lone_hidden_cell_takes_its_smallest_neighbour_with_it() -> None:
    # F = 12, M = 3: showing F and the total would give M away
    assert cells.breakdown({"F": 12, "M": 3}, 5) == {"F": None, "M": None}
    assert cells.breakdown({"a": 9, "b": 7, "c": 2}, 5) == {"a": 9, "b": None, "c": None}
    assert cells.breakdown({"a": 9, "b": 2, "c": 1}, 5) == {"a": 9, "b": None, "c": None}
    assert cells.breakdown({"a": 9, "b": 0}, 5) == {"a": 9, "b": None}  # a zero gives nothing away


def test_ratios_and_means_need_five_behind_them() -> None:
    assert cells.ratio(2, 4, 5) is None and cells.ratio(2, 5, 5) == 0.4
    assert cells.mean([10, 20, 30, 40], 5) is None and cells.mean([1, 2, 3, 4, 5], 5) == 3
    assert cells.median([1, 2, 3, 4, 100], 5) == 3.0


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
        ReferralRow("3273", "bank", "savings-basic", "completed", "account_opened", 2, "F")
        for _ in range(5)
    ] + [ReferralRow("3273", "e-money", "ewallet-account", "sent", None, None, "M")] * 5
    trainings = [TrainingRow("3273", 20 + i) for i in range(6)]
    report = build("2026-11", "32", clients, referrals, trainings, 5)
    total = report["total"]
    assert total["clients_registered"]["total"] == 20
    assert total["clients_registered"]["by_sex"] == {"F": 13, "M": 7}
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
    # 3204's men (2) are hidden, and so its women (7), or 9 - 7 would give them away
    assert garut["clients_registered"]["by_sex"] == {"F": None, "M": None}
    assert garut["trainings"]["completed"] is None and garut["referrals"]["sent"] is None
