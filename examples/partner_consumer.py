"""An example partner consumer: prints the referral offers, withdrawals and erasures sent to
a bank.

    .venv/bin/python examples/partner_consumer.py --partner bank-nusantara [--from-beginning]
        [--confirm-erasures]

Kafka and the API take the same credentials: the bank's Keycloak client. Its token goes to
Kafka over SASL OAUTHBEARER (the local stack's partner listener is 127.0.0.1:9096, without the
TLS a cluster adds), and the broker lets the bank read its own topic, in the consumer group
`partner-<code>` or one named `partner-<code>.<anything>`, and nothing else (docs/partners.md).

An offer (v2) carries no personal data: for each one the consumer reads the applicant over
HTTPS through the gateway with the bank's own client credentials, at the offer's
`applicant_url`; it prints which fields it got, never their values.

When a client is erased, the bank must erase what it holds of the applicant by `erase_by`
and confirm it at the event's `confirm_url`; this example holds nothing of its own, so with
`--confirm-erasures` it confirms at once and prints whether that was in time.

It is deliberately plain kafka-python and httpx with no Jembatan code, so it reads like what
a bank's integration engineer would write. It commits offsets only after handling a record,
and de-duplicates on `ce_id`: delivery is at least once.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from typing import Any

import httpx
from kafka import KafkaConsumer
from kafka.net.sasl.oauth import AbstractTokenProvider


class Gateway:
    """The bank's calls to Jembatan's API, with a client-credentials token renewed in time."""

    def __init__(self, base_url: str, token_url: str, client_id: str, secret: str) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=15)
        self._token_url, self._form = (
            token_url,
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )
        self._token, self._renew_at = "", 0.0

    def get(self, path: str) -> httpx.Response:
        return self._http.get(path, headers=self._authorization())

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self._http.post(path, json=body, headers=self._authorization())

    def token(self) -> str:
        """A client-credentials token, renewed at half its life."""
        if time.monotonic() >= self._renew_at:
            answer = httpx.post(self._token_url, data=self._form, timeout=15).raise_for_status()
            body = answer.json()
            self._token = body["access_token"]
            self._renew_at = time.monotonic() + body["expires_in"] / 2
        return self._token

    def _authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}


class KafkaLogin(AbstractTokenProvider):
    """kafka-python asks for a token at each new connection: the API's token serves."""

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self._gateway = gateway

    def token(self) -> str:
        return self._gateway.token()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partner", default="bank-nusantara")
    parser.add_argument("--bootstrap", default="127.0.0.1:9096")
    parser.add_argument("--group", help="consumer group (default partner-<code>.example)")
    parser.add_argument(
        "--from-beginning", action="store_true", help="a new group starts at the oldest offer"
    )
    parser.add_argument("--max-records", type=int, default=0, help="stop after N (0: run on)")
    parser.add_argument("--gateway", default="http://localhost:8080")
    parser.add_argument(
        "--token-url",
        default="http://localhost:8180/realms/jembatan/protocol/openid-connect/token",
    )
    parser.add_argument("--secret", help="client secret (default: the local demo one)")
    parser.add_argument(
        "--confirm-erasures",
        action="store_true",
        help="confirm each erasure at once (this example keeps nothing to erase)",
    )
    args = parser.parse_args()
    gateway = Gateway(
        args.gateway,
        args.token_url,
        f"partner-{args.partner}",
        args.secret or f"{args.partner}-dev-secret",
    )

    consumer = KafkaConsumer(
        f"partner.{args.partner}.referrals",
        bootstrap_servers=args.bootstrap,
        security_protocol="SASL_PLAINTEXT",  # SASL_SSL against a cluster
        sasl_mechanism="OAUTHBEARER",
        sasl_oauth_token_provider=KafkaLogin(gateway),
        group_id=args.group or f"partner-{args.partner}.example",
        enable_auto_commit=False,
        auto_offset_reset="earliest" if args.from_beginning else "latest",
    )
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    seen: set[str] = set()
    handled = 0
    listening = False
    while not stop and not (args.max_records and handled >= args.max_records):
        batch = consumer.poll(timeout_ms=500)
        if not listening and consumer.assignment():
            # From here on, every offer made reaches us (a new group starts at the end).
            print("LISTENING", flush=True)
            listening = True
        for record in (r for records in batch.values() for r in records):
            handle(record, seen, gateway, confirm_erasures=args.confirm_erasures)
            handled += 1
        if batch:
            consumer.commit()  # after handling: at least once
    consumer.close()
    return 0


def handle(record: Any, seen: set[str], gateway: Gateway, *, confirm_erasures: bool) -> None:
    headers = {name: value.decode() for name, value in record.headers}
    event_id, event_type = headers.get("ce_id", ""), headers.get("ce_type", "")
    if event_id in seen:
        return
    seen.add(event_id)
    data = json.loads(record.value)
    if event_type in (
        "jembatan.partner.referral.offered.v2",
        "jembatan.partner.referral.offered.v1",  # the applicant inline (older partners)
    ):
        if "applicant" in data:
            applicant = data["applicant"]
        else:
            answer = gateway.get(data["applicant_url"])
            # 410: withdrawn before we read it; nothing to keep, nothing to do.
            applicant = answer.json() if answer.status_code == 200 else {}
        fields = sorted(k for k, v in applicant.items() if v is not None)
        print(
            f"OFFER {data['referral_id']} product={data['product_code']} "
            f"respond_by={data['respond_by']} scope={','.join(data['consent']['scope'])} "
            f"applicant_fields={','.join(fields)}",
            flush=True,
        )
    elif event_type == "jembatan.partner.referral.withdrawn.v1":
        print(
            f"WITHDRAWN {data['referral_id']} reason={data['reason']} erase_by={data['erase_by']}",
            flush=True,
        )
    elif event_type == "jembatan.partner.referral.erased.v1":
        print(f"ERASED {data['referral_id']} erase_by={data['erase_by']}", flush=True)
        if confirm_erasures:
            # Erase the applicant from every system first; then confirm (once is enough: a
            # repeated confirmation changes nothing).
            answer = gateway.post(data["confirm_url"], {}).raise_for_status().json()
            print(f"CONFIRMED {data['referral_id']} in_time={answer['in_time']}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
