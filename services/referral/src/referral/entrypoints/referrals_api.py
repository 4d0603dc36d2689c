"""The officers' referral routes (`/api/referrals`): send one through the consent, licence and
eligibility gates, list and read them, withdraw one, and the month's summary per partner."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from referral.domain.summary import MIN_CELL
from referral.entrypoints.dependencies import NOT_FOUND, Bus, CaseWorker, Limit, Period
from referral.entrypoints.schemas import (
    NewReferral,
    PartnerMonthOut,
    PartnerSummary,
    ReferralOut,
    ReferralPage,
)
from referral.service_layer import commands

officer_router = APIRouter(prefix="/api/referrals", tags=["referrals"])


@officer_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    responses={404: {"description": "No such client within your region."}},
)
async def send_referral(body: NewReferral, user: CaseWorker, bus: Bus) -> ReferralOut:
    command = commands.SendReferral(
        actor=user,
        client_id=body.client_id,
        partner_code=body.partner_code,
        product_code=body.product_code,
        fee_sheet_version=body.fee_sheet_version,
        options_shown=tuple(body.options_shown),
    )
    return ReferralOut.of(await bus.handle(command))


@officer_router.get("", response_model=ReferralPage)
async def list_referrals(
    user: CaseWorker,
    bus: Bus,
    client_id: UUID | None = None,
    status: str | None = Query(default=None, pattern=r"^[a-z_]+$"),
    referred_by: Annotated[
        Literal["me"] | None, Query(description="me: only the referrals you sent")
    ] = None,
    late: Annotated[
        bool,
        Query(
            description="only those past an SLA: not acknowledged within 2 working days "
            "(expired), or acknowledged with the outcome late"
        ),
    ] = False,
    answered_since: Annotated[
        AwareDatetime | None,
        Query(description="only those the partner acknowledged, completed or declined since"),
    ] = None,
    limit: Limit = 50,
    cursor: UUID | None = None,
) -> ReferralPage:
    found = await bus.handle(
        commands.ListReferrals(
            actor=user,
            client_id=client_id,
            state=status,
            mine_only=referred_by == "me",
            late=late,
            answered_since=answered_since,
            limit=limit,
            after=cursor,
        )
    )
    return ReferralPage(
        items=[ReferralOut.of(r) for r in found],
        next_cursor=str(found[-1].id) if len(found) == limit else None,
    )


@officer_router.get("/summary", response_model=PartnerSummary)
async def summary(user: CaseWorker, bus: Bus, period: Period) -> PartnerSummary:
    """A month of your region's referrals per partner (sent in the month, in your region's
    time zone): sent, completed, conversion and SLA breaches (not acknowledged within 2
    working days, or the outcome late). A count from 1 to 4 is `null`, a zero is 0;
    conversion is `null` unless both its counts are printed and at least 5."""
    partners = await bus.handle(commands.SummariseMonth(user, period))
    return PartnerSummary(
        period=period,
        region=user.region or "",
        min_cell=MIN_CELL,
        partners=[PartnerMonthOut.model_validate(p, from_attributes=True) for p in partners],
    )


@officer_router.get("/{referral_id}", response_model=ReferralOut, responses=NOT_FOUND)
async def get_referral(referral_id: UUID, user: CaseWorker, bus: Bus) -> ReferralOut:
    return ReferralOut.of(await bus.handle(commands.ViewReferral(user, referral_id)))


@officer_router.post("/{referral_id}/withdraw", response_model=ReferralOut, responses=NOT_FOUND)
async def withdraw(referral_id: UUID, user: CaseWorker, bus: Bus) -> ReferralOut:
    return ReferralOut.of(await bus.handle(commands.WithdrawReferral(user, referral_id)))
