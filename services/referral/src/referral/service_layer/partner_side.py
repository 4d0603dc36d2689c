"""A partner's use cases: its own referrals (any other is not found), its answers, the
applicant within the consent's scope, and its confirmation that it erased an applicant."""

from __future__ import annotations

from referral.adapters import publishing
from referral.adapters.clients import ProfileUnavailable
from referral.domain.erasure import PartnerErasure
from referral.domain.offer import applicant_for_partner
from referral.domain.referral import Referral
from referral.service_layer import commands
from referral.service_layer.handlers import Context
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.errors import Conflict, Gone, InvalidField, NotFound

# A partner reads its applicant while it works on the referral, not after it ended.
_APPLICANT_READABLE = frozenset({"sent", "acknowledged"})
_APPLICANT_GONE = "The referral ended or its consent was withdrawn."


async def partner_referrals(
    cmd: commands.PartnerReferrals, uow: ReferralUnitOfWork
) -> list[Referral]:
    async with uow:
        return await uow.referrals.find(
            partner_code=cmd.partner_code,
            state=cmd.state,
            limit=cmd.limit,
            after=cmd.after if cmd.order == "id" else None,
            order=cmd.order,
        )


async def partner_referral(cmd: commands.PartnerReferral, uow: ReferralUnitOfWork) -> Referral:
    async with uow:
        referral = await uow.referrals.get(
            cmd.referral_id, partner_code=cmd.partner_code, lock=False
        )
    if referral is None:
        raise NotFound("referral")
    return referral


async def read_applicant(
    cmd: commands.ReadApplicant, uow: ReferralUnitOfWork, ctx: Context
) -> dict[str, object]:
    """The applicant of a partner's open referral, cut to the live consent's scope; the client
    service audits the read as a reveal to the partner. After the referral ended, or once the
    consent or the client is gone, there is nothing to read (410)."""
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, partner_code=cmd.partner_code)
    if referral is None:
        raise NotFound("referral")
    if referral.state not in _APPLICANT_READABLE:
        raise Gone(_APPLICANT_GONE)
    try:
        profile, _ = await ctx.clients.referral_profile(
            referral.client_id, cmd.partner_code, referral.id
        )
    except ProfileUnavailable:
        raise Gone(_APPLICANT_GONE) from None
    return applicant_for_partner(str(profile["kind"]), profile, tuple(profile["scope"]))


async def answer_referral(
    cmd: commands.AnswerReferral, uow: ReferralUnitOfWork, ctx: Context
) -> Referral:
    """Acknowledge, complete or decline; a change the lifecycle forbids is 409
    `illegal-transition` (the domain's `IllegalTransition`)."""
    now = ctx.now()
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, partner_code=cmd.partner_code)
        if referral is None:
            raise NotFound("referral")
        try:
            if cmd.status == "acknowledged":
                referral.acknowledge(now, cmd.external_ref)
            elif cmd.status == "completed":
                referral.complete(now, cmd.outcome or "", cmd.external_ref)
            else:
                referral.decline(now, cmd.reason or "")
        except ValueError as exc:
            field = "outcome" if cmd.status == "completed" else "reason"
            raise InvalidField(field, str(exc)) from None
        await uow.referrals.save(referral)
        uow.track(referral)
        await uow.commit()
    return referral


async def confirm_erasure(
    cmd: commands.ConfirmErasure, uow: ReferralUnitOfWork, ctx: Context
) -> PartnerErasure:
    """The partner says it erased the applicant; the first confirmation stands."""
    now = ctx.now()
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, partner_code=cmd.partner_code)
        if referral is None:
            raise NotFound("referral")
        erasure = await uow.erasures.get(referral.id)
        if erasure is None:
            raise Conflict("No erasure was asked of you for this referral.", "no-erasure-requested")
        try:
            confirmed = erasure.confirm(now, cmd.erased_at)
        except ValueError as exc:
            raise InvalidField("erased_at", str(exc)) from None
        if confirmed:
            await uow.erasures.save(erasure)
            uow.announce(*publishing.erasure_confirmed(erasure))
            await uow.commit()
    return erasure
