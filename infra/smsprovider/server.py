"""A stand-in for the SMS/WhatsApp provider that notify calls in production.

A real HTTP server, so notify's adapter, retries and webhooks run against the wire, and tests
can read back what the "company" received. Contract (infra/smsprovider/README.md has examples):

    POST /v1/messages            Authorization: Bearer <SMSPROVIDER_API_KEY>, Idempotency-Key: <str>
        {"channel": "sms"|"whatsapp", "to": "+62…", "text": "…", "reference": "…",
         "callback_url": "<http(s) url>"|null}
        202 {"message_id": "msg_…", "status": "accepted"}; the same Idempotency-Key again
        answers the same, recording nothing. 401 bad key, 400 no Idempotency-Key,
        422 {"error": "invalid_field", "field": "<name>", "message": …}.
        With a callback_url: after SMSPROVIDER_DELIVERY_DELAY_S, a signed POST of
        {"message_id", "reference", "status": "delivered", "at"}, retried on failure
        (the same webhook id and body, signed afresh).
    POST /_control/fail          {"status": 500, "times": N|null}: the next N sends fail
    POST /_control/reset         {"erase": bool}: fail mode off, counters zeroed, erase messages
    GET  /_control/attempts      {"accepted": n, "failed": n}
    GET  /_control/messages      ?to=&reference=&channel=  {"items": [...]}
    POST /_control/inbound       {"from", "channel", "text"}: relayed, signed, to
                                 SMSPROVIDER_INBOUND_URL; answers {"delivered_status",
                                 "message_id", "webhook_id"}
    GET  /_control/webhooks      the last 100 webhook attempts as sent (headers, raw body)
    GET  /healthz

Signatures: X-Provider-Webhook-Id: wh_<hex> (the same on every retry of one webhook) and
X-Provider-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(SMSPROVIDER_WEBHOOK_SECRET,
"<t>.<webhook id>.<raw body>")>, signed afresh on each attempt.
Phone numbers and texts are personal data: the log carries ids and counts only, and the
access log is off because a query string can hold a number.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
E164 = re.compile(r"\+[1-9]\d{7,14}")
CHANNELS = ("sms", "whatsapp")
MAX_TEXT_CHARS = 1600
RETRY_PAUSES_S = (0.5, 1.0, 2.0)  # between delivery-report attempts: four tries in all
FILTERS = ("to", "reference", "channel")
KEPT_WEBHOOKS = 100  # attempts shown by GET /_control/webhooks, newest kept

log = logging.getLogger("smsprovider")


@dataclass(frozen=True)
class Settings:
    port: int
    state: Path
    api_key: str
    webhook_secret: str
    delivery_delay_s: float
    inbound_url: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            port=int(env.get("SMSPROVIDER_PORT", "8109")),
            state=Path(
                env.get("SMSPROVIDER_STATE", str(ROOT / ".cache/smsprovider/messages.jsonl"))
            ),
            api_key=env.get("SMSPROVIDER_API_KEY", "dev-only-smsprovider-api-key"),
            webhook_secret=env.get(
                "SMSPROVIDER_WEBHOOK_SECRET", "dev-only-smsprovider-webhook-secret"
            ),
            delivery_delay_s=float(env.get("SMSPROVIDER_DELIVERY_DELAY_S", "0.2")),
            inbound_url=env.get(
                "SMSPROVIDER_INBOUND_URL",
                "http://127.0.0.1:8080/api/notifications/webhooks/smsprovider/inbound",
            ),
        )


class Invalid(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _webhook_id() -> str:
    return f"wh_{uuid.uuid4().hex}"


def sign(secret: str, webhook_id: str, body: bytes) -> str:
    """The X-Provider-Signature of one attempt: the time, and an HMAC over the time, the
    webhook's id and the body, so none of the three can be changed or replayed for long."""
    timestamp = str(int(time.time()))
    signed = f"{timestamp}.{webhook_id}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


def _phone(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not E164.fullmatch(value):
        raise Invalid(name, "must be an E.164 number such as +6281234567890")
    return value


def _channel(body: dict[str, Any]) -> str:
    value = body.get("channel")
    if value not in CHANNELS:
        raise Invalid("channel", "must be 'sms' or 'whatsapp'")
    return str(value)


def _text(body: dict[str, Any]) -> str:
    value = body.get("text")
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT_CHARS:
        raise Invalid("text", f"must be a non-empty string of at most {MAX_TEXT_CHARS} characters")
    return value


def _callback_url(body: dict[str, Any]) -> str | None:
    value = body.get("callback_url")
    if value is None:
        return None
    try:
        url = httpx.URL(value) if isinstance(value, str) else None
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise Invalid("callback_url", "must be an http(s) URL or null")
    return str(value)


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise Invalid("body", "must be JSON") from None
    if not isinstance(body, dict):
        raise Invalid("body", "must be a JSON object")
    return body


class Store:
    """Accepted messages by idempotency key, mirrored to an append-only JSON-lines file.

    The file is read back at startup so a resend after a restart is still recognised.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.by_key: dict[str, dict[str, Any]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    record = json.loads(line)
                    self.by_key[record["idempotency_key"]] = record
                except (ValueError, KeyError, TypeError):
                    log.warning("skipping unreadable line %d of the state file", number)
        log.info("loaded %d messages from %s", len(self.by_key), path)

    def add(self, record: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.by_key[record["idempotency_key"]] = record

    def erase(self) -> None:
        self.path.write_text("", encoding="utf-8")
        self.by_key.clear()


class Provider:
    """The stand-in's state (messages, fail mode, counters) and its routes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.state)
        self.attempts = {"accepted": 0, "failed": 0}
        self.fail_status: int | None = None
        self.fail_left: int | None = None  # None while failing: until reset
        self.reports: set[asyncio.Task[None]] = set()
        self.http: httpx.AsyncClient | None = None
        # What was sent, byte for byte, so a test can replay a captured webhook.
        self.webhooks: deque[dict[str, Any]] = deque(maxlen=KEPT_WEBHOOKS)

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=5.0) as http:
            self.http = http
            yield
            for task in self.reports:  # undelivered reports are lost, as with a real outage
                task.cancel()
            await asyncio.gather(*self.reports, return_exceptions=True)

    def routes(self) -> list[Route]:
        return [
            Route("/v1/messages", self.send, methods=["POST"]),
            Route("/_control/fail", self.fail, methods=["POST"]),
            Route("/_control/reset", self.reset, methods=["POST"]),
            Route("/_control/attempts", self.count, methods=["GET"]),
            Route("/_control/messages", self.messages, methods=["GET"]),
            Route("/_control/inbound", self.inbound, methods=["POST"]),
            Route("/_control/webhooks", self.sent_webhooks, methods=["GET"]),
            Route("/healthz", self.health, methods=["GET"]),
        ]

    async def send(self, request: Request) -> JSONResponse:
        outcome = await self._accept(request)
        if isinstance(outcome, JSONResponse):
            self.attempts["failed"] += 1
            return outcome
        self.attempts["accepted"] += 1
        return JSONResponse({"message_id": outcome, "status": "accepted"}, status_code=202)

    async def _accept(self, request: Request) -> JSONResponse | str:
        """The message id, or why the attempt is refused. Fail mode comes first, like an outage."""
        if self.fail_status is not None:
            status = self.fail_status
            if self.fail_left is not None:
                self.fail_left -= 1
                if self.fail_left == 0:
                    self.fail_status = self.fail_left = None
            log.info("failing a send with %d (fail mode)", status)
            return _error(status, "injected_failure", "fail mode is on (POST /_control/fail)")
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            key.strip().encode(), self.settings.api_key.encode()
        ):
            refused = _error(401, "unauthorized", "'Authorization: Bearer <api key>' is needed")
            refused.headers["WWW-Authenticate"] = "Bearer"
            return refused
        idempotency_key = request.headers.get("idempotency-key", "").strip()
        if not idempotency_key:
            return _error(400, "missing_idempotency_key", "the Idempotency-Key header is required")
        try:
            body = await _json_object(request)
            fields = {"channel": _channel(body), "to": _phone(body, "to"), "text": _text(body)}
            reference, callback_url = body.get("reference"), _callback_url(body)
            if not isinstance(reference, str) or not reference:
                raise Invalid("reference", "must be a non-empty string")
        except Invalid as invalid:
            return _error(422, "invalid_field", str(invalid), field=invalid.field)
        # No await from lookup to record: two concurrent resends cannot both record.
        known = self.store.by_key.get(idempotency_key)
        if known is not None:
            log.info("replayed %s for a repeated idempotency key", known["message_id"])
            return str(known["message_id"])
        record = {
            "message_id": f"msg_{uuid.uuid4().hex}",
            **fields,
            "reference": reference,
            "idempotency_key": idempotency_key,
            "received_at": _now(),
        }
        self.store.add(record)
        log.info(
            "accepted %s (%s, reference %s)", record["message_id"], fields["channel"], reference
        )
        if callback_url is not None:
            task = asyncio.create_task(self._report_delivery(record, callback_url))
            self.reports.add(task)
            task.add_done_callback(self.reports.discard)
        return record["message_id"]

    async def _report_delivery(self, record: dict[str, Any], url: str) -> None:
        await asyncio.sleep(self.settings.delivery_delay_s)
        report = {
            "message_id": record["message_id"],
            "reference": record["reference"],
            "status": "delivered",
            "at": _now(),
        }
        webhook_id = _webhook_id()  # one webhook: every retry carries the same id
        for attempt, pause in enumerate((*RETRY_PAUSES_S, None), 1):
            status = await self._post_signed(url, webhook_id, report)
            if status is not None and 200 <= status < 300:
                log.info("delivery report for %s answered %d", record["message_id"], status)
                return
            log.warning(
                "delivery report for %s, attempt %d: %s",
                record["message_id"],
                attempt,
                status or "unreachable",
            )
            if pause is not None:
                await asyncio.sleep(pause)
        log.error("gave up on the delivery report for %s", record["message_id"])

    async def _post_signed(self, url: str, webhook_id: str, payload: dict[str, Any]) -> int | None:
        """The receiver's HTTP status, or None when it cannot be reached. Signed at the
        moment of sending: a retry carries the same id and body under a fresh timestamp."""
        assert self.http is not None, "used outside the app's lifespan"
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Provider-Webhook-Id": webhook_id,
            "X-Provider-Signature": sign(self.settings.webhook_secret, webhook_id, body),
        }
        sent: dict[str, Any] = {
            "webhook_id": webhook_id,
            "url": url,
            "headers": headers,
            "body": body.decode(),
            "status": None,
        }
        self.webhooks.append(sent)
        try:
            response = await self.http.post(url, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            log.warning("POST to a webhook failed: %s", type(error).__name__)
            return None
        sent["status"] = response.status_code
        return response.status_code

    async def fail(self, request: Request) -> JSONResponse:
        try:
            body = await _json_object(request)
            status, times = body.get("status", 500), body.get("times")
            if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
                raise Invalid("status", "must be an HTTP error status, 400 to 599")
            if times is not None and (
                isinstance(times, bool) or not isinstance(times, int) or times < 1
            ):
                raise Invalid("times", "must be a positive integer or null (until reset)")
        except Invalid as invalid:
            return _error(422, "invalid_field", str(invalid), field=invalid.field)
        self.fail_status, self.fail_left = status, times
        log.info("fail mode on: %d, %s times", status, times if times is not None else "unlimited")
        return JSONResponse({"status": status, "times": times})

    async def reset(self, request: Request) -> JSONResponse:
        try:
            erase = (await _json_object(request)).get("erase", False) is True
        except Invalid as invalid:
            return _error(422, "invalid_field", str(invalid), field=invalid.field)
        self.fail_status = self.fail_left = None
        self.attempts = {"accepted": 0, "failed": 0}
        self.webhooks.clear()
        if erase:
            self.store.erase()
        log.info("reset (erase: %s)", erase)
        return JSONResponse({"erased": erase})

    async def count(self, request: Request) -> JSONResponse:
        return JSONResponse(self.attempts)

    async def messages(self, request: Request) -> JSONResponse:
        wanted = {
            name: request.query_params[name] for name in FILTERS if name in request.query_params
        }
        if "to" in wanted:  # an unencoded "+" in a query string arrives as a space
            wanted["to"] = "+" + wanted["to"].strip().lstrip("+")
        items = [
            record
            for record in self.store.by_key.values()
            if all(record[name] == value for name, value in wanted.items())
        ]
        return JSONResponse({"items": items})

    async def inbound(self, request: Request) -> JSONResponse:
        try:
            body = await _json_object(request)
            fields = {"from": _phone(body, "from"), "channel": _channel(body), "text": _text(body)}
        except Invalid as invalid:
            return _error(422, "invalid_field", str(invalid), field=invalid.field)
        message_id, webhook_id = f"in_{uuid.uuid4().hex}", _webhook_id()
        message = {"message_id": message_id, **fields, "received_at": _now()}
        status = await self._post_signed(self.settings.inbound_url, webhook_id, message)
        if status is None:
            return _error(
                502,
                "inbound_unreachable",
                "the inbound URL did not answer",
                message_id=message_id,
                webhook_id=webhook_id,
            )
        log.info("relayed inbound %s, the receiver answered %d", message_id, status)
        return JSONResponse(
            {"delivered_status": status, "message_id": message_id, "webhook_id": webhook_id}
        )

    async def sent_webhooks(self, request: Request) -> JSONResponse:
        return JSONResponse({"items": list(self.webhooks)})

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "messages": len(self.store.by_key)})


def create_app(settings: Settings) -> Starlette:
    provider = Provider(settings)
    return Starlette(routes=provider.routes(), lifespan=provider.lifespan)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry full URLs
    settings = Settings.from_env()
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=settings.port,
        access_log=False,  # a query string such as ?to=+62… would land in the log
        log_config=None,
    )


if __name__ == "__main__":
    main()
