"""The topic of the client service's events, and the values their examples share."""

from __future__ import annotations

TOPIC = "client.events"
SOURCE = "/services/client"

CLIENT_ID_EXAMPLE = "0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10"
OFFICER_EXAMPLE = "6f1d2c3b-0000-4000-8000-00000000a001"
SEALED_EXAMPLE = "s1.c2VhbGVkIHVuZGVyIHRoZSBjbGllbnQncyBvd24gZGF0YSBrZXk="
