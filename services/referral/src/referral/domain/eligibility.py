"""Eligibility: every failed rule of a product, each with a reason an officer can read aloud."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from referral.domain.catalogue import Product, Rule


@dataclass(frozen=True)
class Applicant:
    """What the referral service knows about a client (from client events, no NIK)."""

    kind: str  # worker | business
    birth_date: date
    region_code: str
    has_nib: bool = False
    completed_programmes: frozenset[str] = frozenset()
    restricted: bool = False  # the client asked to restrict processing


@dataclass(frozen=True)
class FailedRule:
    rule: str
    reason: str


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _client_kind(rule: Rule, who: Applicant, today: date) -> str | None:
    allowed = tuple(rule.value)
    return None if who.kind in allowed else f"the product is for {' or '.join(allowed)} clients"


def _min_age(rule: Rule, who: Applicant, today: date) -> str | None:
    ok = _age(who.birth_date, today) >= int(rule.value)
    return None if ok else f"the client must be at least {rule.value} years old"


def _nib_required(rule: Rule, who: Applicant, today: date) -> str | None:
    return None if who.has_nib else "the business needs an NIB (Nomor Induk Berusaha)"


def _region_in(rule: Rule, who: Applicant, today: date) -> str | None:
    covered = any(who.region_code.startswith(prefix) for prefix in rule.value)
    return None if covered else "the partner does not serve the client's region"


def _training_completed(rule: Rule, who: Applicant, today: date) -> str | None:
    done = rule.value in who.completed_programmes
    return None if done else f"the client must first complete the training {rule.value!r}"


CHECKS: dict[str, Callable[[Rule, Applicant, date], str | None]] = {
    "client_kind": _client_kind,
    "min_age": _min_age,
    "nib_required": _nib_required,
    "region_in": _region_in,
    "training_completed": _training_completed,
}


def failed_rules(product: Product, who: Applicant, today: date) -> list[FailedRule]:
    """All the rules the applicant fails (not only the first), in the product's order."""
    failures = []
    for rule in product.rules:
        reason = CHECKS[rule.kind](rule, who, today)
        if reason is not None:
            failures.append(FailedRule(rule.kind, reason))
    return failures
