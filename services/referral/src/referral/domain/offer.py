"""What a partner receives about an applicant: exactly the consented scope, nothing more.

docs/contract.md §6.1: `contact` → full_name, phone; `identity` → nik, birth_date, sex;
`business` → the business object. Never income, disability, financial profile, notes, other
referrals or the officer's name.
"""

from __future__ import annotations

from typing import Any

SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("full_name", "phone"),
    "identity": ("nik", "birth_date", "sex"),
    "business": ("business",),
}
BUSINESS_FIELDS = ("nib", "name", "kbli")


def applicant_for_partner(
    kind: str, profile: dict[str, Any], scope: tuple[str, ...]
) -> dict[str, Any]:
    """The applicant object of `jembatan.partner.referral.offered.v1` for this consent scope."""
    applicant: dict[str, Any] = {"kind": kind}
    for part in scope:
        for name in SCOPE_FIELDS.get(part, ()):
            if name == "business":
                business = profile.get("business") or {}
                applicant["business"] = {k: business[k] for k in BUSINESS_FIELDS if k in business}
            elif profile.get(name) is not None:
                applicant[name] = profile[name]
    return applicant
