"""Complementary suppression on small tables whose right answer can be worked out by hand."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from indicators.domain.suppression import Node, Table, withhold

# One count R broken down into a and b.
SPLIT = (Node("R", ((Node("a"), Node("b")),)),)


def _table(rows: dict[str, dict[str, int]], schema: tuple[Node, ...] = SPLIT) -> Table[str]:
    return Table(rows, total="total", schema=schema)


def test_nothing_is_withheld_when_no_count_is_small() -> None:
    rows = {"A": {"R": 20, "a": 12, "b": 8}, "total": {"R": 20, "a": 12, "b": 8}}
    assert withhold(_table(rows), 5) == set()


def test_a_small_cell_takes_the_cheapest_rectangle_of_neighbours_with_it() -> None:
    # A's b (3) is small. Withholding it alone: 20 - 17. Withholding A's a too: the total's
    # b (13) minus B's b (10). The cheapest cover is the rectangle with B's a and b: the
    # figures then fit A's b at 5 (A: 15 + 5, B: 22 + 8) as well as at 3.
    rows = {
        "A": {"R": 20, "a": 17, "b": 3},
        "B": {"R": 30, "a": 20, "b": 10},
        "total": {"R": 50, "a": 37, "b": 13},
    }
    assert withhold(_table(rows), 5) == {("A", "a"), ("A", "b"), ("B", "a"), ("B", "b")}


def test_a_column_of_ones_under_a_printed_total_takes_the_total_with_it() -> None:
    # Five areas with b = 1 each and a total of 5: since zeros are printed, a withheld cell is
    # at least 1, and five of them adding up to 5 are each exactly 1. The total's b must go,
    # and with it its a (50 - b), and every area's a (10 - b).
    rows = {area: {"R": 10, "a": 9, "b": 1} for area in "ABCDE"}
    rows["total"] = {"R": 50, "a": 45, "b": 5}
    hidden = withhold(_table(rows), 5)
    assert ("total", "b") in hidden and ("total", "a") in hidden
    assert all((area, path) in hidden for area in "ABCDE" for path in ("a", "b"))
    assert not any(path == "R" for _, path in hidden)


def test_a_printed_zero_is_never_withheld() -> None:
    schema = (Node("R", ((Node("a"), Node("b"), Node("c")),)),)
    rows = {
        "A": {"R": 12, "a": 10, "b": 2, "c": 0},
        "B": {"R": 14, "a": 8, "b": 6, "c": 0},
        "total": {"R": 26, "a": 18, "b": 8, "c": 0},
    }
    hidden = withhold(_table(rows, schema), 5)
    assert ("A", "b") in hidden and len(hidden) >= 4
    assert not any(path == "c" for _, path in hidden)


def test_a_small_unprinted_count_is_protected_but_never_listed() -> None:
    # Without a disability: 2, never printed, but R - with would give it away.
    schema = (Node("R", ((Node("with"), Node("~without")),)),)
    rows = {
        "A": {"R": 12, "with": 10, "~without": 2},
        "B": {"R": 40, "with": 30, "~without": 10},
        "total": {"R": 52, "with": 40, "~without": 12},
    }
    table = Table(rows, total="total", schema=schema, unprinted=frozenset({"~without"}))
    hidden = withhold(table, 5)
    assert ("A", "with") in hidden and ("B", "with") in hidden
    assert not any(path == "~without" for _, path in hidden)
    assert ("total", "with") not in hidden and ("A", "R") not in hidden


def test_a_single_area_hides_exactly_what_its_total_hides() -> None:
    # A regency's own answer: the total is the regency again, cell for cell.
    area = {"R": 5, "a": 3, "b": 2}
    hidden = withhold(_table({"3273": dict(area), "total": dict(area)}), 5)
    assert {path for row, path in hidden if row == "3273"} == {"R", "a", "b"}
    assert {path for row, path in hidden if row == "total"} == {"R", "a", "b"}


def test_a_withheld_margin_moves_every_breakdown_of_its_row() -> None:
    # A has 3 clients: its count and all its cells are small. Lifting A's count to 5 needs
    # a partner row giving 2 in *each* breakdown (sex and kind) from cells A also has.
    schema = (Node("R", ((Node("F"), Node("M")), (Node("worker"), Node("business")))),)
    rows = {
        "A": {"R": 3, "F": 3, "M": 0, "worker": 3, "business": 0},
        "B": {"R": 30, "F": 12, "M": 18, "worker": 20, "business": 10},
        "total": {"R": 33, "F": 15, "M": 18, "worker": 23, "business": 10},
    }
    hidden = withhold(_table(rows, schema), 5)
    assert {("A", "R"), ("B", "R"), ("B", "F"), ("B", "worker")} <= hidden
    assert ("A", "M") not in hidden and ("A", "business") not in hidden  # printed zeros


def test_the_same_figures_give_the_same_cells_whatever_the_hash_seed() -> None:
    # Many equal values, so that any choice left to the order of a set would show.
    program = textwrap.dedent(
        """
        import json, random
        from indicators.domain.suppression import Node, Table, withhold
        schema = (Node("R", ((Node("a"), Node("b"), Node("c")), (Node("x"), Node("y")))),)
        answers = []
        for seed in range(30):
            rng = random.Random(seed)
            rows = {}
            for area in "ABCDEF":
                a, b, c = (rng.choice([0, 1, 2, 6, 6, 7]) for _ in range(3))
                x = min(rng.choice([0, 1, 6, 6]), a + b + c)
                rows[area] = {"R": a + b + c, "a": a, "b": b, "c": c, "x": x, "y": a + b + c - x}
            rows["total"] = {k: sum(r[k] for r in rows.values()) for k in rows["A"]}
            answers.append(sorted(withhold(Table(rows, total="total", schema=schema), 5)))
        print(json.dumps(answers))
        """
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(answers) == 1 and json.loads(answers.pop())
