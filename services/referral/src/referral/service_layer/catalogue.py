"""The catalogue's use cases: list the partners, put one (and onboard it), offboard one,
give it a new client secret, record a licence check. Refusals are `shared.errors`."""

from __future__ import annotations

from referral.domain.catalogue import Partner, reused_fee_sheet_versions
from referral.domain.webhooks import callback_url_problem
from referral.service_layer import commands, onboarding
from referral.service_layer.onboarding import Provisioning
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.errors import Conflict, FieldProblem, InvalidField, NotFound


async def list_partners(cmd: commands.ListPartners, uow: ReferralUnitOfWork) -> list[Partner]:
    async with uow:
        return await uow.catalogue.partners()


async def put_partner(
    cmd: commands.PutPartner, uow: ReferralUnitOfWork, provisioning: Provisioning
) -> Partner:
    """A callback URL that cannot receive webhooks, or a fee sheet whose terms changed under
    the same version (a client acknowledged that version), is a 422 naming it; else the
    partner is written and onboarded (`onboarding.onboard`)."""
    async with uow:
        current = await uow.catalogue.partner(cmd.partner_code)
    partner = cmd.build(current)
    url = partner.callback_url if cmd.callback_url_given else None
    if url is not None and (problem := callback_url_problem(url, dev=provisioning.dev)):
        raise InvalidField("callback_url", problem)
    if reused := reused_fee_sheet_versions(current, partner):
        raise InvalidField.of(
            [
                FieldProblem(
                    f"products.{i}.fee_sheet.version",
                    "names the current fee sheet, whose terms differ: give a new version",
                )
                for i in reused
            ]
        )
    return await onboarding.onboard(partner, uow, provisioning.access, provisioning.stop_after)


async def offboard_partner(
    cmd: commands.OffboardPartner, uow: ReferralUnitOfWork, provisioning: Provisioning
) -> Partner:
    async with uow:
        if await uow.catalogue.partner(cmd.partner_code) is None:
            raise NotFound("partner")
    return await onboarding.offboard(
        cmd.partner_code, uow, provisioning.access, provisioning.stop_after
    )


async def new_partner_secret(
    cmd: commands.NewPartnerSecret, uow: ReferralUnitOfWork, provisioning: Provisioning
) -> str:
    async with uow:
        partner = await uow.catalogue.partner(cmd.partner_code)
    if partner is None:
        raise NotFound("partner")
    if not partner.ready:
        raise Conflict(f"The partner is {partner.status}.", "partner-not-ready")
    secret = await provisioning.access.new_secret(cmd.partner_code)
    if secret is None:
        raise Conflict("The partner has no Keycloak client.", "partner-not-ready")
    return secret


async def change_licence(cmd: commands.ChangeLicence, uow: ReferralUnitOfWork) -> Partner:
    """Record a licence check (OJK/BI); a partner whose licence is not active gets no referral."""
    async with uow:
        if not await uow.catalogue.set_licence(
            cmd.partner_code, cmd.licence_status, cmd.licence_verified_on
        ):
            raise NotFound("partner")
        partner = await uow.catalogue.partner(cmd.partner_code)
        await uow.commit()
    assert partner is not None
    return partner
