"""What the referral routes ask of the service layer, one dataclass per use case.

Each is a `Command[R]`: the bus (`bus.py`) gives it to its handler with a fresh unit of work
and answers the handler's `R`. Who asks is in the command (`actor`, or the partner's code
from its token): the handlers scope every read by it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from referral.domain.catalogue import Partner
from referral.domain.erasure import PartnerErasure
from referral.domain.referral import Referral
from referral.domain.summary import PublishedPartnerMonth
from shared.auth import Principal
from shared.messagebus import Command

# officers


@dataclass(frozen=True)
class SendReferral(Command[Referral]):
    actor: Principal
    client_id: UUID
    partner_code: str
    product_code: str
    fee_sheet_version: str
    options_shown: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListReferrals(Command[list[Referral]]):
    actor: Principal
    client_id: UUID | None = None
    state: str | None = None
    mine_only: bool = False
    late: bool = False
    answered_since: datetime | None = None
    limit: int = 50
    after: UUID | None = None


@dataclass(frozen=True)
class ViewReferral(Command[Referral]):
    actor: Principal
    referral_id: UUID


@dataclass(frozen=True)
class WithdrawReferral(Command[Referral]):
    actor: Principal
    referral_id: UUID


@dataclass(frozen=True)
class SummariseMonth(Command[list[PublishedPartnerMonth]]):
    """A month (`YYYY-MM`) of the actor's region's referrals per partner."""

    actor: Principal
    period: str


# partners (their own referrals only)


@dataclass(frozen=True)
class PartnerReferrals(Command[list[Referral]]):
    partner_code: str
    state: str | None = None
    limit: int = 50
    after: UUID | None = None
    order: Literal["id", "newest", "respond_by"] = "id"


@dataclass(frozen=True)
class PartnerReferral(Command[Referral]):
    partner_code: str
    referral_id: UUID


@dataclass(frozen=True)
class AnswerReferral(Command[Referral]):
    """The partner acknowledges, completes (with an outcome) or declines (with a reason)."""

    partner_code: str
    referral_id: UUID
    status: str
    outcome: str | None = None
    reason: str | None = None
    external_ref: str | None = None


@dataclass(frozen=True)
class ReadApplicant(Command[dict[str, object]]):
    partner_code: str
    referral_id: UUID


@dataclass(frozen=True)
class ConfirmErasure(Command[PartnerErasure]):
    partner_code: str
    referral_id: UUID
    erased_at: datetime | None = None


# the catalogue (administrators)


@dataclass(frozen=True)
class ListPartners(Command[list[Partner]]):
    pass


@dataclass(frozen=True)
class PutPartner(Command[Partner]):
    """Create or replace a partner: `build` makes it from what the catalogue holds now (or
    None); `callback_url_given`: the request set the callback URL (it is checked then)."""

    partner_code: str
    build: Callable[[Partner | None], Partner]
    callback_url_given: bool = False


@dataclass(frozen=True)
class OffboardPartner(Command[Partner]):
    partner_code: str


@dataclass(frozen=True)
class NewPartnerSecret(Command[str]):
    """A new client secret for an active partner (the previous one stops working)."""

    partner_code: str


@dataclass(frozen=True)
class ChangeLicence(Command[Partner]):
    partner_code: str
    licence_status: str
    licence_verified_on: date
