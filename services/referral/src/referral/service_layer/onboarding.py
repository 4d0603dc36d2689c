"""Onboarding and offboarding a partner: one administrative action each (docs/partners.md).

The catalogue row is written first, in its own transaction, as `provisioning` (or
`offboarding`); then the partner's Keycloak client, Kafka topic and Kafka ACLs are made (or
removed), each step idempotent; then the row becomes `active` (or `offboarded`). A crash
anywhere leaves the row in its intermediate state, in which referrals to the partner are
refused (`partner-not-ready`); the same action again completes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Protocol

from referral.domain.catalogue import Partner
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.contracts import partner as partner_contracts

Step = Literal["client", "topic", "acls"]


class PartnerAccess(Protocol):
    async def ensure_client(self, code: str, name: str) -> None: ...
    async def remove_client(self, code: str) -> None: ...
    async def ensure_topic(self, code: str) -> None: ...
    async def remove_topic(self, code: str) -> None: ...
    async def ensure_acls(self, code: str) -> None: ...
    async def remove_acls(self, code: str) -> None: ...
    async def new_secret(self, code: str) -> str | None: ...


@dataclass(frozen=True)
class Provisioning:
    """What the catalogue's handlers are given: the partner's access (Keycloak and Kafka),
    whether this is development (a callback URL may be plain HTTP to this machine), and a
    step to stop after (fault injection in tests; None in production)."""

    access: PartnerAccess
    dev: bool = False
    stop_after: Step | None = None


class Interrupted(Exception):
    """Fault injection (tests): the action stopped after a step, as a crash would stop it."""


class UnknownPartner(Exception):
    pass


async def onboard(
    partner: Partner, uow: ReferralUnitOfWork, access: PartnerAccess, stop_after: Step | None = None
) -> Partner:
    """Write `partner` to the catalogue and make what it needs; the partner as it ends up
    (active, unless a step failed: then still provisioning, and the error raises). An active
    partner's edit makes sure of them too: it costs two lookups, and it completes partners
    added before onboarding existed."""
    status = partner.status if partner.status == "active" else "provisioning"
    async with uow:
        await uow.catalogue.upsert(_with(partner, status))
        await uow.commit()
    await access.ensure_client(partner.code, partner.name)
    _maybe_stop("client", stop_after)
    await access.ensure_topic(partner.code)
    _maybe_stop("topic", stop_after)
    await access.ensure_acls(partner.code)
    _maybe_stop("acls", stop_after)
    return await _set(partner.code, "active", uow)


async def offboard(
    code: str, uow: ReferralUnitOfWork, access: PartnerAccess, stop_after: Step | None = None
) -> Partner:
    """Revoke the partner's credentials and ACLs and delete its topic; its catalogue entry
    stays, as `offboarded` (its referrals and their history refer to it)."""
    await _set(code, "offboarding", uow, discard=True)
    await access.remove_client(code)
    _maybe_stop("client", stop_after)
    await access.remove_acls(code)
    _maybe_stop("acls", stop_after)
    await access.remove_topic(code)
    _maybe_stop("topic", stop_after)
    return await _set(code, "offboarded", uow)


async def _set(code: str, status: str, uow: ReferralUnitOfWork, discard: bool = False) -> Partner:
    """The partner's new status; `discard`: with it, the offers still waiting in the outbox
    for the partner's topic are dropped (from `offboarding` on, none is written)."""
    async with uow:
        await uow.catalogue.set_status(code, status)
        if discard:
            await uow.discard_unpublished(partner_contracts.topic_for(code))
        partner = await uow.catalogue.partner(code)
        if partner is None:
            raise UnknownPartner(code)
        await uow.commit()
    return partner


def _with(partner: Partner, status: str) -> Partner:
    return replace(partner, status=status)


def _maybe_stop(step: Step, stop_after: Step | None) -> None:
    if step == stop_after:
        raise Interrupted(f"stopped after the {step} step (fault injection)")
