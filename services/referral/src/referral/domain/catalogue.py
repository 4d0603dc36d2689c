"""Licensed partners, their products, versioned fee sheets and declarative eligibility rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

REGULATORS = ("OJK", "BI")
LICENCE_STATUSES = ("active", "suspended", "revoked")


@dataclass(frozen=True)
class FeeSheet:
    """What the client pays and may do; the version is what the client acknowledges."""

    version: str
    fees: dict[str, int]  # rupiah, e.g. {"opening": 0, "monthly": 0}
    limits: dict[str, int] = field(default_factory=dict)  # rupiah, e.g. {"balance": 20_000_000}
    interest_tier: str | None = None  # e.g. "KUR Mikro 6 % p.a. effective"


@dataclass(frozen=True)
class Rule:
    """One eligibility rule: `kind` names the check, `value` parametrises it."""

    kind: str
    value: Any = None


@dataclass(frozen=True)
class Product:
    code: str
    partner_code: str
    name: str
    kind: str  # savings | payroll | credit | ewallet | qris
    fee_sheet: FeeSheet
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    kind: str  # bank | e-money
    regulator: str
    licence_type: str
    licence_number: str
    licence_status: str
    licence_verified_on: date
    products: tuple[Product, ...] = ()
    # Which offer the partner reads: 2 (no personal value in Kafka; the applicant over HTTPS)
    # or 1 (the applicant inline; for partners built against it, until they move).
    offer_version: int = 2
    # Onboarding (docs/partners.md): `provisioning` until its Keycloak client and its topic
    # exist, then `active`; `offboarding` while they are removed, then `offboarded`.
    status: str = "active"
    # Where its offers and withdrawals are also POSTed, signed (decision 0021); None: Kafka only.
    callback_url: str | None = None

    @property
    def may_receive_referrals(self) -> bool:
        return self.licence_status == "active"

    @property
    def ready(self) -> bool:
        """Everything the partner needs to receive and answer a referral exists."""
        return self.status == "active"

    def product(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)


def reused_fee_sheet_versions(before: Partner | None, after: Partner) -> list[int]:
    """The positions of `after`'s products whose fee sheet changed but kept its version: a
    client acknowledged a version, so changed terms need a new one."""
    kept = {p.code: p.fee_sheet for p in (before.products if before else ())}
    return [
        i
        for i, product in enumerate(after.products)
        if product.code in kept
        and kept[product.code].version == product.fee_sheet.version
        and kept[product.code] != product.fee_sheet
    ]
