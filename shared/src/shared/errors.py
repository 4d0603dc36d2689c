"""The errors a domain or a service layer may raise, in plain Python.

They say what went wrong in the business's words; the HTTP answer is chosen once, by the app
factory (`shared.problems.install_handlers`), so a handler never knows about status codes and
a route never translates errors. A message names the field at fault and says what is wrong
with it in plain words; it never repeats the value the caller sent (it may be personal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    """Anything the business refuses or cannot find; a caller's mistake, never a crash."""


class NotFound(DomainError):
    """Nothing of that kind, or nothing the caller may see (another region's is not found)."""

    def __init__(self, what: str = "record") -> None:
        super().__init__(f"No such {what}.")
        self.what = what


@dataclass(frozen=True)
class FieldProblem:
    """One field at fault: its dotted name and what is wrong, without its value."""

    field: str
    message: str


class InvalidField(DomainError):
    """One or more inputs break a rule; `problems` names each field."""

    def __init__(
        self,
        field: str,
        message: str,
        *more: FieldProblem,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.problems: tuple[FieldProblem, ...] = (FieldProblem(field, message), *more)
        self.detail = detail

    @property
    def field(self) -> str:
        """The first field at fault (most errors have one)."""
        return self.problems[0].field

    @property
    def message(self) -> str:
        return self.problems[0].message

    @classmethod
    def of(cls, problems: Sequence[FieldProblem], detail: str | None = None) -> InvalidField:
        """Several fields at once (at least one)."""
        first, *rest = problems
        return cls(first.field, first.message, *rest, detail=detail)

    def under(self, prefix: str) -> InvalidField:
        """The same problems, their fields named inside `prefix` (`scores.3.` + `post_score`)."""
        moved = [FieldProblem(f"{prefix}{p.field}", p.message) for p in self.problems]
        return InvalidField.of(moved, self.detail)


class Conflict(DomainError):
    """The request contradicts the record's state (it was cancelled, it exists already).

    `reason` is a machine-readable slug (`session-cancelled`); `facts` are extra members the
    answer carries (such as the current `state`)."""

    def __init__(self, detail: str, reason: str = "conflict", **facts: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason = reason
        self.facts = facts


class Refused(DomainError):
    """A business rule refuses the request as it stands (no live consent, licence suspended);
    `reason` is a machine-readable slug a client can act on."""

    def __init__(self, reason: str, detail: str, **facts: Any) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.facts = facts


class Gone(DomainError):
    """What was asked for existed but has ended and can no longer be had (a referral's
    applicant after the referral ended); `detail` says so in plain words."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
