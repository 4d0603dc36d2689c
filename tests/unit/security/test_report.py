"""The collectors behind the closing summary's figures: counted from what ran, in any order."""

from __future__ import annotations

import pytest

from support import report


@pytest.fixture
def clean_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "FIGURES", [])
    monkeypatch.setattr(report, "_RENDERERS", [])


def test_a_cell_counts_as_passed_only_when_its_checks_finish() -> None:
    cells = report.Cells([("read", "siti"), ("read", "budi")])
    with cells.check(("read", "siti")):
        pass
    with pytest.raises(AssertionError), cells.check(("read", "budi")):
        raise AssertionError("403")
    assert cells.ran == {("read", "siti"), ("read", "budi")}
    assert cells.passed == {("read", "siti")}
    assert not cells.complete


def test_the_cells_are_complete_in_whatever_order_they_ran() -> None:
    defined = [(op, who) for op in ("a", "b") for who in ("x", "y")]
    cells = report.Cells(defined)
    for cell in reversed(defined):
        with cells.check(cell):
            pass
    assert cells.complete


def test_a_cell_the_matrix_does_not_define_is_refused() -> None:
    cells = report.Cells([("read", "siti")])
    with pytest.raises(KeyError), cells.check(("read", "nobody")):
        pass


def test_requests_count_what_was_sent_and_what_was_answered_as_expected() -> None:
    requests = report.Requests()
    for as_expected in (True, True, False):
        requests.answered(as_expected=as_expected)
    assert (requests.sent, requests.as_expected) == (3, 2)


@pytest.mark.usefixtures("clean_report")
def test_the_summary_has_the_figures_then_what_the_renderers_have_to_say() -> None:
    report.figure("chaos: 3 kills")
    report.at_end(lambda: None)  # its tests did not run
    report.at_end(lambda: "matrix: 4 cells tested / 4 defined")
    assert report.lines() == ["chaos: 3 kills", "matrix: 4 cells tested / 4 defined"]
