"""What the referral service reads of a client, for its own account only (decisions 0006 and
0020): the facts its projection would hold, and a partner's view cut to the consent scope.

The referral service works for every region, so these reads take no region rule; the route
checks the caller is that service. What a scope shows is `domain/consent_scope.py`.
"""

from __future__ import annotations

from uuid import UUID

from client.domain import consent_scope
from client.domain.consent import Consent
from client.domain.model import Client
from client.service_layer.handlers import ClientNotFound
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal, RegionScope
from shared.errors import Refused


class NoLiveConsent(Refused):
    """The client has no live referral consent for that partner (409 `no-consent`)."""

    def __init__(self) -> None:
        super().__init__("no-consent", "No live referral consent for this partner.")


# The referral service reads a profile for every region it serves.
EVERY_REGION = RegionScope("")


async def referral_basis(
    client_id: UUID, partner_code: str, uow: UnitOfWork
) -> tuple[Client, Consent | None]:
    """What the referral service's projection holds of a client, and the latest live
    referral consent for `partner_code`: for its own account, when a referral outruns the
    events that would tell it (docs/decisions/0020). No person reads it: not audited."""
    async with uow:
        client = await uow.clients.get(client_id, EVERY_REGION)
        if client is None:
            raise ClientNotFound()
        consent = await _live_referral_consent(uow, client_id, partner_code)
    return client, consent


async def _live_referral_consent(
    uow: UnitOfWork, client_id: UUID, partner_code: str
) -> Consent | None:
    """The newest live consent to refer the client to `partner_code`."""
    return next(
        (
            c
            for c in await uow.consents.for_client(client_id)  # newest first
            if c.live and c.purpose == "referral" and c.partner_code == partner_code
        ),
        None,
    )


async def referral_profile(
    client_id: UUID, partner_code: str, referral_id: UUID, caller: Principal, uow: UnitOfWork
) -> tuple[Client, Consent, str | None]:
    """The client, the live referral consent for `partner_code` and, under an `identity`
    scope, the NIK: for the referral service's own account only, as the partner reads its
    referral (docs/decisions/0006). Audited as a reveal to that partner, naming the referral.
    """
    async with uow:
        client = await uow.clients.get(client_id, EVERY_REGION)
        if client is None:
            raise ClientNotFound()
        consent = await _live_referral_consent(uow, client_id, partner_code)
        if consent is None:
            raise NoLiveConsent()
        identity = consent_scope.reveals_nik(consent.scope)
        nik = await uow.clients.nik_of(client_id, EVERY_REGION) if identity else None
        await uow.audit.record(
            actor=caller.subject,
            username=f"partner:{partner_code}",
            client=client,
            purpose="reveal_to_partner" if identity else "profile_to_partner",
            reference=f"referral:{referral_id}",
        )
        await uow.commit()
    return client, consent, nik.value if nik else None
