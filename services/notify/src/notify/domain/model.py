"""A notification: one message, over one channel, to one recipient, answering one event.

The rules that decide whether and when it goes out live here as plain functions: which
channels a client may be reached on (consent and contact details), quiet hours in the
recipient's own time zone, and retries with exponential backoff and jitter.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from uuid import UUID, uuid4

CHANNELS = ("sms", "whatsapp", "email")
# The recipient of alerts to the platform's administrators (one address, from the settings).
ADMINISTRATORS = "administrators"
OFFICER = "officer:"  # + the officer's Keycloak user id: a message to one member of staff
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(7, 0)

# scheduled → sending → sent → delivered; sending → scheduled (retry) → … → failed;
# suppressed is final and says why (no consent, no address).
Status = Literal["scheduled", "sending", "sent", "delivered", "failed", "suppressed"]
Report = Literal["delivered", "failed"]

# What a provider's delivery report may move a sent message to, and from where. Delivered is
# the end: only the handset's receipt says so, so a failure reported after it is a replay or
# came out of order. A "delivered" after "failed" is believed: a provider may give up on a
# late receipt and report failure, and the receipt is still proof. Notify never resends a
# message the provider reported failed, so believing it sends nothing twice.
REPORTED_FROM: dict[Report, tuple[Status, ...]] = {
    "delivered": ("sent", "failed"),
    "failed": ("sent",),
}


def after_report(status: str, report: Report) -> Status | None:
    """The status a provider's report moves a message to, or None if it changes nothing."""
    return report if status in REPORTED_FROM[report] else None


@dataclass(frozen=True)
class Reach:
    """What notify knows of how a client may be reached."""

    consented: frozenset[str]  # channels of live `notifications` consent
    has_phone: bool
    has_email: bool
    restricted: bool = False  # the client asked to restrict processing (UU 27/2022 Pasal 41)

    def refusal(self, channel: str) -> str | None:
        """Why this channel may not be used, or None if it may."""
        if self.restricted:
            return "restricted"
        if channel not in self.consented:
            return "no_consent"
        if channel in ("sms", "whatsapp") and not self.has_phone:
            return "no_phone_number"
        if channel == "email" and not self.has_email:
            return "no_email_address"
        return None


@dataclass
class Notification:
    id: UUID
    event_id: UUID
    recipient: str  # "client:<id>", "supervisor:<province>" or "administrators"
    client_id: UUID | None
    region_code: str
    template: str
    language: str
    channel: str
    context: dict[str, str]
    status: str
    reason: str | None = None
    attempts: int = 0
    not_before: datetime | None = None
    provider_message_id: str | None = None
    created_at: datetime | None = None

    @classmethod
    def plan(
        cls,
        *,
        event_id: UUID,
        recipient: str,
        client_id: UUID | None,
        region_code: str,
        template: str,
        language: str,
        channel: str,
        context: dict[str, str],
        refusal: str | None,
        not_before: datetime,
    ) -> Notification:
        """Scheduled for `not_before`, or suppressed with the reason when it may not go."""
        return cls(
            id=uuid4(),
            event_id=event_id,
            recipient=recipient,
            client_id=client_id,
            region_code=region_code,
            template=template,
            language=language,
            channel=channel,
            context=context,
            status="suppressed" if refusal else "scheduled",
            reason=refusal,
            not_before=None if refusal else not_before,
        )


def deliver_at(local: datetime, urgent: bool = False) -> datetime:
    """`local` (now, in the recipient's own zone), unless it falls in quiet hours (21:00 to
    07:00): then 07:00 there. Urgent alerts are exempt."""
    if urgent:
        return local
    if local.time() >= QUIET_FROM:
        return datetime.combine(local.date() + timedelta(days=1), QUIET_UNTIL, local.tzinfo)
    if local.time() < QUIET_UNTIL:
        return datetime.combine(local.date(), QUIET_UNTIL, local.tzinfo)
    return local


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=10)

    def delay(self, attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
        """After the n-th failure: half of min(cap, base * 2^(n-1)) plus a random share of the
        other half ("equal jitter"), so retries spread out but never come too soon."""
        ceiling = min(self.cap, self.base * (1 << max(attempts - 1, 0)))
        return ceiling / 2 + ceiling / 2 * rand()

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
