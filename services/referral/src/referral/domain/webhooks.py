"""Webhooks to partners without Kafka: where they may point, what one delivery is, and when
to try it again (decision 0021, docs/partners.md "Webhooks").

Plain Python: the signing is shared.snap's, the sending and the Kafka offsets are adapters'.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID

MAX_URL_CHARS = 2000
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
# Statuses that say "not now" rather than "never": retried like no answer at all.
RETRYABLE_4XX = frozenset({408, 425, 429})


def callback_url_problem(url: str, *, dev: bool) -> str | None:
    """Why `url` cannot receive webhooks, or None. HTTPS to a public name or address; in
    development also plain HTTP to this machine (the stand-in partner). No query or fragment:
    the signature covers the path, and SNAP's readings of "endpoint URL" differ on the query.
    An address literal inside a private network is refused outside development: an
    administrator's typo must not make Jembatan post into its own network."""
    if len(url) > MAX_URL_CHARS or not url.isascii() or any(c.isspace() for c in url):
        return "must be an ASCII URL of at most 2000 characters, without spaces"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port  # port: a bad one raises
    except ValueError:
        return "is not a URL"
    del port
    if not host:
        return "must name a host"
    if "?" in url or "#" in url:
        return "must carry no query or fragment: the signature covers the path only"
    if parts.username is not None or parts.password is not None:
        return "must carry no credentials"
    if dev and parts.scheme == "http" and host in LOOPBACK_NAMES:
        return None
    if parts.scheme != "https":
        return "must be an https URL" + (" (or http://127.0.0.1 in development)" if dev else "")
    if not dev and _inside(host):
        return "must not point into a private or loopback network"
    return None


def _inside(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: resolved when sending (decision 0021 on what that leaves open)
    return not address.is_global


def endpoint_path(url: str) -> str:
    """The path the signature covers: SNAP's EndpointUrl, the URL's relative part."""
    return urlsplit(url).path or "/"


@dataclass(frozen=True)
class Delivery:
    """One event for one partner's callback URL, and the Kafka record it came from (whose
    offset is committed once the delivery is done: delivered or dead-lettered)."""

    partner_code: str
    url: str
    event_id: UUID  # X-EXTERNAL-ID: the same on every attempt, the partner's idempotency key
    event_type: str
    body: bytes  # the CloudEvent as JSON, sent and signed byte for byte
    topic: str
    partition: int
    offset: int
    # Why it cannot be sent at all (a record that is no CloudEvent): parked without a try,
    # in its place in the partner's lane, so offsets are still committed in order.
    problem: str | None = None


@dataclass(frozen=True)
class Answer:
    """What one attempt got: an HTTP status, or None when no answer came (and why)."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def final(self) -> bool:
        """A refusal that no retry will change (a 4xx other than 408, 425, 429)."""
        return (
            self.status is not None
            and 400 <= self.status < 500
            and self.status not in RETRYABLE_4XX
        )

    @property
    def reason(self) -> str:
        """For the dead letter and the log: a status or an error's type, never a body."""
        if self.status is not None:
            return f"http_{self.status}"
        return f"unreachable_{self.error or 'error'}"


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all, pausing 1, 2, 4 … `first_pause_s`·2ⁿ seconds between them,
    never more than `max_pause_s`. The defaults spread ten attempts over about eight and a
    half minutes (pauses 1 … 256 s); what outlasts them is parked for an operator's redrive."""

    attempts: int = 10
    first_pause_s: float = 1.0
    max_pause_s: float = 300.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.first_pause_s < 0 or self.max_pause_s < 0:
            raise ValueError("a retry policy needs one attempt or more and no negative pause")

    def pause_after(self, attempt: int) -> float:
        """The pause after the `attempt`-th failure (1-based)."""
        return float(min(self.max_pause_s, self.first_pause_s * 2.0 ** max(attempt - 1, 0)))
