"""The dashboard's chart: months counted back across a year, bars scaled, suppressed cells
left out."""

from __future__ import annotations

from datetime import date

from portal import charts


def test_six_months_back_across_new_year() -> None:
    assert charts.last_months(date(2027, 2, 10)) == [
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]


def test_the_largest_value_fills_the_height_and_a_suppressed_cell_has_no_bar() -> None:
    months = [
        charts.Month("2026-10", "Okt", (None, 10)),
        charts.Month("2026-11", "Nov", (40, 20)),
    ]
    drawn = charts.bars(months)
    assert len(drawn) == 3
    tallest = max(drawn, key=lambda b: b.height)
    assert tallest.height == charts.HEIGHT and tallest.y == 0
    assert {b.series for b in drawn if b.x < charts.WIDTH / 2} == {1}


def test_a_month_row_reads_the_published_totals() -> None:
    published = {"total": {"clients_registered": {"total": 12}, "referrals": {"sent": None}}}
    assert charts.month_row("2026-11", "Nov", published).values == (12, None)
    assert charts.month_row("2026-11", "Nov", None).values == (None, None)


def test_horizontal_bars_share_one_scale_and_a_withheld_value_draws_nothing() -> None:
    chart = charts.hbars(
        [
            charts.Row("Bank Nusantara", (20, 5)),
            charts.Row("Dompet Rakyat", (None, 0)),
            charts.Row("Koperasi Digital", (10, None)),
        ]
    )
    assert [(b.value, b.series) for b in chart.bars] == [(20, 0), (5, 1), (10, 0)]
    longest, quarter, half = chart.bars
    assert longest.width == 4 * quarter.width == 2 * half.width
    assert longest.x == quarter.x == charts.LABEL
    assert half.y == 2 * charts.ROW + 2  # third row
    assert chart.height == 3 * charts.ROW
