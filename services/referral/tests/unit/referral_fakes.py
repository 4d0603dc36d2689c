"""An in-memory referral unit of work for handler tests: the same repositories' promises as
the SQL ones (region scope, a partner sees its own only, copies handed out, nothing kept
unless saved), and the integration events it would have written to the outbox
(`uow.published`), translated by the real `referral.adapters.publishing`."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from referral.adapters.clients import ProfileUnavailable, ReferralBasis
from referral.adapters.repositories.projections import LiveConsent
from referral.domain.catalogue import Partner
from referral.domain.demo_catalogue import BANK_NUSANTARA, DOMPET_RAKYAT
from referral.domain.eligibility import Applicant
from referral.domain.erasure import PartnerErasure
from referral.domain.referral import OPEN_STATES, Referral
from referral.domain.summary import PartnerMonth
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.auth import RegionScope
from shared.unit_of_work import RecordingUnitOfWork

T = TypeVar("T")


def _copy(value: T) -> T:
    return copy.deepcopy(value)


class FakeCatalogue:
    def __init__(self, partners: tuple[Partner, ...] = (BANK_NUSANTARA, DOMPET_RAKYAT)) -> None:
        self.rows = {p.code: p for p in partners}

    async def partners(self) -> list[Partner]:
        return [self.rows[code] for code in sorted(self.rows)]

    async def partner(self, code: str) -> Partner | None:
        return self.rows.get(code)

    async def upsert(self, partner: Partner) -> None:
        self.rows[partner.code] = partner

    async def offboarded(self) -> list[str]:
        return [p.code for p in self.rows.values() if p.status in ("offboarding", "offboarded")]

    async def set_status(self, code: str, status: str) -> None:
        if code in self.rows:
            self.rows[code] = replace(self.rows[code], status=status)

    async def set_licence(self, code: str, status: str, verified_on: date) -> bool:
        if code not in self.rows:
            return False
        self.rows[code] = replace(
            self.rows[code], licence_status=status, licence_verified_on=verified_on
        )
        return True


class FakeProjections:
    """Client facts, consents and completed programmes, as rows naming their client."""

    def __init__(self) -> None:
        self.client_facts: dict[UUID, dict[str, Any]] = {}
        self.consents: dict[UUID, dict[str, Any]] = {}  # consent id -> its row
        self.completed_trainings: set[tuple[UUID, str]] = set()

    def knows(self, client_id: UUID) -> bool:
        return (
            client_id in self.client_facts
            or any(c["client_id"] == client_id for c in self.consents.values())
            or any(c == client_id for c, _ in self.completed_trainings)
        )

    async def upsert_client(self, client_id: UUID, **facts: Any) -> None:
        self.client_facts.setdefault(client_id, {"restricted": False}).update(facts)

    async def set_restricted(self, client_id: UUID, restricted: bool) -> None:
        if client_id in self.client_facts:
            self.client_facts[client_id]["restricted"] = restricted

    async def set_region(self, client_id: UUID, region_code: str) -> None:
        if client_id in self.client_facts:
            self.client_facts[client_id]["region_code"] = region_code

    async def applicant(
        self, client_id: UUID, scope: RegionScope, *, lock: bool = False
    ) -> Applicant | None:
        facts = self.client_facts.get(client_id)
        if facts is None or not scope.allows(facts["region_code"]):
            return None
        done = frozenset(p for c, p in self.completed_trainings if c == client_id)
        return Applicant(
            kind=facts["kind"],
            birth_date=facts["birth_date"],
            region_code=facts["region_code"],
            has_nib=facts.get("has_nib", False),
            completed_programmes=done,
            restricted=facts.get("restricted", False),
        )

    async def completed_training(self, client_id: UUID, programme_code: str) -> None:
        self.completed_trainings.add((client_id, programme_code))

    async def grant(
        self, consent_id: UUID, client_id: UUID, partner_code: str, scope: list[str], at: datetime
    ) -> None:
        self.consents.setdefault(
            consent_id,
            {
                "client_id": client_id,
                "partner_code": partner_code,
                "scope": tuple(scope),
                "granted_at": at,
                "withdrawn_at": None,
            },
        )

    async def withdraw(self, consent_id: UUID, at: datetime) -> None:
        if consent_id in self.consents:
            self.consents[consent_id]["withdrawn_at"] = at

    async def forget_client(self, client_id: UUID) -> None:
        self.client_facts.pop(client_id, None)
        self.consents = {k: c for k, c in self.consents.items() if c["client_id"] != client_id}
        self.completed_trainings = {(c, p) for c, p in self.completed_trainings if c != client_id}

    async def live_consent(self, client_id: UUID, partner_code: str) -> LiveConsent | None:
        for consent_id, c in self.consents.items():
            mine = (c["client_id"], c["partner_code"]) == (client_id, partner_code)
            if mine and c["withdrawn_at"] is None:
                return LiveConsent(consent_id, c["scope"], c["granted_at"])
        return None


class FakeReferrals:
    def __init__(self) -> None:
        self.rows: dict[UUID, Referral] = {}
        self.reminded: dict[UUID, datetime] = {}

    @staticmethod
    def _stored(referral: Referral) -> Referral:
        kept = _copy(referral)
        kept.events = []
        return kept

    def put(self, referral: Referral) -> None:
        referral.events.clear()
        self.rows[referral.id] = self._stored(referral)

    async def add(self, referral: Referral) -> None:
        self.rows[referral.id] = self._stored(referral)

    async def save(self, referral: Referral) -> None:
        assert referral.id in self.rows, "saved before it was added"
        self.rows[referral.id] = self._stored(referral)

    async def open_for(self, client_id: UUID, partner_code: str, product_code: str) -> bool:
        return any(
            (r.client_id, r.partner_code, r.product_code) == (client_id, partner_code, product_code)
            and r.state in OPEN_STATES
            for r in self.rows.values()
        )

    async def get(
        self,
        referral_id: UUID,
        *,
        scope: RegionScope | None = None,
        partner_code: str | None = None,
        lock: bool = True,
    ) -> Referral | None:
        found = self.rows.get(referral_id)
        if found is None:
            return None
        if scope is not None and not scope.allows(found.region_code):
            return None
        if partner_code is not None and found.partner_code != partner_code:
            return None
        return _copy(found)

    async def find(self, **facts: Any) -> list[Referral]:
        """Scope, partner, client, state and sender, a page in id order (enough for tests)."""
        scope, partner = facts.get("scope"), facts.get("partner_code")
        found = [
            _copy(r)
            for r in sorted(self.rows.values(), key=lambda r: str(r.id))
            if (scope is None or scope.allows(r.region_code))
            and (partner is None or r.partner_code == partner)
            and facts.get("client_id") in (None, r.client_id)
            and facts.get("state") in (None, r.state)
            and facts.get("sent_by") in (None, r.sent_by)
        ]
        return found[: facts.get("limit", 50)]

    async def per_partner(
        self, scope: RegionScope, sent_from: datetime, sent_before: datetime
    ) -> list[PartnerMonth]:
        counted: dict[str, list[Referral]] = {}
        for r in self.rows.values():
            if scope.allows(r.region_code) and sent_from <= r.sent_at < sent_before:
                counted.setdefault(r.partner_code, []).append(r)
        return [
            PartnerMonth(
                code,
                code,
                len(rs),
                sum(r.state == "completed" for r in rs),
                sum(r.state == "expired" for r in rs),
            )
            for code, rs in sorted(counted.items())
        ]

    async def open_for_consent(self, client_id: UUID, partner_code: str) -> list[Referral]:
        return [
            _copy(r)
            for r in self.rows.values()
            if (r.client_id, r.partner_code) == (client_id, partner_code) and r.state in OPEN_STATES
        ]

    async def not_erased_of_client(self, client_id: UUID) -> list[Referral]:
        return [
            _copy(r)
            for r in sorted(self.rows.values(), key=lambda r: r.id)
            if r.client_id == client_id and r.state != "erased"
        ]

    async def acknowledged_sent_before(self, instant: datetime, limit: int) -> list[Referral]:
        due = [
            r
            for r in self.rows.values()
            if r.state == "acknowledged" and r.sent_at < instant and r.id not in self.reminded
        ]
        return [_copy(r) for r in due[:limit]]

    async def mark_outcome_reminded(self, referral_id: UUID, at: datetime) -> None:
        self.reminded[referral_id] = at

    async def unacknowledged_due_by(self, day: date, limit: int) -> list[Referral]:
        due = [r for r in self.rows.values() if r.state == "sent" and r.respond_by <= day]
        return [_copy(r) for r in due[:limit]]


class FakeErasures:
    def __init__(self) -> None:
        self.rows: dict[UUID, PartnerErasure] = {}

    async def add(self, erasure: PartnerErasure) -> None:
        self.rows.setdefault(erasure.referral_id, _copy(erasure))

    async def get(self, referral_id: UUID) -> PartnerErasure | None:
        found = self.rows.get(referral_id)
        return _copy(found) if found else None

    async def save(self, erasure: PartnerErasure) -> None:
        self.rows[erasure.referral_id] = _copy(erasure)

    async def unconfirmed_due_before(self, instant: datetime, limit: int) -> list[PartnerErasure]:
        due = [
            e
            for e in self.rows.values()
            if e.confirmed_at is None and e.escalated_at is None and e.erase_by < instant
        ]
        return [_copy(e) for e in sorted(due, key=lambda e: e.erase_by)[:limit]]


class FakeReferralUow(RecordingUnitOfWork, ReferralUnitOfWork):
    """Referral's own unit of work (its translation, its filter of offboarded partners'
    topics) over the in-memory repositories above."""

    def __init__(self) -> None:
        super().__init__()
        self.catalogue = FakeCatalogue()  # type: ignore[assignment]
        self.projections = FakeProjections()  # type: ignore[assignment]
        self.referrals = FakeReferrals()  # type: ignore[assignment]
        self.erasures = FakeErasures()  # type: ignore[assignment]
        self.discarded: list[str] = []

    def bind(self, session: Any) -> None:
        pass

    async def discard_unpublished(self, topic: str) -> int:
        self.discarded.append(topic)
        return 0

    def types_on(self, topic: str) -> list[str]:
        return [e.type for t, e in self.published if t == topic]

    def data_of(self, topic: str, event_type: str) -> list[dict[str, Any]]:
        return [e.data for t, e in self.published if t == topic and e.type == event_type]


class FakeClients:
    """The client service: the referral basis of clients it knows, and their profiles."""

    def __init__(self) -> None:
        self.bases: dict[UUID, ReferralBasis] = {}
        self.profiles: dict[UUID, dict[str, Any]] = {}
        self.reads: list[tuple[UUID, str, UUID]] = []

    async def referral_profile(
        self, client_id: UUID, partner_code: str, referral_id: UUID
    ) -> tuple[dict[str, Any], datetime]:
        self.reads.append((client_id, partner_code, referral_id))
        if client_id not in self.profiles:
            raise ProfileUnavailable(str(client_id))
        profile = self.profiles[client_id]
        return profile, profile["granted_at"]

    async def referral_basis(self, client_id: UUID, partner_code: str) -> ReferralBasis | None:
        return self.bases.get(client_id)


class FakeAccess:
    """Keycloak and Kafka for a partner: what was made and removed, in order."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.secret: str | None = "s3cret"

    async def ensure_client(self, code: str, name: str) -> None:
        self.steps.append(f"client+{code}")

    async def remove_client(self, code: str) -> None:
        self.steps.append(f"client-{code}")

    async def ensure_topic(self, code: str) -> None:
        self.steps.append(f"topic+{code}")

    async def remove_topic(self, code: str) -> None:
        self.steps.append(f"topic-{code}")

    async def ensure_acls(self, code: str) -> None:
        self.steps.append(f"acls+{code}")

    async def remove_acls(self, code: str) -> None:
        self.steps.append(f"acls-{code}")

    async def new_secret(self, code: str) -> str | None:
        return self.secret
