"""A partner's erasure of an erased client's applicant: asked, confirmed, or escalated.

When a client is erased (UU 27/2022 Pasal 43), each partner that received one of the client's
referrals is asked to erase what it holds by `erase_by` (72 hours later, as after a
withdrawal) and to confirm it. A confirmation is recorded once; an erasure still unconfirmed
after `erase_by` is escalated to the province's supervisor, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from referral.domain.referral import Referral

# A partner's clock may run a little ahead of ours; an `erased_at` further ahead is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class PartnerErasure:
    referral_id: UUID
    client_id: UUID
    region_code: str
    partner_code: str
    partner_kind: str
    product_code: str
    requested_at: datetime
    erase_by: datetime
    confirmed_at: datetime | None = None  # when the partner's confirmation reached us
    erased_at: datetime | None = None  # when the partner says it erased
    escalated_at: datetime | None = None

    @classmethod
    def ask(cls, referral: Referral, partner_kind: str, erased_at: datetime) -> PartnerErasure:
        """End `referral` (its client was erased at `erased_at`) and ask its partner to erase."""
        erase_by = referral.erase(erased_at)
        return cls(
            referral_id=referral.id,
            client_id=referral.client_id,
            region_code=referral.region_code,
            partner_code=referral.partner_code,
            partner_kind=partner_kind,
            product_code=referral.product_code,
            requested_at=erased_at,
            erase_by=erase_by,
        )

    @property
    def id(self) -> UUID:
        """One erasure per referral: it goes by the referral's id."""
        return self.referral_id

    @property
    def in_time(self) -> bool | None:
        """Whether the confirmation came by `erase_by`; None while none came."""
        return None if self.confirmed_at is None else self.confirmed_at <= self.erase_by

    def confirm(self, now: datetime, erased_at: datetime | None = None) -> bool:
        """Record the partner's confirmation; False when it was recorded before (the first
        one stands: a second changes nothing)."""
        if self.confirmed_at is not None:
            return False
        if erased_at is not None and erased_at > now + CLOCK_SKEW:
            raise ValueError("lies in the future")
        self.confirmed_at = now
        self.erased_at = erased_at or now
        return True

    def escalate_if_overdue(self, now: datetime) -> bool:
        """Escalate, once, an erasure still unconfirmed after `erase_by`."""
        if self.confirmed_at is not None or self.escalated_at is not None or now <= self.erase_by:
            return False
        self.escalated_at = now
        return True
