"""The attacker's side of the ministry's indicators: what the published figures give away.

Reads one answer of `GET /api/ministry/indicators` (the JSON the API returns, or its CSV
folded back into that shape) the way a determined reader would. It writes down every
relation the documentation promises between the answer's cells:

- each breakdown of a row sums to the row's count: kind, sex and age band to the clients
  registered; partner type, product and state to the referrals sent;
- with and without a disability make up the clients registered, and accounts opened by women
  are among the completed referrals (the rest is never printed but is a count all the same);
- with the partner catalogue, a partner type's products add up to it; a product offered by
  several types is made of one unknown count per type, and its own cell, always withheld,
  may be zero;
- every cell of the total row is the sum of that cell over the areas;
- conversion is completed / sent rounded to four places: two linear inequalities;
- a printed median stands on at least `min_cell` outcomes (completed + declined), a printed
  mean on at least `min_cell` trainings completed;
- a withheld count (`null`) is at least 1, because zeros are printed.

Each withheld or unprinted count is an unknown whole number of at least 0 bound by those
relations. A withheld cell is safe when some table of whole numbers that satisfies every
relation puts it at `min_cell` or more: nobody can then conclude that the cell is small, nor
work out its exact value. The audit tries to prove that for each cell by finding such a
table (a witness, checked exactly in whole numbers), with a linear program and, when its
vertex is not whole, branch and bound in exact fractions. A cell whose exact linear maximum
stays under `min_cell` is a disclosure, reported with the range the published figures leave
for it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Var = tuple[str, str]  # (row label, dotted path of the cell)
Terms = dict[Var, Fraction]
Constraint = tuple[dict[int, Fraction], Fraction, bool]  # (terms, rhs, equality or at least)

# A row's count and the breakdowns that partition it.
PARTITIONS = (
    ("clients_registered.total", "clients_registered.by_kind"),
    ("clients_registered.total", "clients_registered.by_sex"),
    ("clients_registered.total", "clients_registered.by_age_band"),
    ("referrals.sent", "referrals.by_partner_type"),
    ("referrals.sent", "referrals.by_product"),
    ("referrals.sent", "referrals.by_state"),
)
# A count split in two where only the first part is printed.
SPLITS = (
    ("clients_registered.total", "clients_registered.with_disability", "~without_disability"),
    ("referrals.by_state.completed", "accounts_opened_by_women", "~completed_otherwise"),
)
SINGLE = ("clients_registered.total", "referrals.sent", "trainings.completed")
BREAKDOWNS = tuple(dict.fromkeys(b for _, b in PARTITIONS))


@dataclass(frozen=True)
class Finding:
    """A withheld cell that the published figures narrow to fewer than `min_cell`."""

    row: str
    cell: str
    low: Fraction
    high: Fraction

    def __str__(self) -> str:
        return f"{self.row} {self.cell}: between {self.low} and {self.high}"


@dataclass
class Relations:
    """Every count of an answer, what is printed of it, and the relations that bind them."""

    min_cell: int
    printed: dict[Var, int | None] = field(default_factory=dict)
    unprinted: set[Var] = field(default_factory=set)
    equalities: list[tuple[Terms, Fraction]] = field(default_factory=list)
    at_least: list[tuple[Terms, Fraction]] = field(default_factory=list)

    def unknowns(self) -> list[Var]:
        withheld = [var for var, value in self.printed.items() if value is None]
        return sorted({*withheld, *self.unprinted})

    def printed_small(self) -> list[Finding]:
        """Counts printed although under `min_cell` (zeros excepted): no attack needed."""
        return [
            Finding(row, cell, Fraction(value), Fraction(value))
            for (row, cell), value in self.printed.items()
            if value is not None and 0 < value < self.min_cell
        ]


def relations(
    answer: Mapping[str, Any], catalogue: Mapping[str, Collection[str]] | None = None
) -> Relations:
    """What the documentation says holds between the cells of `answer`; with the partner
    `catalogue` (product code -> partner types offering it), also how products make up
    partner types."""
    found = Relations(int(answer["min_cell"]))
    rows = [answer["total"], *answer["areas"]]
    # The total of a regency's answer is that regency again: rows are told apart by place.
    labels = [f"{answer['total']['region_code']} (total)"]
    labels += [str(row["region_code"]) for row in answer["areas"]]
    # A breakdown nobody is in (no referral this month) may have no column in a CSV at all.
    categories = {
        b: sorted({k for row in rows for k in (_at(row, b) if _has(row, b) else None) or {}})
        for b in BREAKDOWNS
    }
    paths = [*SINGLE, *(part for _, part, _ in SPLITS)]
    for breakdown, keys in categories.items():
        paths += [f"{breakdown}.{k}" for k in keys]
    for label, row in zip(labels, rows, strict=True):
        for path in paths:
            # A category missing from a row has nobody in it.
            found.printed[(label, path)] = _at(row, path) if _has(row, path) else 0
        for whole, breakdown in PARTITIONS:
            parts = [(label, f"{breakdown}.{k}") for k in categories[breakdown]]
            found.equalities.append(_sum_is((label, whole), parts))
        for whole, part, rest in SPLITS:
            found.unprinted.add((label, rest))
            found.equalities.append(_sum_is((label, whole), [(label, part), (label, rest)]))
        if catalogue is not None:
            _products_of_types(found, label, categories, catalogue)
        _ratios_and_means(found, label, row)
    total, areas = labels[0], labels[1:]
    if areas:
        for path in sorted({p for _, p in [*found.printed, *found.unprinted]}):
            found.equalities.append(_sum_is((total, path), [(a, path) for a in areas]))
    return found


def _products_of_types(
    found: Relations,
    label: str,
    categories: Mapping[str, Sequence[str]],
    catalogue: Mapping[str, Collection[str]],
) -> None:
    parts: dict[str, list[Var]] = {k: [] for k in categories["referrals.by_partner_type"]}
    for product in categories["referrals.by_product"]:
        kinds = sorted(catalogue[product])
        cell = (label, f"referrals.by_product.{product}")
        if len(kinds) == 1:
            parts.setdefault(kinds[0], []).append(cell)
            continue
        # Offered by several types: one unknown per type, and the product's own cell
        # (always withheld, so possibly zero) is their sum.
        offers = [(label, f"~offers.{kind}.{product}") for kind in kinds]
        found.unprinted |= {cell, *offers}
        found.equalities.append(_sum_is(cell, offers))
        for kind, offered in zip(kinds, offers, strict=True):
            parts.setdefault(kind, []).append(offered)
    for kind, cells in parts.items():
        whole = (label, f"referrals.by_partner_type.{kind}")
        found.printed.setdefault(whole, 0)  # a type the answer does not list sold nothing
        found.equalities.append(_sum_is(whole, cells))


def audit(
    answer: Mapping[str, Any],
    truth: Mapping[str, Any] | None = None,
    catalogue: Mapping[str, Collection[str]] | None = None,
) -> list[Finding]:
    """Every count the answer lets somebody pin below `min_cell`.

    With `truth` (the same answer with nothing withheld), each withheld or unprinted count
    whose true value lies between 1 and `min_cell` - 1 must be able to reach `min_cell`.
    Without it (or for a count the truth does not show either), every count printed as
    `null` must be able to reach `min_cell`, and one that may be zero must not be certainly
    between 1 and `min_cell` - 1.
    """
    model = relations(answer, catalogue)
    if small := model.printed_small():
        return small
    actual = _true_values(truth, catalogue) if truth is not None else None
    system = _System(model)
    findings = []
    for var in model.unknowns():
        if actual is not None and var in actual:
            checked = 0 < actual[var] < model.min_cell
            safe = not checked or system.reaches(var, model.min_cell)
        elif var in model.unprinted:
            # May be zero: safe unless it is certainly between 1 and min_cell - 1.
            safe = system.may_be_zero(var) or system.reaches(var, model.min_cell)
        else:
            safe = system.reaches(var, model.min_cell)
        if not safe:
            low, high = system.range(var)
            findings.append(Finding(var[0], var[1], low, high))
    return findings


def from_csv(rows: Iterable[Mapping[str, str]], min_cell: int) -> dict[str, Any]:
    """The CSV answer (one line per cell, the total's lines first) folded back into the JSON
    answer's shape. A regency's answer lists the regency twice, as total and as area: a row
    ends where its first indicator comes round again."""
    answer: dict[str, Any] = {"min_cell": min_cell, "total": None, "areas": []}
    current: dict[str, Any] = {}
    seen: set[str] = set()
    for line in rows:
        key = (line["region_code"], line["level"])
        if (
            not current
            or (current["region_code"], current["level"]) != key
            or (line["indicator"] in seen)
        ):
            current, seen = {"region_code": key[0], "level": key[1]}, set()
            if answer["total"] is None:
                answer["total"] = current
            else:
                answer["areas"].append(current)
        seen.add(line["indicator"])
        node = current
        *parents, leaf = line["indicator"].split(".")
        for name in parents:
            node = node.setdefault(name, {})
        text = line["value"]
        node[leaf] = None if text == "" else (float(text) if "." in text else int(text))
    return answer


def leaves(answer: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    """Every printed or withheld figure of an answer as (row, level, dotted path, value), in
    order: what the JSON and the CSV answers must agree on."""
    found = []

    def walk(row: Mapping[str, Any], prefix: str, node: Any) -> None:
        if isinstance(node, Mapping):
            for key, inner in node.items():
                walk(row, f"{prefix}.{key}" if prefix else key, inner)
        else:
            found.append((row["region_code"], row["level"], prefix, node))

    for row in [answer["total"], *answer["areas"]]:
        for key, value in row.items():
            if key not in ("region_code", "level"):
                walk(row, key, value)
    return found


def _true_values(
    truth: Mapping[str, Any], catalogue: Mapping[str, Collection[str]] | None
) -> dict[Var, int]:
    model = relations(truth, catalogue)
    values = {var: int(v) for var, v in model.printed.items() if v is not None}
    for label in {var[0] for var in values}:
        for whole, part, rest in SPLITS:
            values[(label, rest)] = values[(label, whole)] - values[(label, part)]
    return values


def _ratios_and_means(found: Relations, label: str, row: Mapping[str, Any]) -> None:
    sent, completed = (label, "referrals.sent"), (label, "referrals.by_state.completed")
    one = Fraction(1)
    conversion = row["referrals"].get("conversion")
    if conversion is not None:
        # round(completed / sent, 4) == conversion: completed lies within half a unit of the
        # last place of conversion * sent, on either side.
        c, half = Fraction(str(conversion)), Fraction(1, 20000)
        found.at_least.append(({completed: one, sent: -(c - half)}, Fraction(0)))
        found.at_least.append(({completed: -one, sent: c + half}, Fraction(0)))
    if row["referrals"].get("median_working_days_to_outcome") is not None:
        declined = (label, "referrals.by_state.declined")
        found.at_least.append(({completed: one, declined: one}, Fraction(found.min_cell)))
    if row["trainings"].get("mean_knowledge_gain") is not None:
        found.at_least.append(({(label, "trainings.completed"): one}, Fraction(found.min_cell)))


def _sum_is(whole: Var, parts: Iterable[Var]) -> tuple[Terms, Fraction]:
    terms: Terms = {whole: Fraction(1)}
    for p in parts:
        terms[p] = terms.get(p, Fraction(0)) - 1
    return terms, Fraction(0)


def _has(row: Mapping[str, Any], path: str) -> bool:
    node: Any = row
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


def _at(row: Mapping[str, Any], path: str) -> Any:
    node: Any = row
    for key in path.split("."):
        node = node[key]
    return node


class _System:
    """The relations with every printed value put in: problems over the unknowns only, one
    per group of unknowns that share a relation."""

    def __init__(self, model: Relations) -> None:
        unknowns = model.unknowns()
        self.index = {var: i for i, var in enumerate(unknowns)}
        # A withheld printed count is never zero: its variable is the count minus one.
        self.floor = [0 if var in model.unprinted else 1 for var in unknowns]
        constraints = [
            c
            for terms, rhs, is_eq in [
                *((t, r, True) for t, r in model.equalities),
                *((t, r, False) for t, r in model.at_least),
            ]
            if (c := self._substituted(model, terms, rhs, is_eq)) is not None
        ]
        groups = _connected(len(unknowns), constraints)
        self.group: dict[int, tuple[list[int], list[Constraint]]] = {}
        for members, own in groups:
            local = {i: k for k, i in enumerate(members)}
            renumbered = [
                ({local[i]: c for i, c in terms.items()}, rhs, is_eq) for terms, rhs, is_eq in own
            ]
            for i in members:
                self.group[i] = (members, renumbered)

    def _substituted(
        self, model: Relations, terms: Terms, rhs: Fraction, is_eq: bool
    ) -> Constraint | None:
        known = rhs
        unknown: dict[int, Fraction] = {}
        for var, coef in terms.items():
            if var in self.index:
                i = self.index[var]
                unknown[i] = unknown.get(i, Fraction(0)) + coef
                known -= coef * self.floor[i]
            else:
                value = model.printed[var]
                assert value is not None
                known -= coef * value
        unknown = {i: c for i, c in unknown.items() if c != 0}
        if not unknown:
            if (is_eq and known != 0) or (not is_eq and known > 0):
                raise ValueError(f"the answer contradicts its own relations: {terms}")
            return None
        return unknown, known, is_eq

    def reaches(self, var: Var, level: int) -> bool:
        """Whether some whole-number table fits every relation with `var` at `level` or more."""
        i = self.index[var]
        members, constraints = self.group[i]
        k = members.index(i)
        need = {k: Fraction(level - self.floor[i])}
        if need[k] <= 0:
            return True
        guess = _solve(constraints, len(members), need, k, exact=False, maximise=None)
        if guess is not None:
            point = [Fraction(round(x)) for x in guess[1]]
            if _satisfies(constraints, point, need):
                return True
        return _whole_point(constraints, len(members), need, depth=0)

    def may_be_zero(self, var: Var) -> bool:
        """Whether the relations let `var` be 0 (linear relaxation, to a rounding margin)."""
        i = self.index[var]
        members, constraints = self.group[i]
        k = members.index(i)
        low = _solve(constraints, len(members), {}, k, exact=False, maximise=False)
        return low is not None and low[0] + self.floor[i] < 0.5

    def range(self, var: Var) -> tuple[Fraction, Fraction]:
        """The least and greatest value of `var` the relations allow (linear relaxation)."""
        i = self.index[var]
        members, constraints = self.group[i]
        k = members.index(i)
        low = _solve(constraints, len(members), {}, k, exact=True, maximise=False)
        high = _solve(constraints, len(members), {}, k, exact=True)
        assert low is not None and high is not None, "the published answer is infeasible"
        return Fraction(low[0]) + self.floor[i], Fraction(high[0]) + self.floor[i]


def _connected(
    n: int, constraints: Sequence[Constraint]
) -> list[tuple[list[int], list[Constraint]]]:
    """Unknowns grouped by the relations they share, each group with its relations."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for terms, _, _ in constraints:
        first, *rest = terms
        for j in rest:
            parent[root(j)] = root(first)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    own: dict[int, list[Constraint]] = {g: [] for g in members}
    for c in constraints:
        own[root(next(iter(c[0])))].append(c)
    return [(members[g], own[g]) for g in members]


def _whole_point(
    constraints: list[Constraint], n: int, lower: dict[int, Fraction], depth: int
) -> bool:
    """Branch and bound in exact arithmetic: is there a whole-number point at all?"""
    target = next(iter(lower))
    found = _solve(constraints, n, lower, target, exact=True, maximise=None)
    if found is None:
        return False
    point = [Fraction(x) for x in found[1]]
    fractional = next((j for j, x in enumerate(point) if x.denominator != 1), None)
    if fractional is None:
        return _satisfies(constraints, point, lower)
    if depth > 40:
        raise RuntimeError("branch and bound went too deep")
    x = point[fractional]
    if _whole_point(constraints, n, lower | {fractional: Fraction(math.ceil(x))}, depth + 1):
        return True
    at_most: Constraint = ({fractional: Fraction(-1)}, -Fraction(math.floor(x)), False)
    return _whole_point([*constraints, at_most], n, lower, depth + 1)


def _satisfies(
    constraints: Sequence[Constraint], point: Sequence[Fraction], lower: Mapping[int, Fraction]
) -> bool:
    """An exact, independent check of a witness table."""
    if any(x < 0 for x in point) or any(point[i] < b for i, b in lower.items()):
        return False
    for terms, rhs, is_eq in constraints:
        value = sum((c * point[i] for i, c in terms.items()), Fraction(0))
        if (is_eq and value != rhs) or (not is_eq and value < rhs):
            return False
    return True


def _solve(
    constraints: Sequence[Constraint],
    n: int,
    lower: Mapping[int, Fraction],
    objective: int,
    *,
    exact: bool,
    maximise: bool | None = True,
) -> tuple[Any, list[Any]] | None:
    """Optimise one variable subject to `constraints`, x >= 0 and x_i >= lower[i]: a
    two-phase simplex with Bland's rule, in fractions or in floats. Returns (optimum, point),
    or None when infeasible; an unbounded optimum is reported as 10**9. With `maximise` None,
    any feasible point will do: phase one only."""
    num: Any = Fraction if exact else float
    eps: Any = Fraction(0) if exact else 1e-9
    width = n + sum(1 for _, _, is_eq in constraints if not is_eq)
    m = len(constraints)
    tableau: list[list[Any]] = []
    surplus = n
    for r, (terms, rhs, is_eq) in enumerate(constraints):
        dense = [num(0)] * (width + m + 1)
        for i, c in terms.items():
            dense[i] = num(c)
        if not is_eq:
            dense[surplus] = num(-1)
            surplus += 1
        dense[-1] = num(rhs - sum((c * lower.get(i, 0) for i, c in terms.items()), Fraction(0)))
        if dense[-1] < 0:
            dense = [-x for x in dense]
        dense[width + r] = num(1)  # the artificial variable of phase one
        tableau.append(dense)
    full = width + m
    basis = list(range(width, full))
    z = [num(0)] * (full + 1)
    for dense in tableau:
        for j in range(width):
            z[j] -= dense[j]
        z[full] -= dense[full]
    _run(tableau, z, basis, full, eps)
    if z[full] < -eps * 1000 * max(1, m):
        return None
    for r in range(len(tableau) - 1, -1, -1):
        if basis[r] >= width:
            pivot = next((j for j in range(width) if abs(tableau[r][j]) > eps), None)
            if pivot is None:
                del tableau[r], basis[r]  # a redundant relation
            else:
                _pivot(tableau, z, r, pivot, eps)
                basis[r] = pivot
    tableau = [[*dense[:width], dense[full]] for dense in tableau]
    if maximise is None:
        return None, _point(tableau, basis, n, lower, num)
    sign = 1 if maximise else -1
    z = [num(0)] * (width + 1)
    z[objective] = num(-sign)
    for r, b in enumerate(basis):
        if b == objective:
            z = [a + sign * t for a, t in zip(z, tableau[r], strict=True)]
    bounded = _run(tableau, z, basis, width, eps)
    point = _point(tableau, basis, n, lower, num)
    return (point[objective] if bounded else num(10**9)), point


def _point(
    tableau: list[list[Any]], basis: list[int], n: int, lower: Mapping[int, Fraction], num: Any
) -> list[Any]:
    point = [num(lower.get(i, 0)) for i in range(n)]
    for r, b in enumerate(basis):
        if b < n:
            point[b] += tableau[r][-1]
    return point


def _run(tableau: list[list[Any]], z: list[Any], basis: list[int], width: int, eps: Any) -> bool:
    """Pivot by Bland's rule until optimal; False when the objective is unbounded."""
    while True:
        entering = next((j for j in range(width) if z[j] < -eps), None)
        if entering is None:
            return True
        best: tuple[Any, int, int] | None = None
        for r, dense in enumerate(tableau):
            if dense[entering] > eps:
                key = (dense[-1] / dense[entering], basis[r], r)
                if best is None or key < best:
                    best = key
        if best is None:
            return False
        _pivot(tableau, z, best[2], entering, eps)
        basis[best[2]] = entering


def _pivot(tableau: list[list[Any]], z: list[Any], r: int, j: int, eps: Any) -> None:
    pivot_row = [x / tableau[r][j] for x in tableau[r]]
    tableau[r] = pivot_row
    # The relations are sparse: only the pivot row's nonzero columns change elsewhere.
    nonzero = [k for k, x in enumerate(pivot_row) if abs(x) > eps]
    for i, dense in enumerate(tableau):
        if i != r and abs(dense[j]) > eps:
            f = dense[j]
            for k in nonzero:
                dense[k] -= f * pivot_row[k]
    if abs(z[j]) > eps:
        f = z[j]
        for k in nonzero:
            z[k] -= f * pivot_row[k]
