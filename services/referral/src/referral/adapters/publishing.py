"""Referral changes, translated into `referral.events` and the partner's own topic."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from referral.adapters.repositories.projections import LiveConsent
from referral.domain.erasure import PartnerErasure
from referral.domain.offer import applicant_for_partner
from referral.domain.referral import Happened, Referral
from shared.calendar import time_zone_of
from shared.contracts import Contract
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.messaging.envelope import Envelope


def _internal(referral: Referral | PartnerErasure, data: Contract) -> tuple[str, Envelope]:
    return referral_contracts.TOPIC, Envelope(
        type=data.TYPE,
        source=referral_contracts.SOURCE,
        subject=f"referral/{referral.id}",
        key=str(referral.client_id),
        data=data.to_data(),
    )


def _to_partner(referral: Referral | PartnerErasure, data: Contract) -> tuple[str, Envelope]:
    # The partner's key is the referral id: no person's identifier leaves in a key.
    return partner_contracts.topic_for(referral.partner_code), Envelope(
        type=data.TYPE,
        source=partner_contracts.SOURCE,
        subject=f"referral/{referral.id}",
        key=str(referral.id),
        data=data.to_data(),
    )


def _ids(referral: Referral | PartnerErasure) -> dict[str, object]:
    return {
        "referral_id": referral.id,
        "client_id": referral.client_id,
        "region_code": referral.region_code,
        "partner_code": referral.partner_code,
        "product_code": referral.product_code,
    }


def end_of_day(referral: Referral) -> datetime:
    """The last second of the respond-by day in the office's zone (what a partner reads)."""
    zone = ZoneInfo(time_zone_of(referral.region_code))
    return datetime.combine(referral.respond_by, time(23, 59, 59), zone)


def offered(
    referral: Referral,
    kind: str,
    profile: dict[str, object],
    scope: tuple[str, ...],
    consent_granted_at: datetime,
) -> tuple[str, Envelope]:
    data = partner_contracts.ReferralOffered(
        referral_id=referral.id,
        product_code=referral.product_code,
        offered_at=referral.sent_at,
        respond_by=end_of_day(referral),
        office_region_code=referral.region_code,
        applicant=partner_contracts.Applicant.model_validate(
            applicant_for_partner(kind, profile, scope)
        ),
        consent=partner_contracts.Consent(
            consent_id=referral.consent_id,
            granted_at=consent_granted_at,
            scope=list(scope),
        ),
    )
    return _to_partner(referral, data)


def offered_v2(referral: Referral, kind: str, consent: LiveConsent) -> tuple[str, Envelope]:
    """The offer without a personal value: the partner reads the applicant at its URL."""
    data = partner_contracts.ReferralOfferedV2(
        referral_id=referral.id,
        product_code=referral.product_code,
        offered_at=referral.sent_at,
        respond_by=end_of_day(referral),
        office_region_code=referral.region_code,
        applicant_kind=kind,
        applicant_url=partner_contracts.applicant_url(referral.id),
        consent=partner_contracts.Consent(
            consent_id=consent.consent_id, granted_at=consent.granted_at, scope=list(consent.scope)
        ),
    )
    return _to_partner(referral, data)


def envelopes(referral: Referral, happened: Happened) -> list[tuple[str, Envelope]]:
    """What each change of state announces, internally and (for an ending) to the partner.
    An erasure announces itself (`erasure_requested`): its events need the partner's kind."""
    ids = _ids(referral)
    at = happened.at
    out: list[tuple[str, Envelope]] = []
    if happened.action == "send":
        out.append(
            _internal(
                referral,
                referral_contracts.ReferralSent(
                    **ids,
                    fee_sheet_version=referral.fee_sheet_version,
                    options_shown=list(referral.options_shown),
                    sent_at=at,
                    respond_by=referral.respond_by,
                    partner_name=happened.detail.get("partner_name"),
                    product_name=happened.detail.get("product_name"),
                    partner_kind=happened.detail.get("partner_kind"),
                    product_kind=happened.detail.get("product_kind"),
                ),
            )
        )
    elif happened.action == "acknowledge":
        out.append(
            _internal(referral, referral_contracts.ReferralAcknowledged(**ids, acknowledged_at=at))
        )
    elif happened.action == "complete":
        out.append(
            _internal(
                referral,
                referral_contracts.ReferralCompleted(
                    **ids,
                    outcome=happened.detail["outcome"],
                    completed_at=at,
                ),
            )
        )
    elif happened.action == "decline":
        out.append(
            _internal(
                referral,
                referral_contracts.ReferralDeclined(
                    **ids,
                    reason=happened.detail["reason"],
                    declined_at=at,
                ),
            )
        )
    elif happened.action in ("withdraw", "expire"):
        reason = happened.detail["reason"]
        out.append(
            _internal(
                referral,
                referral_contracts.ReferralWithdrawn(**ids, reason=reason, withdrawn_at=at),
            )
        )
        out.append(
            _to_partner(
                referral,
                partner_contracts.ReferralWithdrawn(
                    referral_id=referral.id,
                    withdrawn_at=at,
                    reason=reason,
                    erase_by=datetime.fromisoformat(happened.detail["erase_by"]),
                ),
            )
        )
        if happened.action == "expire":
            out.append(
                _internal(
                    referral,
                    referral_contracts.ReferralEscalated(
                        **ids,
                        breach="not_acknowledged",
                        escalated_at=at,
                        referred_by=referral.sent_by,
                    ),
                )
            )
    return out


def erasure_requested(erasure: PartnerErasure) -> list[tuple[str, Envelope]]:
    """The partner is told to erase (and where to confirm); our own consumers hear of it."""
    return [
        _to_partner(
            erasure,
            partner_contracts.ReferralErased(
                referral_id=erasure.referral_id,
                erased_at=erasure.requested_at,
                erase_by=erasure.erase_by,
                confirm_url=partner_contracts.erasure_url(erasure.referral_id),
            ),
        ),
        _internal(
            erasure,
            referral_contracts.ReferralErasureRequested(
                **_ids(erasure),
                partner_kind=erasure.partner_kind,
                requested_at=erasure.requested_at,
                erase_by=erasure.erase_by,
            ),
        ),
    ]


def erasure_confirmed(erasure: PartnerErasure) -> tuple[str, Envelope]:
    assert erasure.confirmed_at is not None and erasure.in_time is not None
    return _internal(
        erasure,
        referral_contracts.ReferralErasureConfirmed(
            **_ids(erasure),
            partner_kind=erasure.partner_kind,
            requested_at=erasure.requested_at,
            erase_by=erasure.erase_by,
            confirmed_at=erasure.confirmed_at,
            in_time=erasure.in_time,
        ),
    )


def erasure_overdue(erasure: PartnerErasure) -> tuple[str, Envelope]:
    """Internal only: the partner's topic gets nothing new for an overdue erasure."""
    assert erasure.escalated_at is not None
    return _internal(
        erasure,
        referral_contracts.ReferralErasureOverdue(
            **_ids(erasure),
            partner_kind=erasure.partner_kind,
            requested_at=erasure.requested_at,
            erase_by=erasure.erase_by,
            escalated_at=erasure.escalated_at,
        ),
    )


def outcome_late(referral: Referral, at: datetime) -> tuple[str, Envelope]:
    return _internal(
        referral,
        referral_contracts.ReferralEscalated(
            **_ids(referral), breach="outcome_late", escalated_at=at, referred_by=referral.sent_by
        ),
    )
