"""The provider's webhook signature: that the provider sent it, when, and which webhook it is.

Every webhook carries `X-Provider-Webhook-Id: <id>` and
`X-Provider-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<id>.<raw body>")>`,
with one `v1=` per secret while the provider rotates its secret. The id is inside the signed
text, so a replay cannot pass for a new webhook by changing it, and it holds no `.`, so the
signed text splits one way only. A signature made more than five minutes before or after
notify's clock is refused: a captured webhook is good for five minutes at most, and notify
remembers the ids it accepted for longer than that.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

WINDOW = timedelta(minutes=5)
# Accepted ids outlive the window by a minute, for the clocks of notify's own processes.
REMEMBERED_FOR = WINDOW + timedelta(minutes=1)

MAX_HEADER_CHARS = 1024
MAX_SIGNATURES = 5  # a rotation needs two; more is someone padding the header
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_WEBHOOK_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_SCHEME = re.compile(r"[a-z][a-z0-9]{0,15}")

Reason = Literal["missing", "malformed", "stale", "wrong_signature"]


class Refused(Exception):
    """Not signed by the provider; the reason is for the log, never for the answer."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class SignedWebhook:
    webhook_id: str
    signed_at: datetime


def signature(secret: bytes, timestamp: str, webhook_id: str, body: bytes) -> str:
    """The hex `v1` signature of one webhook."""
    signed = f"{timestamp}.{webhook_id}.".encode() + body
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


def verify(
    header: str | None,
    webhook_id: str | None,
    body: bytes,
    secrets: Sequence[bytes],
    now: datetime,
) -> SignedWebhook:
    """The webhook, if one of `secrets` signed these exact bytes within the window."""
    if header is None or webhook_id is None:
        raise Refused("missing")
    timestamp, digests = _parse(header)
    if not _WEBHOOK_ID.fullmatch(webhook_id):
        raise Refused("malformed")
    # Compared as numbers first: a timestamp far out of range is no date at all.
    if abs(now.timestamp() - int(timestamp)) > WINDOW.total_seconds():
        raise Refused("stale")
    expected = [signature(s, timestamp, webhook_id, body).encode() for s in secrets]
    if not any(hmac.compare_digest(d, e) for d in digests for e in expected):
        raise Refused("wrong_signature")
    return SignedWebhook(webhook_id, datetime.fromtimestamp(int(timestamp), UTC))


def _parse(header: str) -> tuple[str, list[bytes]]:
    """The timestamp and the `v1` digests; other schemes (a future `v2`) are passed over."""
    # Headers arrive decoded as Latin-1: a byte above 0x7F is a character here, refused.
    if len(header) > MAX_HEADER_CHARS or not header.isascii():
        raise Refused("malformed")
    timestamps: list[str] = []
    digests: list[str] = []
    for item in header.split(","):
        scheme, equals, value = item.strip().partition("=")
        if not equals or not _SCHEME.fullmatch(scheme):
            raise Refused("malformed")
        if scheme == "t":
            timestamps.append(value)
        elif scheme == "v1":
            digests.append(value)
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise Refused("malformed")
    if not 1 <= len(digests) <= MAX_SIGNATURES or not all(_DIGEST.fullmatch(d) for d in digests):
        raise Refused("malformed")
    return timestamps[0], [d.encode() for d in digests]
