"""Which of a client's details a referral consent's scope lets a partner see.

This is the client side of the contract of docs/contract.md §6.1: `contact` → full_name,
phone; `identity` → nik, birth_date, sex; `business` → the business object (nib, name, kbli).
Nothing else leaves for a partner: never income, disability, the financial profile, notes,
other referrals or the officer's name. `referral/domain/offer.py` is the partner side of the
same rule (what the offer event carries); the two services may not import each other, so a
unit test (`services/client/tests/unit/test_consent_scope.py`) holds the two tables equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from client.domain.model import Client

SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("full_name", "phone"),
    "identity": ("nik", "birth_date", "sex"),
    "business": ("business",),
}
BUSINESS_FIELDS = ("nib", "name", "kbli")


def reveals_nik(scope: Iterable[str]) -> bool:
    """Whether the scope shows the NIK (read in clear, and audited as a reveal, only then)."""
    return any("nik" in SCOPE_FIELDS.get(part, ()) for part in scope)


def visible_fields(client: Client, nik: str | None, scope: Iterable[str]) -> dict[str, Any]:
    """The profile fields the scope allows, by name; a part of the scope we do not know
    shows nothing, and a client without a business shows none under `business`."""
    business = client.business
    values: dict[str, Any] = {
        "full_name": client.full_name,
        "phone": client.phone,
        "nik": nik,
        "birth_date": client.birth_date,
        "sex": client.sex,
        "business": None
        if business is None
        else {name: getattr(business, name) for name in BUSINESS_FIELDS},
    }
    return {name: values[name] for part in scope for name in SCOPE_FIELDS.get(part, ())}
