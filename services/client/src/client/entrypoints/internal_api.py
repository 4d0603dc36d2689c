"""Calls our own services make to the client service, on its port only: the gateway routes
`/api/...` and nothing else, so nobody outside reaches these (and they are not in the OpenAPI
document the gateway serves)."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from client.entrypoints.dependencies import ContainerDep, UowDep
from client.service_layer import referral_reads
from shared import db
from shared.auth import CurrentUser, Principal, is_service, require_service
from shared.problems import Forbidden, NotFound

router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)


async def _key_reader(principal: CurrentUser, container: ContainerDep) -> Principal:
    """One of the services of `CLIENT_DATA_KEY_READERS`; 403 for anyone else."""
    if not is_service(principal, container.settings.data_key_readers):
        raise Forbidden()
    return principal


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_ids: list[UUID] = Field(min_length=1, max_length=1000)


class KeyAnswer(BaseModel):
    keys: dict[str, str] = Field(description="client id → its data key (base64)")
    missing: list[UUID] = Field(description="clients without a key: erased, or never existed")


@router.post("/data-keys", response_model=KeyAnswer)
async def data_keys(
    body: KeyRequest,
    caller: Annotated[Principal, Depends(_key_reader)],
    container: ContainerDep,
    response: Response,
) -> KeyAnswer:
    """The data keys that open the sealed values of these clients' events (shared.sealing)."""
    response.headers["Cache-Control"] = "no-store"
    with db.all_regions():  # a service working for every region
        async with container.uow() as uow:
            found = await uow.data_keys.keys_of(body.client_ids)
    return KeyAnswer(
        keys={str(i): base64.b64encode(k).decode() for i, k in found.items()},
        missing=[i for i in body.client_ids if i not in found],
    )


class StaffAddress(BaseModel):
    subject: str
    email: str | None


@router.get("/staff/{subject}", response_model=StaffAddress)
async def staff_address(
    subject: UUID,
    caller: Annotated[Principal, Depends(require_service("service-notify"))],
    container: ContainerDep,
) -> StaffAddress:
    """An officer's or supervisor's e-mail address, for notify to write to her; 404 for
    anyone the realm does not place in a region (the list is the supervisors' staff list)."""
    officers = await container.staff.officers() or []
    found = next((o for o in officers if o.subject == str(subject)), None)
    if found is None:
        raise NotFound("officer")
    return StaffAddress(subject=found.subject, email=found.email)


class BasisConsent(BaseModel):
    consent_id: UUID
    scope: list[str]
    granted_at: datetime


class ReferralBasis(BaseModel):
    """The facts of `jembatan.client.registered` the referral service keeps, as they are now,
    and the live consent of `jembatan.client.consent-granted` it would have projected."""

    client_id: UUID
    kind: str
    region_code: str
    birth_date: date
    has_nib: bool
    restricted: bool
    consent: BasisConsent | None


@router.get("/clients/{client_id}/referral-basis", response_model=ReferralBasis)
async def referral_basis(
    client_id: UUID,
    caller: Annotated[Principal, Depends(require_service("service-referral"))],
    uow: UowDep,
    response: Response,
    partner_code: Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")],
) -> ReferralBasis:
    """For a referral sent before the referral service heard of the client or its consent
    (docs/decisions/0020); 404 when there is no such client."""
    response.headers["Cache-Control"] = "no-store"
    with db.all_regions():  # a service working for every region
        client, consent = await referral_reads.referral_basis(client_id, partner_code, uow)
    return ReferralBasis(
        client_id=client.id,
        kind=client.kind,
        region_code=client.region_code,
        birth_date=client.birth_date,
        has_nib=client.business is not None and bool(client.business.nib),
        restricted=client.restricted,
        consent=None
        if consent is None
        else BasisConsent(
            consent_id=consent.id, scope=list(consent.scope), granted_at=consent.granted_at
        ),
    )
