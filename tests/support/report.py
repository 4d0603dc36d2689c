"""Figures a test run prints at its end (coverage of the security matrix, chaos counts...).

A test adds a finished line with `figure`; a module whose figure sums up many tests (the cells
of a matrix, the requests of a check) registers a renderer with `at_end` instead, fed by a
collector below, so that the figure is drawn from what actually ran, whatever the order of the
tests and whichever of them were selected. `tests/conftest.py` prints every line in pytest's
closing summary, where `-q` and captured output still show it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

FIGURES: list[str] = []
_RENDERERS: list[Callable[[], str | None]] = []


def figure(line: str) -> None:
    """Print `line` in pytest's closing summary."""
    FIGURES.append(line)


def at_end(render: Callable[[], str | None]) -> Callable[[], str | None]:
    """Print what `render` returns in the closing summary (nothing when it returns None: the
    tests it sums up did not run). Usable as a decorator."""
    _RENDERERS.append(render)
    return render


def lines() -> list[str]:
    """Every line for the closing summary: the finished figures, then the rendered ones."""
    rendered = (render() for render in _RENDERERS)
    return [*FIGURES, *(line for line in rendered if line is not None)]


class Cells:
    """The cells of a parametrized check (an endpoint by a caller, say): which are defined,
    which ran and which passed. A test wraps its checks in `with cells.check(cell):`."""

    def __init__(self, defined: Iterable[Hashable]) -> None:
        self.defined: frozenset[Hashable] = frozenset(defined)
        self.ran: set[Hashable] = set()
        self.passed: set[Hashable] = set()

    @contextmanager
    def check(self, cell: Hashable) -> Iterator[None]:
        """Count `cell` as run, and as passed if the block finishes without an exception."""
        if cell not in self.defined:
            raise KeyError(f"{cell!r} is not a cell of this matrix")
        self.ran.add(cell)
        yield
        self.passed.add(cell)

    @property
    def complete(self) -> bool:
        """Every defined cell ran and passed."""
        return self.passed == self.defined


@dataclass
class Requests:
    """Requests a check sent, and how many of them were answered as the check expects."""

    sent: int = 0
    as_expected: int = 0
    planned: int | None = None  # how many the whole check sends, once that is known

    def answered(self, *, as_expected: bool) -> None:
        self.sent += 1
        self.as_expected += as_expected
