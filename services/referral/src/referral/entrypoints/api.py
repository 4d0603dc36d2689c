"""HTTP routes of referrals, the catalogue and the partner side: parse, handle, shape."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from kafka.errors import KafkaError
from keycloak import KeycloakError
from pydantic import AwareDatetime

from referral.adapters.partner_access import client_id_of
from referral.bootstrap import Container
from referral.domain.catalogue import reused_fee_sheet_versions
from referral.domain.referral import IllegalTransition
from referral.domain.summary import MIN_CELL
from referral.domain.webhooks import callback_url_problem
from referral.entrypoints.schemas import (
    ErasureConfirmation,
    LicenceChange,
    NewReferral,
    PartnerApplicant,
    PartnerErasureOut,
    PartnerIn,
    PartnerList,
    PartnerMonthOut,
    PartnerOut,
    PartnerReferralOut,
    PartnerReferralPage,
    PartnerSecret,
    PartnerSummary,
    ReferralOut,
    ReferralPage,
    StatusChange,
    WebhookKey,
    WebhookKeys,
)
from referral.service_layer import handlers, onboarding, summaries
from shared import snap
from shared.auth import Principal, require_roles
from shared.problems import Conflict, FieldError, Forbidden, Gone, Invalid, NotFound, Problem

officer_router = APIRouter(prefix="/api/referrals", tags=["referrals"])
log = logging.getLogger(__name__)
catalogue_router = APIRouter(prefix="/api/partners", tags=["catalogue"])
partner_router = APIRouter(prefix="/api/partner/referrals", tags=["partner"])
# Public, like a JWKS: anyone may verify what Jembatan signed (decision 0021).
webhook_key_router = APIRouter(prefix="/api/partner", tags=["partner"])

CaseWorker = Annotated[Principal, Depends(require_roles("officer", "supervisor"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
AnyUser = Annotated[
    Principal, Depends(require_roles("officer", "supervisor", "admin", "ministry", "partner"))
]
PartnerUser = Annotated[Principal, Depends(require_roles("partner"))]
Limit = Annotated[int, Query(ge=1, le=200)]
Period = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such referral for you"}}


async def _container(request: Request) -> Container:  # async: no worker thread
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(_container)]


def _illegal(exc: IllegalTransition) -> Problem:
    return Conflict(str(exc), "illegal-transition", state=exc.state)


@catalogue_router.get("", response_model=PartnerList)
async def catalogue(user: AnyUser, container: ContainerDep) -> PartnerList:
    """Licensed partners, their licences, products, fee sheets and eligibility rules."""
    async with container.uow() as uow:
        partners = await uow.catalogue.partners()
    return PartnerList(items=[PartnerOut.of(p) for p in partners])


PartnerCode = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
PROVISIONING: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Keycloak or Kafka failed mid-way: the partner stays provisioning (or "
        "offboarding), and the same request again completes it."
    }
}


@catalogue_router.put("/{partner_code}", response_model=PartnerOut, responses=PROVISIONING)
async def put_partner(
    partner_code: PartnerCode, body: PartnerIn, user: Admin, container: ContainerDep
) -> PartnerOut:
    """Create or replace a partner with its products, fee sheets and eligibility rules. A fee
    sheet whose terms change needs a new version (422 naming it otherwise): the version is
    what a client acknowledged. A new partner is onboarded in the same request: its Keycloak
    client (`partner-<code>`, role `partner`, claim `partner_code`) and its topic
    (`partner.<code>.referrals`) are made, and it is `active` once both exist."""
    async with container.uow() as uow:
        current = await uow.catalogue.partner(partner_code)
    partner = body.to_partner(partner_code, current)
    if partner.callback_url is not None and "callback_url" in body.model_fields_set:
        dev = container.settings.is_dev
        if problem := callback_url_problem(partner.callback_url, dev=dev):
            raise Invalid([FieldError("callback_url", problem)])
    if reused := reused_fee_sheet_versions(current, partner):
        raise Invalid(
            [
                FieldError(
                    f"products.{i}.fee_sheet.version",
                    "names the current fee sheet, whose terms differ: give a new version",
                )
                for i in reused
            ]
        )
    with _provisioning(partner_code):
        partner = await onboarding.onboard(
            partner,
            container.uow(),
            container.partner_access,
            container.settings.fault_onboarding_stop_after,
        )
    return PartnerOut.of(partner)


@catalogue_router.delete(
    "/{partner_code}", response_model=PartnerOut, responses={**NOT_FOUND, **PROVISIONING}
)
async def offboard_partner(
    partner_code: PartnerCode, user: Admin, container: ContainerDep
) -> PartnerOut:
    """Offboard a partner: its Keycloak client (its credentials) and its topic are deleted,
    and no referral reaches it any more; the catalogue keeps it as `offboarded`, for the
    history of its referrals. Repeating it changes nothing."""
    async with container.uow() as uow:
        if await uow.catalogue.partner(partner_code) is None:
            raise NotFound("partner")
    with _provisioning(partner_code):
        partner = await onboarding.offboard(
            partner_code,
            container.uow(),
            container.partner_access,
            container.settings.fault_onboarding_stop_after,
        )
    return PartnerOut.of(partner)


@catalogue_router.post(
    "/{partner_code}/secret",
    response_model=PartnerSecret,
    responses={**NOT_FOUND, 409: {"description": "The partner is not active."}},
)
async def new_partner_secret(
    partner_code: PartnerCode, user: Admin, container: ContainerDep, response: Response
) -> PartnerSecret:
    """A new client secret for the partner, shown this once (the previous one stops working):
    what the administrator hands to the partner with its client id."""
    response.headers["Cache-Control"] = "no-store"
    async with container.uow() as uow:
        partner = await uow.catalogue.partner(partner_code)
    if partner is None:
        raise NotFound("partner")
    if not partner.ready:
        raise Conflict(f"The partner is {partner.status}.", "partner-not-ready")
    with _provisioning(partner_code):
        secret = await container.partner_access.new_secret(partner_code)
    if secret is None:
        raise Conflict("The partner has no Keycloak client.", "partner-not-ready")
    return PartnerSecret(client_id=client_id_of(partner_code), client_secret=secret)


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


@contextmanager
def _provisioning(partner_code: str) -> Iterator[None]:
    """Keycloak or Kafka away: 503, and the partner stays as it was left, for a retry."""
    try:
        yield
    except (KeycloakError, KafkaError) as exc:
        log.warning(
            "partner provisioning failed",
            extra={"partner_code": partner_code, "error": type(exc).__name__},
        )
        raise Problem(
            503,
            "Service Unavailable",
            "Keycloak or Kafka did not answer; send the same request again to complete it.",
            type_slug="partner-provisioning-failed",
            headers={"Retry-After": "5"},
        ) from None


@catalogue_router.put("/{partner_code}/licence", response_model=PartnerOut, responses=NOT_FOUND)
async def change_licence(
    partner_code: str, body: LicenceChange, user: Admin, container: ContainerDep
) -> PartnerOut:
    """Record a licence check (OJK/BI); a partner whose licence is not active gets no referral."""
    async with container.uow() as uow:
        if not await uow.catalogue.set_licence(
            partner_code, body.licence_status, body.licence_verified_on
        ):
            raise NotFound("partner")
        partner = await uow.catalogue.partner(partner_code)
        await uow.commit()
    assert partner is not None
    return PartnerOut.of(partner)


@officer_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    responses={404: {"description": "No such client within your region."}},
)
async def send_referral(
    body: NewReferral, user: CaseWorker, container: ContainerDep
) -> ReferralOut:
    command = handlers.SendReferral(
        actor=user,
        client_id=body.client_id,
        partner_code=body.partner_code,
        product_code=body.product_code,
        fee_sheet_version=body.fee_sheet_version,
        options_shown=tuple(body.options_shown),
    )
    try:
        referral = await handlers.send_referral(command, container.uow(), container.context())
    except handlers.NotFound:
        raise NotFound("client") from None
    except handlers.Ineligible as exc:
        raise Invalid(
            [FieldError(f"eligibility.{f.rule}", f.reason) for f in exc.failures],
            detail="The client is not eligible for this product.",
        ) from None
    except handlers.Refused as exc:
        raise Conflict(exc.detail, exc.slug) from None
    return ReferralOut.of(referral)


@officer_router.get("", response_model=ReferralPage)
async def list_referrals(
    user: CaseWorker,
    container: ContainerDep,
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
    async with container.uow() as uow:
        found = await uow.referrals.find(
            scope=user.scope,
            client_id=client_id,
            state=status,
            sent_by=user.subject if referred_by == "me" else None,
            late=late,
            answered_since=answered_since,
            limit=limit,
            after=cursor,
        )
    return ReferralPage(
        items=[ReferralOut.of(r) for r in found],
        next_cursor=str(found[-1].id) if len(found) == limit else None,
    )


@officer_router.get("/summary", response_model=PartnerSummary)
async def summary(user: CaseWorker, container: ContainerDep, period: Period) -> PartnerSummary:
    """A month of your region's referrals per partner (sent in the month, in your region's
    time zone): sent, completed, conversion and SLA breaches (not acknowledged within 2
    working days, or the outcome late). A count from 1 to 4 is `null`, a zero is 0;
    conversion is `null` unless both its counts are printed and at least 5."""
    partners = await summaries.per_partner(container.uow(), user, period)
    return PartnerSummary(
        period=period,
        region=user.region or "",
        min_cell=MIN_CELL,
        partners=[PartnerMonthOut.model_validate(p, from_attributes=True) for p in partners],
    )


@officer_router.get("/{referral_id}", response_model=ReferralOut, responses=NOT_FOUND)
async def get_referral(referral_id: UUID, user: CaseWorker, container: ContainerDep) -> ReferralOut:
    async with container.uow() as uow:
        referral = await uow.referrals.get(referral_id, scope=user.scope)
    if referral is None:
        raise NotFound("referral")
    return ReferralOut.of(referral)


@officer_router.post("/{referral_id}/withdraw", response_model=ReferralOut, responses=NOT_FOUND)
async def withdraw(referral_id: UUID, user: CaseWorker, container: ContainerDep) -> ReferralOut:
    try:
        referral = await handlers.withdraw_by_officer(
            referral_id, user, container.uow(), container.context()
        )
    except handlers.NotFound:
        raise NotFound("referral") from None
    except IllegalTransition as exc:
        raise _illegal(exc) from None
    return ReferralOut.of(referral)


def _partner_code(user: Principal) -> str:
    if not user.partner_code:
        raise Forbidden()
    return user.partner_code


def _for_partner(referral: object) -> PartnerReferralOut:
    return PartnerReferralOut.model_validate(referral, from_attributes=True)


@partner_router.get("", response_model=PartnerReferralPage)
async def partner_referrals(
    user: PartnerUser,
    container: ContainerDep,
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
    async with container.uow() as uow:
        found = await uow.referrals.find(
            partner_code=_partner_code(user),
            state=status,
            limit=limit,
            after=cursor if order == "id" else None,
            order=order,
        )
    paged = order == "id" and len(found) == limit
    return PartnerReferralPage(
        items=[_for_partner(r) for r in found],
        next_cursor=str(found[-1].id) if paged else None,
    )


@partner_router.get("/{referral_id}", response_model=PartnerReferralOut, responses=NOT_FOUND)
async def partner_referral(
    referral_id: UUID, user: PartnerUser, container: ContainerDep
) -> PartnerReferralOut:
    """One of your own referrals (any other answers 404)."""
    async with container.uow() as uow:
        referral = await uow.referrals.get(
            referral_id, partner_code=_partner_code(user), lock=False
        )
    if referral is None:
        raise NotFound("referral")
    return _for_partner(referral)


@partner_router.post(
    "/{referral_id}/status", response_model=PartnerReferralOut, responses=NOT_FOUND
)
async def answer(
    referral_id: UUID, body: StatusChange, user: PartnerUser, container: ContainerDep
) -> PartnerReferralOut:
    """Acknowledge, complete with an outcome, or decline with a reason code."""
    command = handlers.PartnerAnswer(
        partner_code=_partner_code(user),
        referral_id=referral_id,
        status=body.status,
        outcome=body.outcome,
        reason=body.reason,
        external_ref=body.external_ref,
    )
    try:
        referral = await handlers.answer_as_partner(command, container.uow(), container.context())
    except handlers.NotFound:
        raise NotFound("referral") from None
    except IllegalTransition as exc:
        raise _illegal(exc) from None
    return _for_partner(referral)


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
    referral_id: UUID, user: PartnerUser, container: ContainerDep, response: Response
) -> PartnerApplicant:
    """The applicant of your open referral, exactly within the consent's scope. Read it when
    you need it and keep it no longer than the referral: each read is audited, and after a
    withdrawal or expiry this answers 410."""
    response.headers["Cache-Control"] = "no-store"
    try:
        found = await handlers.applicant_for_partner(
            _partner_code(user), referral_id, container.uow(), container.context()
        )
    except handlers.NotFound:
        raise NotFound("referral") from None
    except handlers.ApplicantGone:
        raise Gone("The referral ended or its consent was withdrawn.") from None
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
    user: PartnerUser,
    container: ContainerDep,
    body: ErasureConfirmation | None = None,
) -> PartnerErasureOut:
    """Confirm that you erased what you held about the applicant of a referral whose client
    was erased (`jembatan.partner.referral.erased.v1`), by its `erase_by`. The first
    confirmation is recorded; another changes nothing and answers the same."""
    command = handlers.ConfirmErasure(
        partner_code=_partner_code(user),
        referral_id=referral_id,
        erased_at=body.erased_at if body is not None else None,
    )
    try:
        erasure = await handlers.confirm_erasure(command, container.uow(), container.context())
    except handlers.NotFound:
        raise NotFound("referral") from None
    except handlers.NoErasureRequested:
        raise Conflict(
            "No erasure was asked of you for this referral.", "no-erasure-requested"
        ) from None
    return PartnerErasureOut.of(erasure)
