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
from referral.entrypoints.dependencies import NOT_FOUND, Admin, AnyUser, Bus
from referral.entrypoints.schemas import (
    LicenceChange,
    PartnerIn,
    PartnerList,
    PartnerOut,
    PartnerSecret,
)
from referral.service_layer import commands
from shared.problems import Problem

catalogue_router = APIRouter(prefix="/api/partners", tags=["catalogue"])
log = logging.getLogger(__name__)


@catalogue_router.get("", response_model=PartnerList)
async def catalogue(user: AnyUser, bus: Bus) -> PartnerList:
    """Licensed partners, their licences, products, fee sheets and eligibility rules."""
    partners = await bus.handle(commands.ListPartners())
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
    partner_code: PartnerCode, body: PartnerIn, user: Admin, bus: Bus
) -> PartnerOut:
    """Create or replace a partner with its products, fee sheets and eligibility rules. A fee
    sheet whose terms change needs a new version (422 naming it otherwise): the version is
    what a client acknowledged. A new partner is onboarded in the same request: its Keycloak
    client (`partner-<code>`, role `partner`, claim `partner_code`) and its topic
    (`partner.<code>.referrals`) are made, and it is `active` once both exist."""
    command = commands.PutPartner(
        partner_code,
        build=lambda current: body.to_partner(partner_code, current),
        callback_url_given="callback_url" in body.model_fields_set,
    )
    with _provisioning(partner_code):
        partner = await bus.handle(command)
    return PartnerOut.of(partner)


@catalogue_router.delete(
    "/{partner_code}", response_model=PartnerOut, responses={**NOT_FOUND, **PROVISIONING}
)
async def offboard_partner(partner_code: PartnerCode, user: Admin, bus: Bus) -> PartnerOut:
    """Offboard a partner: its Keycloak client (its credentials) and its topic are deleted,
    and no referral reaches it any more; the catalogue keeps it as `offboarded`, for the
    history of its referrals. Repeating it changes nothing."""
    with _provisioning(partner_code):
        partner = await bus.handle(commands.OffboardPartner(partner_code))
    return PartnerOut.of(partner)


@catalogue_router.post(
    "/{partner_code}/secret",
    response_model=PartnerSecret,
    responses={**NOT_FOUND, 409: {"description": "The partner is not active."}},
)
async def new_partner_secret(
    partner_code: PartnerCode, user: Admin, bus: Bus, response: Response
) -> PartnerSecret:
    """A new client secret for the partner, shown this once (the previous one stops working):
    what the administrator hands to the partner with its client id."""
    response.headers["Cache-Control"] = "no-store"
    with _provisioning(partner_code):
        secret = await bus.handle(commands.NewPartnerSecret(partner_code))
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
    partner_code: str, body: LicenceChange, user: Admin, bus: Bus
) -> PartnerOut:
    """Record a licence check (OJK/BI); a partner whose licence is not active gets no referral."""
    command = commands.ChangeLicence(partner_code, body.licence_status, body.licence_verified_on)
    return PartnerOut.of(await bus.handle(command))
