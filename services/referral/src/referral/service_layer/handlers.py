"""The officers' use cases of referrals (send, list, read, withdraw), the SLA timers, and the
erasure of an erased client's referrals. The partner's side is `partner_side.py`, the
catalogue's `catalogue.py`; refusals are `shared.errors`, answered by the app factory."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from referral.adapters import publishing
from referral.adapters.clients import ClientService, ProfileUnavailable
from referral.adapters.repositories.projections import LiveConsent
from referral.domain.eligibility import Applicant, failed_rules
from referral.domain.erasure import PartnerErasure
from referral.domain.referral import Referral
from referral.service_layer import commands
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.calendar import WorkingCalendar, local_now
from shared.errors import FieldProblem, InvalidField, NotFound, Refused


@dataclass(frozen=True)
class Context:
    """What handlers are given besides their unit of work: the clock, the holidays that
    working days skip, and the client service (the applicant's profile and basis)."""

    now: Callable[[], datetime]
    holidays: Container[date]
    clients: ClientService


async def send_referral(
    cmd: commands.SendReferral, uow: ReferralUnitOfWork, ctx: Context
) -> Referral:
    """The gates in order: the client (404 outside the region), a restriction, the partner
    and product, the partner's readiness, an open referral already, the licence, the consent,
    eligibility (422, every failed rule), the fee sheet the client saw, the options shown."""
    now = ctx.now()
    async with uow:
        applicant = await uow.projections.applicant(cmd.client_id, cmd.actor.scope, lock=True)
        consent = await uow.projections.live_consent(cmd.client_id, cmd.partner_code)
        if applicant is None or consent is None:
            applicant, consent = await _catch_up(cmd, uow, ctx, applicant, consent)
        if applicant is None:
            raise NotFound("client")
        if applicant.restricted:
            raise Refused(
                "client-restricted",
                "The client asked to restrict the processing of their data: no referral now.",
            )
        catalogue = {p.code: p for p in await uow.catalogue.partners()}
        partner = catalogue.get(cmd.partner_code)
        if partner is None:
            raise InvalidField("partner_code", "is not a partner in the catalogue")
        product = partner.product(cmd.product_code)
        if product is None:
            raise InvalidField("product_code", "is not a product of this partner")
        if not partner.ready:
            raise Refused(
                "partner-not-ready",
                f"The partner is {partner.status}: its credentials and topic are not in place.",
            )
        if await uow.referrals.open_for(cmd.client_id, cmd.partner_code, cmd.product_code):
            raise Refused(
                "already-referred",
                "The client already has an open referral to this partner for this product.",
            )
        if not partner.may_receive_referrals:
            raise Refused(
                "licence-not-active", f"The partner's licence is {partner.licence_status}."
            )
        if consent is None:
            raise Refused("no-consent", "The client has no live referral consent for this partner.")
        failures = failed_rules(product, applicant, local_now(applicant.region_code, now).date())
        if failures:
            raise InvalidField.of(
                [FieldProblem(f"eligibility.{f.rule}", f.reason) for f in failures],
                detail="The client is not eligible for this product.",
            )
        if cmd.fee_sheet_version != product.fee_sheet.version:
            raise InvalidField(
                "fee_sheet_version",
                f"must be the current one ({product.fee_sheet.version}) the client saw",
            )
        unknown = set(cmd.options_shown) - set(catalogue)
        if unknown:
            raise InvalidField("options_shown", "names a partner that is not in the catalogue")
        referral = Referral.send(
            client_id=cmd.client_id,
            region_code=applicant.region_code,
            partner_code=cmd.partner_code,
            product_code=cmd.product_code,
            consent_id=consent.consent_id,
            fee_sheet_version=cmd.fee_sheet_version,
            options_shown=cmd.options_shown,
            sent_by=cmd.actor.subject,
            now=now,
            calendar=WorkingCalendar(ctx.holidays),
            names={
                "partner_name": partner.name,
                "product_name": product.name,
                "partner_kind": partner.kind,
                "product_kind": product.kind,
            },
        )
        if partner.offer_version == 1:
            # A partner still on offers v1 gets the applicant inline: read it now.
            try:
                profile, granted_at = await ctx.clients.referral_profile(
                    cmd.client_id, cmd.partner_code, referral.id
                )
            except ProfileUnavailable:
                raise Refused(
                    "no-consent", "The client has no live referral consent for this partner."
                ) from None
            offer = publishing.offered(referral, applicant.kind, profile, consent.scope, granted_at)
        else:
            offer = publishing.offered_v2(referral, applicant.kind, consent)
        await uow.referrals.add(referral)
        uow.announce(*offer)
        uow.track(referral)
        await uow.commit()
    return referral


async def _catch_up(
    cmd: commands.SendReferral,
    uow: ReferralUnitOfWork,
    ctx: Context,
    applicant: Applicant | None,
    consent: LiveConsent | None,
) -> tuple[Applicant | None, LiveConsent | None]:
    """A referral sent the moment after the client's registration or consent may outrun the
    events that bring them here: ask the client service, and project what it says as the
    events would (they change nothing when they arrive). A client outside the officer's
    region is still 404 (docs/decisions/0020)."""
    basis = await ctx.clients.referral_basis(cmd.client_id, cmd.partner_code)
    if basis is None or not cmd.actor.scope.allows(basis.region_code):
        return applicant, consent  # (and row-level security would refuse the row)
    if applicant is None:
        await uow.projections.upsert_client(
            cmd.client_id,
            kind=basis.kind,
            region_code=basis.region_code,
            birth_date=basis.birth_date,
            has_nib=basis.has_nib,
            restricted=basis.restricted,
        )
        applicant = await uow.projections.applicant(cmd.client_id, cmd.actor.scope, lock=True)
    if consent is None and basis.consent_id is not None and basis.granted_at is not None:
        await uow.projections.grant(
            basis.consent_id, cmd.client_id, cmd.partner_code, list(basis.scope), basis.granted_at
        )
        consent = await uow.projections.live_consent(cmd.client_id, cmd.partner_code)
    return applicant, consent


async def list_referrals(cmd: commands.ListReferrals, uow: ReferralUnitOfWork) -> list[Referral]:
    """The actor's region's referrals by the given facts, a page in id order."""
    async with uow:
        return await uow.referrals.find(
            scope=cmd.actor.scope,
            client_id=cmd.client_id,
            state=cmd.state,
            sent_by=cmd.actor.subject if cmd.mine_only else None,
            late=cmd.late,
            answered_since=cmd.answered_since,
            limit=cmd.limit,
            after=cmd.after,
        )


async def view_referral(cmd: commands.ViewReferral, uow: ReferralUnitOfWork) -> Referral:
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, scope=cmd.actor.scope)
    if referral is None:
        raise NotFound("referral")
    return referral


async def withdraw_referral(
    cmd: commands.WithdrawReferral, uow: ReferralUnitOfWork, ctx: Context
) -> Referral:
    """The officer withdraws a referral the partner has not answered with an outcome yet
    (409 `illegal-transition` otherwise); the partner is told to erase the offer."""
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, scope=cmd.actor.scope)
        if referral is None:
            raise NotFound("referral")
        referral.withdraw(ctx.now(), "officer_withdrew")
        await uow.referrals.save(referral)
        uow.track(referral)
        await uow.commit()
    return referral


async def expire_late_referrals(uow: ReferralUnitOfWork, now: datetime, limit: int = 200) -> int:
    """Expire what the partners left unacknowledged; each expiry escalates. The respond-by
    day is already counted in working days: expiry only compares days in the office's zone."""
    calendar = WorkingCalendar(holidays=())
    async with uow:
        # The westernmost zone (WIB, UTC+7) is the last to leave a day: a superset.
        candidates = await uow.referrals.unacknowledged_due_by(now.date(), limit)
        expired = [r for r in candidates if r.expire_if_late(now, calendar)]
        for referral in expired:
            await uow.referrals.save(referral)
            uow.track(referral)
        await uow.commit()
    return len(expired)


async def remind_late_outcomes(
    uow: ReferralUnitOfWork, now: datetime, holidays: Container[date], limit: int = 200
) -> int:
    """Escalate, once, acknowledged referrals still without an outcome after 10 working days."""
    async with uow:
        # 10 working days span at least 14 calendar days: older referrals are the candidates.
        candidates = await uow.referrals.acknowledged_sent_before(now - timedelta(days=14), limit)
        late = [r for r in candidates if r.outcome_is_late(now, WorkingCalendar(holidays))]
        for referral in late:
            await uow.referrals.mark_outcome_reminded(referral.id, now)
            uow.announce(*publishing.outcome_late(referral, now))
        await uow.commit()
    return len(late)


async def erase_client_referrals(
    client_id: UUID, erased_at: datetime, uow: ReferralUnitOfWork
) -> int:
    """The client was erased: forget what we know of them, end every referral of theirs, and
    ask each referral's partner to erase the applicant. A second run changes nothing."""
    async with uow:
        # First, so that a referral being sent for this client either committed before (and
        # is erased below) or finds no client and is refused.
        await uow.projections.forget_client(client_id)
        kinds = {p.code: p.kind for p in await uow.catalogue.partners()}
        referrals = await uow.referrals.not_erased_of_client(client_id)
        for referral in referrals:
            erasure = PartnerErasure.ask(referral, kinds[referral.partner_code], erased_at)
            await uow.referrals.save(referral)
            uow.track(referral)
            await uow.erasures.add(erasure)
            for topic, envelope in publishing.erasure_requested(erasure):
                uow.announce(topic, envelope)
        await uow.commit()
    return len(referrals)


async def escalate_overdue_erasures(
    uow: ReferralUnitOfWork, now: datetime, limit: int = 200
) -> int:
    """Escalate, once each, the erasures a partner left unconfirmed past `erase_by`."""
    async with uow:
        candidates = await uow.erasures.unconfirmed_due_before(now, limit)
        overdue = [e for e in candidates if e.escalate_if_overdue(now)]
        for erasure in overdue:
            await uow.erasures.save(erasure)
            uow.announce(*publishing.erasure_overdue(erasure))
        await uow.commit()
    return len(overdue)
