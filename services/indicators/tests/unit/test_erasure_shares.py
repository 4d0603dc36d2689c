"""The share of erasures confirmed in time, per partner type and area, never on a small count."""

from __future__ import annotations

from typing import Any

from indicators.domain.erasures import ErasureRow, confirmed_in_time
from indicators.service_layer.queries import ERASURES, with_erasures

MIN_CELL = 5


def _rows(
    region: str, kind: str, *, in_time: int = 0, late: int = 0, overdue: int = 0, waiting: int = 0
) -> list[ErasureRow]:
    """Erasures of one region and partner type: confirmed in time, confirmed late, past
    their deadline unconfirmed, and still within it."""
    return (
        [ErasureRow(region, kind, True, False)] * in_time
        + [ErasureRow(region, kind, False, False)] * late
        + [ErasureRow(region, kind, None, True)] * overdue
        + [ErasureRow(region, kind, None, False)] * waiting
    )


def test_the_share_is_confirmed_in_time_over_erasures_with_a_verdict() -> None:
    rows = _rows("3273", "bank", in_time=6, late=1, overdue=1, waiting=40)

    shares = confirmed_in_time(rows, "32", MIN_CELL)

    assert shares.total == {"bank": 0.75}
    assert shares.areas == {"3273": {"bank": 0.75}}


def test_a_confirmation_after_an_escalation_counts_once_and_late() -> None:
    rows = [ErasureRow("3273", "bank", False, True), *_rows("3273", "bank", in_time=5)]

    assert confirmed_in_time(rows, "32", MIN_CELL).total == {"bank": round(5 / 6, 4)}


def test_a_share_on_fewer_than_five_kept_or_decided_is_withheld() -> None:
    rows = (
        _rows("3273", "bank", in_time=4, late=3)  # 4 kept: withheld
        + _rows("3273", "e-money", in_time=4)  # 4 decided: withheld
        + _rows("3204", "bank", in_time=5, late=20)  # 5 of 25: printed
    )

    shares = confirmed_in_time(rows, "32", MIN_CELL)

    assert shares.areas["3273"] == {"bank": None, "e-money": None}
    assert shares.areas["3204"] == {"bank": 0.2, "e-money": None}
    assert shares.total == {"bank": round(9 / 32, 4), "e-money": None}


def test_nationally_the_areas_are_provinces() -> None:
    rows = _rows("3273", "bank", in_time=3) + _rows("3204", "bank", in_time=3, late=1)

    shares = confirmed_in_time(rows, "", MIN_CELL)

    assert set(shares.areas) == {"32"}
    assert shares.areas["32"] == {"bank": round(6 / 7, 4)}


def test_waiting_erasures_count_nowhere_yet() -> None:
    shares = confirmed_in_time(_rows("3273", "bank", waiting=50), "32", MIN_CELL)

    assert shares.total == {"bank": None}
    assert shares.areas == {}
    assert shares.of_area("3273") == {"bank": None}


def test_every_row_of_the_answer_gets_the_shares_and_an_area_without_erasures_none() -> None:
    published: dict[str, Any] = {
        "total": {"region_code": "32"},
        "areas": [{"region_code": "3204"}, {"region_code": "3273"}],
    }
    rows = _rows("3273", "bank", in_time=5) + _rows("3273", "e-money", in_time=5, late=5)

    answer = with_erasures(published, confirmed_in_time(rows, "32", MIN_CELL))

    assert answer["total"][ERASURES] == {"bank": 1.0, "e-money": 0.5}
    assert answer["areas"][0][ERASURES] == {"bank": None, "e-money": None}
    assert answer["areas"][1][ERASURES] == {"bank": 1.0, "e-money": 0.5}
