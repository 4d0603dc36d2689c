"""Complementary suppression: withholding enough counts that no small one can be worked out.

An answer is a table: one row per area and one for their total, every row the same tree of
counts (`Node`). Each node with partitions is the sum of the children in every one of its
partitions (the clients registered are the sum by kind, by sex, by age band...), and each cell
of the total row is the sum of that cell over the areas. Readers know all of these sums.

A count from 1 to `min_cell` - 1 is withheld (primary suppression). On its own, that is not
enough. Whoever knows a sum and all but one of its terms knows the last one. Whoever knows
that two withheld cells make 6 also knows that neither is 0, because zeros are printed, and
so knows that each is at most 5. So more cells are withheld (complementary suppression)
until each small cell has a *certificate*: a second table, in whole numbers, that

- agrees with the first on every printed cell and on every sum,
- keeps every withheld cell at 1 or more (an unprinted count at 0 or more), and
- puts the small cell at `min_cell` or more.

Nobody can then tell the two tables apart, so nobody can conclude that the cell is small, and
still less what it holds. Withholding further cells never spoils a certificate, so cells are
handled one at a time, the smallest first (they need the most room). The second table moves
the small cell's row by a vector `u` that keeps the row's sums, and other rows make up for
it so that every sum still holds: one other area by `-u`, or the total by `+u` (the total is
the sum of the areas), or several areas each taking a share. Inside a row, `u` either swaps
the amount with siblings under the same parent, or raises the parent and takes the amount,
in every other partition of the parent, from one child (or from several, when none can give
it all). Below each cell that moves, every partition passes the change down the same way.

Of the certificates found, the cheapest is taken: the fewest people newly withheld, counted
by the printed value of each added cell, a cell of the total row weighing `TOTAL_WEIGHT`
times as much (readers rely on the totals most). A count the answer never prints costs
nothing. A printed zero never moves, since zeros stay printed. Once every small cell has a
certificate, cells that no certificate needs any more are printed again, the total's first.
Ties go to the first area, then to the total, then to schema order, and nothing depends on
the order of a set, so the same figures always give the same answer. A certificate always
exists: at worst the small cell's ancestors are withheld in the total row as well.

This belongs to the "hypercube" family of methods of statistical disclosure control, made
exact for linked tables: a certificate is checked against every sum of the answer, not one
two-way table at a time. The simpler rule "every sum has no withheld cell, or at least two
that hold at least the threshold" leaves cells recoverable once a withheld margin links
several breakdowns. The exact attacker of
`services/indicators/tests/unit/test_no_small_cell_recoverable.py` finds those cells, and
finds none in what this module withholds.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

R = TypeVar("R", bound=Hashable)
# A cell of the total row is worth this many of an area's: the total is what readers use
# most, so a certificate withholds one only when no choice among the areas' cells exists.
TOTAL_WEIGHT = 1000


@dataclass(frozen=True)
class Node:
    """A count and, for each way it is broken down, the counts that add up to it."""

    path: str
    partitions: tuple[tuple[Node, ...], ...] = ()

    def walk(self) -> Iterator[Node]:
        yield self
        for partition in self.partitions:
            for child in partition:
                yield from child.walk()


@dataclass(frozen=True)
class Table(Generic[R]):
    """Rows of counts by path: `total` is the sum of the other rows, cell by cell."""

    rows: Mapping[R, Mapping[str, int]]
    total: R
    schema: tuple[Node, ...]
    unprinted: Set[str] = frozenset()

    def areas(self) -> list[R]:
        return [r for r in self.rows if r != self.total]


def withhold(table: Table[R], min_cell: int) -> set[tuple[R, str]]:
    """Every (row, path) to withhold so that no count under `min_cell` can be worked out."""
    return _Protection(table, min_cell).run()


Cell = tuple[Hashable, str]


@dataclass(frozen=True)
class _Move:
    """A change of the table that keeps every sum, and what withholding it costs."""

    cost: int
    changes: tuple[tuple[Cell, int], ...]

    def __add__(self, other: _Move) -> _Move:
        return _Move(self.cost + other.cost, self.changes + other.changes)

    def cells(self) -> set[Cell]:
        return {cell for cell, _ in self.changes}


_NOTHING = _Move(0, ())


@dataclass
class _Protection(Generic[R]):
    table: Table[R]
    min_cell: int
    hidden: set[tuple[R, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.parent: dict[str, tuple[Node, int]] = {}  # path -> (parent node, partition)
        self.node: dict[str, Node] = {}
        for root in self.table.schema:
            for n in root.walk():
                self.node[n.path] = n
                for i, partition in enumerate(n.partitions):
                    for child in partition:
                        self.parent[child.path] = (n, i)
        self.order = [n.path for root in self.table.schema for n in root.walk()]

    def run(self) -> set[tuple[R, str]]:
        rows = [*self.table.areas(), self.table.total]
        # The smallest cells need the most room: they go first, and later ones reuse it.
        small = sorted(
            (
                (row, path)
                for row in rows
                for path in self.order
                if 0 < self.table.rows[row][path] < self.min_cell
            ),
            key=lambda cell: self.table.rows[cell[0]][cell[1]],
        )
        self.hidden = {cell for cell in small if cell[1] not in self.table.unprinted}
        certificates: dict[tuple[R, str], set[Cell]] = {}
        for cell in small:
            best = self._certificate(cell)
            certificates[cell] = best.cells()
            self.hidden |= self._printed(best.cells())
        self._prune(certificates)
        return self.hidden

    def _certificate(self, cell: tuple[R, str]) -> _Move:
        """The cheapest certificate for a small cell, given what is withheld so far: one
        other row compensates the whole change, or several areas share it."""
        row, path = cell
        need = self.min_cell - self.table.rows[row][path]
        best: _Move | None = None
        for partner in [*self.table.areas(), self.table.total]:
            if partner != row:
                move = _Pair(self, row, partner, {}).lift(path, need)
                if move is not None and (best is None or move.cost < best.cost):
                    best = move
                    if best.cost == 0:
                        return best  # nothing newly withheld: nothing can be cheaper
        shared = self._shared(row, path, need)
        if shared is not None and (best is None or shared.cost < best.cost):
            return shared
        if best is None:  # pragma: no cover - the total always offers a certificate
            raise AssertionError(f"no certificate for {cell!r}")
        return best

    def _shared(self, row: R, path: str, need: int) -> _Move | None:
        """Areas taking a share each, the cheapest first, until the whole need is met."""
        pending: dict[Cell, int] = {}
        ranked = []
        for rank, partner in enumerate(self.table.areas()):
            if partner != row:
                one = _Pair(self, row, partner, pending).lift(path, 1)
                if one is not None:
                    ranked.append((one.cost, rank, partner))
        move, left = _NOTHING, need
        for _, _, partner in sorted(ranked, key=lambda r: r[:2]):
            for size in range(left, 0, -1):
                share = _Pair(self, row, partner, pending).lift(path, size)
                if share is not None:
                    move, left = move + share, left - size
                    for cell, delta in share.changes:
                        pending[cell] = pending.get(cell, 0) + delta
                    break
            if left == 0:
                return move
        return None

    def _prune(self, certificates: dict[tuple[R, str], set[Cell]]) -> None:
        """Print again every added cell that no certificate needs, the total's and the
        largest first: certificates were chosen one at a time, and a later one may make an
        earlier one's cells unnecessary."""
        rank = {row: i for i, row in enumerate([self.table.total, *self.table.areas()])}
        position = {path: i for i, path in enumerate(self.order)}
        added = sorted(
            (c for c in self.hidden if self.table.rows[c[0]][c[1]] >= self.min_cell),
            key=lambda c: (
                rank[c[0]] > 0,
                -self.table.rows[c[0]][c[1]],
                rank[c[0]],
                position[c[1]],
            ),
        )
        for cell in added:
            self.hidden.discard(cell)
            replaced = {}
            for small, uses in certificates.items():
                if cell not in uses:
                    continue
                other = self._certificate(small)
                if other.cost > 0:
                    self.hidden.add(cell)
                    break
                replaced[small] = other.cells()
            else:
                certificates |= replaced

    def _printed(self, cells: Iterable[Cell]) -> set[tuple[R, str]]:
        return {cast(tuple[R, str], c) for c in cells if c[1] not in self.table.unprinted}


class _Pair(Generic[R]):
    """Moves of `row` by u, compensated by `partner` (-u for an area, +u for the total),
    on top of the `pending` changes of a certificate being put together."""

    def __init__(
        self, protection: _Protection[R], row: R, partner: R, pending: Mapping[Cell, int]
    ) -> None:
        self.p = protection
        self.row, self.partner = row, partner
        self.pending = pending
        self.sign = 1 if protection.table.total in (row, partner) else -1

    def lift(self, path: str, amount: int) -> _Move | None:
        """The cheapest certificate raising `path` in `row` by `amount`."""
        here = self._cell(path, amount)
        below = self._down(path, amount) if here is not None else None
        up = self._up(path, amount) if below is not None else None
        return None if here is None or below is None or up is None else here + below + up

    def _up(self, path: str, amount: int) -> _Move | None:
        """Balance `path` moving by `amount` within its parent: siblings give way, or the
        parent moves too (and so one child in each of its other partitions, and its own
        parent)."""
        if path not in self.p.parent:
            return _NOTHING  # a root: nothing above it to balance
        parent, index = self.p.parent[path]
        siblings = [c for c in parent.partitions[index] if c.path != path]
        swap = self._cheapest(siblings, -amount)
        options = [] if swap is None else [swap]
        raised = self._cell(parent.path, amount)
        for i, partition in enumerate(parent.partitions):
            if i != index and raised is not None:
                rest = self._cheapest(partition, amount)
                raised = None if rest is None else raised + rest
        above = self._up(parent.path, amount) if raised is not None else None
        if raised is not None and above is not None:
            options.append(raised + above)
        return min(options, key=lambda m: m.cost, default=None)

    def _down(self, path: str, amount: int) -> _Move | None:
        """Pass `path` moving by `amount` down into each of its partitions."""
        move = _NOTHING
        for partition in self.p.node[path].partitions:
            rest = self._cheapest(partition, amount)
            if rest is None:
                return None
            move = move + rest
        return move

    def _cheapest(self, partition: Sequence[Node], amount: int) -> _Move | None:
        """`amount` passed to one child of `partition` at the least cost, or, when no child
        can take it all, shared among several, the cheapest first."""
        options = [m for c in partition if (m := self._branch(c.path, amount)) is not None]
        if options:
            return min(options, key=lambda m: m.cost)
        step = 1 if amount > 0 else -1
        shares: list[tuple[int, int, str]] = []  # (cost, -most it can take, child)
        for c in partition:
            for size in range(abs(amount) - 1, 0, -1):
                if (m := self._branch(c.path, step * size)) is not None:
                    shares.append((m.cost, -size, c.path))
                    break
        left, move = abs(amount), _NOTHING
        for _, most, child in sorted(shares):
            share = self._branch(child, step * min(-most, left)) if left > 0 else None
            if share is not None:
                move, left = move + share, left - min(-most, left)
        return move if left == 0 else None

    def _branch(self, path: str, amount: int) -> _Move | None:
        here = self._cell(path, amount)
        below = self._down(path, amount) if here is not None else None
        return None if here is None or below is None else here + below

    def _cell(self, path: str, amount: int) -> _Move | None:
        """`path` moving by `amount` in `row` and by `sign` * `amount` in `partner`."""
        cost = 0
        changes = []
        unprinted = path in self.p.table.unprinted
        floor = 0 if unprinted else 1
        for row, change in ((self.row, amount), (self.partner, self.sign * amount)):
            cell = (row, path)
            value = self.p.table.rows[row][path]
            if value == 0 and not unprinted:
                return None  # a printed zero stays printed
            if change < 0 and value + self.pending.get(cell, 0) + change < floor:
                return None
            if not unprinted and cell not in self.p.hidden and cell not in self.pending:
                cost += value * (TOTAL_WEIGHT if row == self.p.table.total else 1)
            changes.append((cell, change))
        return _Move(cost, tuple(changes))
