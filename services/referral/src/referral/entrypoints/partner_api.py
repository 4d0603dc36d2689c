"""The partner side (`/api/partner`): a partner's staff see, answer and confirm the erasure of
their own organisation's referrals only (the `partner_code` claim), read an applicant's
consented fields on request; and the public keys that verify Jembatan's webhooks."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from referral.domain.referral import Referral
from referral.entrypoints.dependencies import NOT_FOUND, Bus, ContainerDep, Limit, Partner
from referral.entrypoints.schemas import (
    ErasureConfirmation,
    PartnerApplicant,
    PartnerErasureOut,
    PartnerReferralOut,
    PartnerReferralPage,
    StatusChange,
    WebhookKey,
    WebhookKeys,
)
from referral.service_layer import commands
from shared import snap
from shared.auth import Principal
from shared.problems import Forbidden, Problem

partner_router = APIRouter(prefix="/api/partner/referrals", tags=["partner"])
# Public, like a JWKS: anyone may verify what Jembatan signed (decision 0021).
webhook_key_router = APIRouter(prefix="/api/partner", tags=["partner"])


@webhook_key_router.get(
    "/webhook-key",
    response_model=WebhookKeys,
    responses={503: {"description": "No signing key is configured here."}},
)
async def webhook_key(container: ContainerDep, response: Response) -> WebhookKeys:
    """The public keys that verify Jembatan's webhooks (SHA256withRSA over the string to
    sign), for partners to fetch and cache; no token needed."""
    keys = container.webhook_public_keys
    if not keys:
        raise Problem(503, "Service Unavailable", "No webhook key is published here.")
    response.headers["Cache-Control"] = "public, max-age=300"
    return WebhookKeys(
        keys=[
            WebhookKey(
                key_id=snap.key_id(k), algorithm="SHA256withRSA", public_key_pem=snap.public_pem(k)
            )
            for k in keys
        ],
        string_to_sign="POST:<callback URL path>:<lowercase hex SHA-256 of the minified body>"
        ":<X-TIMESTAMP>",
    )


def _partner_code(user: Principal) -> str:
    if not user.partner_code:
        raise Forbidden()
    return user.partner_code


def _for_partner(referral: Referral) -> PartnerReferralOut:
    return PartnerReferralOut.model_validate(referral, from_attributes=True)


@partner_router.get("", response_model=PartnerReferralPage)
async def partner_referrals(
    user: Partner,
    bus: Bus,
    status: str | None = Query(default=None, pattern=r"^[a-z_]+$"),
    limit: Limit = 50,
    cursor: UUID | None = None,
    order: Literal["id", "newest", "respond_by"] = Query(
        default="id",
        description="id: every referral, page after page (`cursor`); newest: the most "
        "recently sent first; respond_by: the earliest deadline first. The last two answer "
        "one page (no cursor).",
    ),
) -> PartnerReferralPage:
    """Your own referrals only."""
    found = await bus.handle(
        commands.PartnerReferrals(
            partner_code=_partner_code(user), state=status, limit=limit, after=cursor, order=order
        )
    )
    paged = order == "id" and len(found) == limit
    return PartnerReferralPage(
        items=[_for_partner(r) for r in found],
        next_cursor=str(found[-1].id) if paged else None,
    )


@partner_router.get("/{referral_id}", response_model=PartnerReferralOut, responses=NOT_FOUND)
async def partner_referral(referral_id: UUID, user: Partner, bus: Bus) -> PartnerReferralOut:
    """One of your own referrals (any other answers 404)."""
    command = commands.PartnerReferral(_partner_code(user), referral_id)
    return _for_partner(await bus.handle(command))


@partner_router.post(
    "/{referral_id}/status", response_model=PartnerReferralOut, responses=NOT_FOUND
)
async def answer(
    referral_id: UUID, body: StatusChange, user: Partner, bus: Bus
) -> PartnerReferralOut:
    """Acknowledge, complete with an outcome, or decline with a reason code."""
    command = commands.AnswerReferral(
        partner_code=_partner_code(user),
        referral_id=referral_id,
        status=body.status,
        outcome=body.outcome,
        reason=body.reason,
        external_ref=body.external_ref,
    )
    return _for_partner(await bus.handle(command))


@partner_router.get(
    "/{referral_id}/applicant",
    response_model=PartnerApplicant,
    response_model_exclude_none=True,  # a field outside the consent is absent, not null
    responses={
        **NOT_FOUND,
        410: {"description": "The referral ended, or the consent was withdrawn: nothing to read."},
    },
)
async def applicant(
    referral_id: UUID, user: Partner, bus: Bus, response: Response
) -> PartnerApplicant:
    """The applicant of your open referral, exactly within the consent's scope. Read it when
    you need it and keep it no longer than the referral: each read is audited, and after a
    withdrawal or expiry this answers 410."""
    response.headers["Cache-Control"] = "no-store"
    found = await bus.handle(commands.ReadApplicant(_partner_code(user), referral_id))
    return PartnerApplicant.model_validate(found)


@partner_router.post(
    "/{referral_id}/erased",
    response_model=PartnerErasureOut,
    responses={
        **NOT_FOUND,
        409: {"description": "No erasure was asked of you for this referral."},
    },
)
async def confirm_erased(
    referral_id: UUID,
    user: Partner,
    bus: Bus,
    body: ErasureConfirmation | None = None,
) -> PartnerErasureOut:
    """Confirm that you erased what you held about the applicant of a referral whose client
    was erased (`jembatan.partner.referral.erased.v1`), by its `erase_by`. The first
    confirmation is recorded; another changes nothing and answers the same."""
    command = commands.ConfirmErasure(
        partner_code=_partner_code(user),
        referral_id=referral_id,
        erased_at=body.erased_at if body is not None else None,
    )
    return PartnerErasureOut.of(await bus.handle(command))
