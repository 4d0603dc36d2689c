"""The partner catalogue's routes (`/api/partners`): partners, their licences, products, fee
sheets and eligibility rules, and onboarding a partner (its Keycloak client and topic)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from kafka.errors import KafkaError
from keycloak import KeycloakError

from referral.adapters.partner_access import client_id_of
from referral.domain.catalogue import reused_fee_sheet_versions
from referral.domain.webhooks import callback_url_problem
from referral.entrypoints.dependencies import NOT_FOUND, Admin, AnyUser, ContainerDep
from referral.entrypoints.schemas import (
    LicenceChange,
    PartnerIn,
    PartnerList,
    PartnerOut,
    PartnerSecret,
)
from referral.service_layer import onboarding
from shared.problems import Conflict, FieldError, Invalid, NotFound, Problem

catalogue_router = APIRouter(prefix="/api/partners", tags=["catalogue"])
log = logging.getLogger(__name__)


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
