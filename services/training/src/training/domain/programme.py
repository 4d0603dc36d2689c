"""A programme (e.g. digital financial literacy) and its completion rule."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

AUDIENCES = ("clients", "officers", "both")


@dataclass(frozen=True)
class CompletionRule:
    """Completed when attendance reaches `min_attendance` and the post-test `min_post_score`.

    Shares are exact fractions, so 4 of 5 days is exactly 80 %, never 79.99999.
    """

    min_attendance: Fraction = Fraction(80, 100)
    min_post_score: int = 70  # out of 100

    def completed(self, days_attended: int, days_total: int, post_score: int | None) -> bool:
        if days_total <= 0 or post_score is None:
            return False
        return (
            Fraction(days_attended, days_total) >= self.min_attendance
            and post_score >= self.min_post_score
        )


@dataclass(frozen=True)
class Programme:
    code: str
    title: str
    modules: tuple[str, ...]
    duration_hours: int
    audience: str
    language: str
    rule: CompletionRule = CompletionRule()


def knowledge_gain(pre_score: int | None, post_score: int | None) -> int | None:
    """Points gained between the pre-test and the post-test (None if either is missing)."""
    if pre_score is None or post_score is None:
        return None
    return post_score - pre_score
