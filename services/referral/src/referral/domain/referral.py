"""The referral lifecycle (docs/contract.md §5.2) as a state machine that records what happened.

sent → acknowledged → completed | declined; sent | acknowledged → withdrawn;
sent → expired when the partner does not acknowledge within 2 Indonesian working days;
any state → erased when the client is erased (UU 27/2022 Pasal 43): nothing moves it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

from shared.errors import Conflict


class OfficeCalendar(Protocol):
    """The office's time: deadlines count working days where the referral was made."""

    def local(self, region_code: str, at: datetime) -> datetime: ...
    def add_working_days(self, start: date, days: int) -> date: ...


ACK_WORKING_DAYS = 2
OUTCOME_WORKING_DAYS = 10
ERASE_AFTER = timedelta(hours=72)  # UU PDP: a withdrawn offer is erased within 3 x 24 hours

OUTCOMES = ("account_opened", "loan_disbursed", "merchant_active", "wallet_activated")
DECLINE_REASONS = ("not_eligible", "duplicate_account", "unreachable", "documents_missing", "other")
WITHDRAW_REASONS = ("consent_withdrawn", "officer_withdrew", "expired")

# state -> action -> next state; anything else is an illegal transition (409). Every state
# but `erased` may be erased: a partner that completed or declined holds the applicant too.
TRANSITIONS: dict[str, dict[str, str]] = {
    "sent": {
        "acknowledge": "acknowledged",
        "withdraw": "withdrawn",
        "expire": "expired",
        "erase": "erased",
    },
    "acknowledged": {
        "complete": "completed",
        "decline": "declined",
        "withdraw": "withdrawn",
        "erase": "erased",
    },
    "completed": {"erase": "erased"},
    "declined": {"erase": "erased"},
    "withdrawn": {"erase": "erased"},
    "expired": {"erase": "erased"},
    "erased": {},
}
STATES = tuple(TRANSITIONS)
# Waiting for the partner: a second referral for the same product would be a second offer.
OPEN_STATES = ("sent", "acknowledged")
ACTIONS = ("acknowledge", "complete", "decline", "withdraw", "expire", "erase")


class IllegalTransition(Conflict):
    """A change the lifecycle does not allow from the referral's state: answered 409
    `illegal-transition`, naming the state."""

    def __init__(self, state: str, action: str) -> None:
        super().__init__(
            f"a {state} referral cannot be {action}d", "illegal-transition", state=state
        )
        self.state = state
        self.action = action


@dataclass(frozen=True)
class Happened:
    """A change of state, with what the partner or officer said about it."""

    referral_id: UUID
    action: str
    state: str
    at: datetime
    detail: dict[str, str] = field(default_factory=dict)


@dataclass
class Referral:
    id: UUID
    client_id: UUID
    region_code: str
    partner_code: str
    product_code: str
    consent_id: UUID
    fee_sheet_version: str
    options_shown: tuple[str, ...]  # the partners offered to the client: choice, not steering
    state: str
    sent_at: datetime
    respond_by: date  # the office's date by which the partner must acknowledge
    sent_by: str
    external_ref: str | None = None
    outcome: str | None = None
    reason: str | None = None
    updated_at: datetime | None = None
    acknowledged_at: datetime | None = None  # the partner's response time starts here
    events: list[Happened] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def send(
        cls,
        *,
        client_id: UUID,
        region_code: str,
        partner_code: str,
        product_code: str,
        consent_id: UUID,
        fee_sheet_version: str,
        options_shown: tuple[str, ...],
        sent_by: str,
        now: datetime,
        calendar: OfficeCalendar,
        names: dict[str, str] | None = None,
    ) -> Referral:
        """Send; `names` (partner and product names as the client reads them) ride along."""
        today = calendar.local(region_code, now).date()
        referral = cls(
            id=uuid4(),
            client_id=client_id,
            region_code=region_code,
            partner_code=partner_code,
            product_code=product_code,
            consent_id=consent_id,
            fee_sheet_version=fee_sheet_version,
            options_shown=tuple(sorted(set(options_shown) | {partner_code})),
            state="sent",
            sent_at=now,
            respond_by=calendar.add_working_days(today, ACK_WORKING_DAYS),
            sent_by=sent_by,
        )
        referral.events.append(Happened(referral.id, "send", "sent", now, dict(names or {})))
        return referral

    @property
    def erase_by(self) -> datetime | None:
        """When the partner must have erased the applicant: 72 hours after the referral was
        withdrawn, expired or erased; None while it is open or was answered."""
        if self.state in ("withdrawn", "expired", "erased") and self.updated_at is not None:
            return self.updated_at + ERASE_AFTER
        return None

    def _apply(self, action: str, now: datetime, **detail: str) -> None:
        next_state = TRANSITIONS[self.state].get(action)
        if next_state is None:
            raise IllegalTransition(self.state, action)
        self.state = next_state
        self.updated_at = now
        self.events.append(Happened(self.id, action, next_state, now, dict(detail)))

    def acknowledge(self, now: datetime, external_ref: str | None = None) -> None:
        self._apply("acknowledge", now)
        self.acknowledged_at = now
        self.external_ref = external_ref or self.external_ref

    def complete(self, now: datetime, outcome: str, external_ref: str | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        self._apply("complete", now, outcome=outcome)
        self.outcome = outcome
        self.external_ref = external_ref or self.external_ref

    def decline(self, now: datetime, reason: str) -> None:
        if reason not in DECLINE_REASONS:
            raise ValueError(f"reason must be one of {', '.join(DECLINE_REASONS)}")
        self._apply("decline", now, reason=reason)
        self.reason = reason

    def withdraw(self, now: datetime, reason: str) -> datetime:
        """Withdraw; returns the time by which the partner must have erased the offer."""
        if reason not in WITHDRAW_REASONS:
            raise ValueError(f"reason must be one of {', '.join(WITHDRAW_REASONS)}")
        self._apply("withdraw", now, reason=reason, erase_by=(now + ERASE_AFTER).isoformat())
        self.reason = reason
        return now + ERASE_AFTER

    def erase(self, erased_at: datetime) -> datetime:
        """End the referral of an erased client, whatever its state, and forget the partner's
        reference for the person; returns the time by which the partner must have erased."""
        erase_by = erased_at + ERASE_AFTER
        self._apply("erase", erased_at, erase_by=erase_by.isoformat())
        self.external_ref = None
        return erase_by

    def expire_if_late(self, now: datetime, calendar: OfficeCalendar) -> bool:
        """Expire a referral still unacknowledged after its respond-by day (office time)."""
        if self.state != "sent" or calendar.local(self.region_code, now).date() <= self.respond_by:
            return False
        self._apply("expire", now, reason="expired", erase_by=(now + ERASE_AFTER).isoformat())
        self.reason = "expired"
        return True

    def outcome_is_late(self, now: datetime, calendar: OfficeCalendar) -> bool:
        """An acknowledged referral without an outcome 10 working days after it was sent."""
        if self.state != "acknowledged":
            return False
        sent_on = calendar.local(self.region_code, self.sent_at).date()
        deadline = calendar.add_working_days(sent_on, OUTCOME_WORKING_DAYS)
        return calendar.local(self.region_code, now).date() > deadline
