"""Consent: purpose-bound, partner- and scope-specific, withdrawable, never overwritten."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from client.domain import events
from client.domain.model import Client, InvalidClient
from shared.errors import Conflict

PURPOSES = ("case_management", "referral", "notifications")
REFERRAL_SCOPES = ("contact", "identity", "business")
CHANNELS = ("sms", "whatsapp", "email")
_PARTNER_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class ConsentAlreadyWithdrawn(Conflict):
    """A consent is withdrawn once (409 `consent-withdrawn`)."""

    def __init__(self) -> None:
        super().__init__("This consent was already withdrawn.", "consent-withdrawn")


@dataclass
class Consent:
    id: UUID
    client_id: UUID
    purpose: str
    partner_code: str | None
    scope: tuple[str, ...]
    channels: tuple[str, ...]
    text_version: str
    granted_at: datetime
    granted_by: str
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    events: list[events.Event] = field(default_factory=list, repr=False, compare=False)

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None

    @classmethod
    def grant(
        cls,
        client: Client,
        *,
        purpose: str,
        partner_code: str | None,
        scope: tuple[str, ...],
        channels: tuple[str, ...],
        text_version: str,
        by: str,
        now: datetime,
    ) -> Consent:
        if purpose not in PURPOSES:
            raise InvalidClient("purpose", f"must be one of {', '.join(PURPOSES)}")
        if not text_version.strip():
            raise InvalidClient("text_version", "must name the consent text the client saw")
        if purpose == "referral":
            if partner_code is None or not _PARTNER_CODE.match(partner_code):
                raise InvalidClient("partner_code", "is required for a referral consent")
            if not scope or set(scope) - set(REFERRAL_SCOPES):
                raise InvalidClient(
                    "scope", f"must be a non-empty subset of {list(REFERRAL_SCOPES)}"
                )
            if "business" in scope and client.kind != "business":
                raise InvalidClient("scope", "business scope is only for a business client")
        elif partner_code is not None or scope:
            raise InvalidClient("partner_code", "is only for a referral consent")
        if purpose == "notifications":
            if not channels or set(channels) - set(CHANNELS):
                raise InvalidClient("channels", f"must be a non-empty subset of {list(CHANNELS)}")
            if {"sms", "whatsapp"} & set(channels) and not client.phone_is_mobile:
                raise InvalidClient("channels", "SMS and WhatsApp need a mobile number")
            if "email" in channels and not client.email:
                raise InvalidClient("channels", "email needs the client's e-mail address")
        elif channels:
            raise InvalidClient("channels", "are only for a notifications consent")
        consent = cls(
            id=uuid4(),
            client_id=client.id,
            purpose=purpose,
            partner_code=partner_code,
            scope=tuple(sorted(set(scope))),
            channels=tuple(sorted(set(channels))),
            text_version=text_version.strip(),
            granted_at=now,
            granted_by=by,
        )
        consent.events.append(events.ConsentGranted(client_id=client.id, consent_id=consent.id))
        return consent

    def withdraw(self, *, by: str, now: datetime) -> None:
        if not self.live:
            raise ConsentAlreadyWithdrawn()
        self.withdrawn_at = now
        self.withdrawn_by = by
        self.events.append(events.ConsentWithdrawn(client_id=self.client_id, consent_id=self.id))
