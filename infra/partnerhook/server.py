"""A stand-in for a partner bank that takes Jembatan's events as webhooks instead of Kafka.

A real HTTP server, so the referral dispatcher's signing, retries and dead letters run against
the wire, and tests read back what the "bank" accepted. It checks every delivery the way
docs/partners.md tells a partner to, written from that page and not from Jembatan's code, so
a signer and its documentation that drift apart fail here. Contract (README.md beside this):

    POST /hooks/<partner code>     a delivery: X-TIMESTAMP, X-SIGNATURE, X-PARTNER-ID,
                                   X-EXTERNAL-ID, a CloudEvent as JSON
        200 {"status": "accepted"}        recorded once
        200 {"status": "duplicate"}       an X-EXTERNAL-ID already accepted: nothing recorded
        401 {"error": "invalid_signature", "reason": …}   missing, malformed, stale or wrong
        400 {"error": …}                  X-PARTNER-ID not the path's code, no X-EXTERNAL-ID,
                                          a body that is no JSON object
        the fail-mode status              fail mode on (checked first, like an outage)
    POST /_control/fail        {"status": 500, "times": N|null}: the next N deliveries fail
    POST /_control/reset       {"erase": bool}: fail mode off, counters zeroed, erase deliveries
    GET  /_control/deliveries  ?partner=&type=  {"items": [...]}: what was accepted, oldest first
    GET  /_control/attempts    {"accepted", "duplicate", "refused", "failed"}
    GET  /healthz

The keys: PARTNERHOOK_PUBLIC_KEY_FILE (PEM, one or more keys), or else fetched from
PARTNERHOOK_KEY_URL (the referral API's GET /api/partner/webhook-key) at the first delivery
and again, at most once a minute, when a signature fails (Jembatan may have rotated).
A delivery can carry an applicant (offers v1): the log has ids and counts only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
WINDOW = timedelta(minutes=5)
KEY_REFETCH_S = 60.0
FILTERS = {"partner": "partner_code", "type": "type"}

log = logging.getLogger("partnerhook")


@dataclass(frozen=True)
class Settings:
    port: int
    state: Path
    public_key_file: Path | None
    key_url: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        key_file = env.get("PARTNERHOOK_PUBLIC_KEY_FILE")
        return cls(
            port=int(env.get("PARTNERHOOK_PORT", "8110")),
            state=Path(
                env.get("PARTNERHOOK_STATE", str(ROOT / ".cache/partnerhook/deliveries.jsonl"))
            ),
            public_key_file=Path(key_file) if key_file else None,
            key_url=env.get("PARTNERHOOK_KEY_URL", "http://127.0.0.1:8102/api/partner/webhook-key"),
        )


class Refused(Exception):
    pass


def minify(text: str) -> str:
    """docs/partners.md: drop the whitespace between JSON tokens, keep strings as they are."""
    kept: list[str] = []
    quoted = escape = False
    for char in text:
        if quoted:
            kept.append(char)
            if escape:
                escape = False
            elif char == "\\":
                escape = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
            kept.append(char)
        elif char not in " \t\r\n":
            kept.append(char)
    return "".join(kept)


def check_signature(
    keys: list[rsa.RSAPublicKey], headers: Mapping[str, str], path: str, body: bytes, now: datetime
) -> None:
    """The verification recipe of docs/partners.md, step by step."""
    signature, stamp = headers.get("x-signature"), headers.get("x-timestamp")
    if not signature or not stamp:
        raise Refused("missing")
    try:
        signed_at = datetime.fromisoformat(stamp)
        raw = base64.b64decode(signature, validate=True)
        digest = hashlib.sha256(minify(body.decode("utf-8")).encode("utf-8")).hexdigest()
    except (ValueError, binascii.Error):
        raise Refused("malformed") from None
    if signed_at.tzinfo is None:
        raise Refused("malformed")
    if abs(now - signed_at) > WINDOW:
        raise Refused("stale")
    message = f"POST:{path}:{digest}:{stamp}".encode()
    for key in keys:
        try:
            key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
            return
        except InvalidSignature:
            continue
    raise Refused("wrong_signature")


def keys_in(pem_text: str) -> list[rsa.RSAPublicKey]:
    end = "-----END PUBLIC KEY-----"
    found = []
    for block in pem_text.split(end):
        if block.strip():
            key = serialization.load_pem_public_key((block.strip() + "\n" + end).encode())
            if isinstance(key, rsa.RSAPublicKey):
                found.append(key)
    return found


class Store:
    """Accepted deliveries by X-EXTERNAL-ID, mirrored to an append-only JSON-lines file read
    back at startup, so a replay after a restart is still recognised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.by_id: dict[str, dict[str, Any]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    record = json.loads(line)
                    self.by_id[record["external_id"]] = record
                except (ValueError, KeyError, TypeError):
                    log.warning("skipping unreadable line %d of the state file", number)

    def add(self, record: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.by_id[record["external_id"]] = record

    def erase(self) -> None:
        self.path.write_text("", encoding="utf-8")
        self.by_id.clear()


def _error(status: int, code: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, **extra}, status_code=status)


class Partnerhook:
    def __init__(self, settings: Settings, clock: Any = lambda: datetime.now(UTC)) -> None:
        self.settings, self.clock = settings, clock
        self.store = Store(settings.state)
        self.attempts = {"accepted": 0, "duplicate": 0, "refused": 0, "failed": 0}
        self.fail_status: int | None = None
        self.fail_left: int | None = None
        self.keys: list[rsa.RSAPublicKey] = []
        self.keys_fetched_at = -KEY_REFETCH_S

    def routes(self) -> list[Route]:
        return [
            Route("/hooks/{partner_code}", self.receive, methods=["POST"]),
            Route("/_control/fail", self.fail, methods=["POST"]),
            Route("/_control/reset", self.reset, methods=["POST"]),
            Route("/_control/deliveries", self.deliveries, methods=["GET"]),
            Route("/_control/attempts", self.count, methods=["GET"]),
            Route("/healthz", self.health, methods=["GET"]),
        ]

    async def _load_keys(self, again: bool = False) -> list[rsa.RSAPublicKey]:
        if self.settings.public_key_file is not None:
            return keys_in(self.settings.public_key_file.read_text())
        stale = time.monotonic() - self.keys_fetched_at > KEY_REFETCH_S
        if not self.keys or (again and stale):
            self.keys_fetched_at = time.monotonic()
            try:
                async with httpx.AsyncClient(timeout=5.0) as http:
                    answer = await http.get(self.settings.key_url)
                answer.raise_for_status()
                published = answer.json()["keys"]
                self.keys = [k for doc in published for k in keys_in(doc["public_key_pem"])]
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                log.warning("could not fetch Jembatan's webhook key: %s", type(exc).__name__)
        return self.keys

    async def receive(self, request: Request) -> JSONResponse:
        code = request.path_params["partner_code"]
        if self.fail_status is not None:
            status = self.fail_status
            if self.fail_left is not None:
                self.fail_left -= 1
                if self.fail_left == 0:
                    self.fail_status = self.fail_left = None
            self.attempts["failed"] += 1
            log.info("failing a delivery for %s with %d (fail mode)", code, status)
            return _error(status, "injected_failure")
        body = await request.body()  # verified as received, before it is parsed
        try:
            try:
                keys = await self._load_keys()
                check_signature(keys, request.headers, request.url.path, body, self.clock())
            except Refused as first:
                if first.args[0] != "wrong_signature" or self.settings.public_key_file:
                    raise
                keys = await self._load_keys(again=True)  # a rotation, perhaps
                check_signature(keys, request.headers, request.url.path, body, self.clock())
        except Refused as refused:
            self.attempts["refused"] += 1
            log.info("refused a delivery for %s: %s", code, refused.args[0])
            return _error(401, "invalid_signature", reason=refused.args[0])
        if request.headers.get("x-partner-id") != code:
            return _error(400, "wrong_partner")
        external_id = request.headers.get("x-external-id", "")
        if not external_id:
            return _error(400, "missing_external_id")
        if external_id in self.store.by_id:  # no await since the lookup: one effect only
            self.attempts["duplicate"] += 1
            log.info("replayed delivery %s for %s: no second effect", external_id, code)
            return JSONResponse({"status": "duplicate"})
        try:
            event = json.loads(body)
            if not isinstance(event, dict):
                raise ValueError("not an object")
        except ValueError:
            return _error(400, "body_not_a_json_object")
        self.store.add(
            {
                "external_id": external_id,
                "partner_code": code,
                "type": event.get("type"),
                "event": event,
                "signed_at": request.headers["x-timestamp"],
                "received_at": self.clock().isoformat(),
            }
        )
        self.attempts["accepted"] += 1
        log.info("accepted delivery %s (%s) for %s", external_id, event.get("type"), code)
        return JSONResponse({"status": "accepted"})

    async def fail(self, request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body() or b"{}")
            status, times = body.get("status", 500), body.get("times")
        except (ValueError, AttributeError):
            return _error(422, "invalid_field", field="body")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            return _error(422, "invalid_field", field="status")
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            return _error(422, "invalid_field", field="times")
        self.fail_status, self.fail_left = status, times
        return JSONResponse({"status": status, "times": times})

    async def reset(self, request: Request) -> JSONResponse:
        try:
            erase = json.loads(await request.body() or b"{}").get("erase", False) is True
        except (ValueError, AttributeError):
            return _error(422, "invalid_field", field="body")
        self.fail_status = self.fail_left = None
        self.attempts = dict.fromkeys(self.attempts, 0)
        if erase:
            self.store.erase()
        return JSONResponse({"erased": erase})

    async def deliveries(self, request: Request) -> JSONResponse:
        wanted = {
            field: request.query_params[name]
            for name, field in FILTERS.items()
            if name in request.query_params
        }
        items = [
            record
            for record in self.store.by_id.values()
            if all(record[field] == value for field, value in wanted.items())
        ]
        return JSONResponse({"items": items})

    async def count(self, request: Request) -> JSONResponse:
        return JSONResponse(self.attempts)

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "deliveries": len(self.store.by_id)})


def create_app(settings: Settings, **options: Any) -> Starlette:
    return Starlette(routes=Partnerhook(settings, **options).routes())


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = Settings.from_env()
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=settings.port,
        access_log=False,
        log_config=None,
    )


if __name__ == "__main__":
    main()
