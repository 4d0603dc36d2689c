"""Realistic traffic for the chaos suite, each operation recorded as ok, failed or ambiguous.

Officers register clients, record consent (SMS notifications, referral to Bank Nusantara),
refer some to a savings account, the bank acknowledges, and some clients attend a training
session to its completion. Every POST carries an Idempotency-Key and is retried with it on a
network error, a 5xx, a 429 or a 409 "still running", as the portal does, until it gets an
answer or its deadline passes (then it is ambiguous: its effect may or may not exist).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from support import stack
from support.people import new_worker

RETRIED = {429, 500, 502, 503, 504}
DEADLINE_S = 90.0
TOKEN_MAX_AGE_S = 120.0


@dataclass
class Operation:
    kind: str
    key: str
    status: str = "pending"  # ok | failed | ambiguous
    http_status: int | None = None
    result: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    took_s: float = 0.0


@dataclass
class Ledger:
    """Every operation the traffic attempted, and what the platform answered."""

    operations: list[Operation] = field(default_factory=list)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> facts
    requests: int = 0

    def count(self, kind: str | None = None, status: str | None = None) -> int:
        return sum(
            1
            for o in self.operations
            if (kind is None or o.kind == kind) and (status is None or o.status == status)
        )


class Tokens:
    """Each caller's token, fetched again when two minutes old, by one request at a time."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = asyncio.Lock()

    async def get(self, who: str) -> str:
        fetched = self._cache.get(who)
        if fetched is not None and time.monotonic() - fetched[0] <= TOKEN_MAX_AGE_S:
            return fetched[1]
        async with self._lock:
            fetched = self._cache.get(who)
            if fetched is None or time.monotonic() - fetched[0] > TOKEN_MAX_AGE_S:
                if who == "bank-nusantara":
                    token = await asyncio.to_thread(stack.service_token, "partner-bank-nusantara")
                else:
                    token = await asyncio.to_thread(stack.user_token, who)
                fetched = (time.monotonic(), token)
                self._cache[who] = fetched
            return fetched[1]


class RateLimit:
    """At most `rate` requests per second, spread evenly (the gateway's officer bucket is 200)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            self._next = max(self._next + self._interval, now)
            delay = self._next - now
        if delay > 0:
            await asyncio.sleep(delay)


class Traffic:
    def __init__(self, *, budget: int, rate: float, seed: int, concurrency: int = 64) -> None:
        self.ledger = Ledger()
        self._budget = budget
        self._rng = random.Random(seed)
        self._limit = RateLimit(rate)
        self._concurrency = concurrency
        self._tokens = Tokens()
        self._http = httpx.AsyncClient(base_url=stack.GATEWAY, timeout=20)
        self._programme = ""
        self._session_id: str | None = None
        self._session_lock = asyncio.Lock()
        self._trainees = 0

    async def close(self) -> None:
        await self._http.aclose()

    async def prepare(self) -> None:
        """A training programme whose sessions (today, 1,000 places each) clients attend."""
        admin = {"Authorization": f"Bearer {await self._tokens.get('admin')}"}
        self._programme = f"chaos-{uuid.uuid4().hex[:6]}"
        answer = await self._http.put(
            f"/api/training/programmes/{self._programme}",
            json={
                "title": "Literasi keuangan digital",
                "modules": ["Rekening dan dompet digital"],
                "duration_hours": 2,
                "audience": "both",
                "min_attendance_percent": 100,
                "min_post_score": 70,
            },
            headers=admin,
        )
        answer.raise_for_status()

    async def _session(self) -> str:
        """Today's session with a free place (a new one every 900 trainees)."""
        async with self._session_lock:
            if self._session_id is None or self._trainees % 900 == 0:
                today = date.today().isoformat()
                siti = {"Authorization": f"Bearer {await self._tokens.get('siti')}"}
                answer = await self._http.post(
                    "/api/training/sessions",
                    json={
                        "programme_code": self._programme,
                        "region_code": "3273",
                        "days": [today],
                        "starts_at": f"{today}T00:00:00+07:00",
                        "trainer": "siti",
                        "capacity": 1000,
                        "venue": "Aula Kelurahan Sukasari",
                    },
                    headers=siti,
                )
                answer.raise_for_status()
                self._session_id = str(answer.json()["id"])
            self._trainees += 1
            return self._session_id

    async def run(self) -> None:
        await asyncio.gather(*(self._officer() for _ in range(self._concurrency)))

    def progress(self) -> float:
        return min(1.0, self.ledger.requests / self._budget)

    async def _officer(self) -> None:
        while self.ledger.requests < self._budget:
            await self._client_journey()

    async def _client_journey(self) -> None:
        rng = self._rng
        body = new_worker()
        registered = await self._post("register", "siti", "/api/clients", body)
        if registered is None:
            return
        client_id = registered["id"]
        self.ledger.clients[client_id] = {"nik": body["nik"]}
        if rng.random() < 0.7:
            await self._post(
                "consent_notifications",
                "siti",
                f"/api/clients/{client_id}/consents",
                {"purpose": "notifications", "channels": ["sms"], "text_version": "ntf-2026-01"},
                client_id=client_id,
            )
        if rng.random() < 0.4:
            consent = await self._post(
                "consent_referral",
                "siti",
                f"/api/clients/{client_id}/consents",
                {
                    "purpose": "referral",
                    "partner_code": "bank-nusantara",
                    "scope": ["contact"],
                    "text_version": "ref-2026-01",
                },
                client_id=client_id,
            )
            if consent is not None:
                await self._refer(client_id, acknowledge=rng.random() < 0.7)
        if rng.random() < 0.1:
            await self._train(client_id)

    async def _refer(self, client_id: str, *, acknowledge: bool) -> None:
        referral = await self._post(
            "refer",
            "siti",
            "/api/referrals",
            {
                "client_id": client_id,
                "partner_code": "bank-nusantara",
                "product_code": "savings-basic",
                "fee_sheet_version": "2026-01",
            },
            client_id=client_id,
            # the referral service learns the client and the consent from their events
            not_yet=lambda answer: (
                answer.status_code == 404 or _problem_type(answer).endswith("no-consent")
            ),
        )
        if referral is not None and acknowledge:
            await self._post(
                "acknowledge",
                "bank-nusantara",
                f"/api/partner/referrals/{referral['id']}/status",
                {"status": "acknowledged", "external_ref": f"BN-{uuid.uuid4().hex[:10]}"},
                client_id=client_id,
                referral_id=referral["id"],
            )

    async def _train(self, client_id: str) -> None:
        base = f"/api/training/sessions/{await self._session()}"
        who = f"client:{client_id}"
        enrolled = await self._post(
            "enrol",
            "siti",
            f"{base}/enrolments",
            {"participant": who},
            not_yet=lambda answer: answer.status_code == 404,  # the client is news to training
        )
        if enrolled is None:
            return
        scored = await self._post(
            "score", "siti", f"{base}/scores", {"participant": who, "post_score": 80}
        )
        if scored is not None:
            await self._post(
                "attend",
                "siti",
                f"{base}/attendance",
                {"participant": who, "day": date.today().isoformat()},
                client_id=client_id,
            )

    async def _post(
        self,
        kind: str,
        caller: str,
        path: str,
        body: dict[str, Any],
        *,
        not_yet: Callable[[httpx.Response], bool] | None = None,
        **result: Any,
    ) -> dict[str, Any] | None:
        """POST until answered for good; the answer's JSON when it succeeded. `not_yet` says
        which refusals mean "ask again" (an event the service has not heard yet)."""
        operation = Operation(kind, str(uuid.uuid4()), result=dict(result))
        self.ledger.operations.append(operation)
        started = time.monotonic()
        try:
            return await self._attempts(operation, path, body, caller, not_yet)
        finally:
            operation.took_s = time.monotonic() - started

    async def _attempts(
        self,
        operation: Operation,
        path: str,
        body: dict[str, Any],
        caller: str,
        not_yet: Callable[[httpx.Response], bool] | None,
    ) -> dict[str, Any] | None:
        deadline = time.monotonic() + DEADLINE_S
        answer: httpx.Response | None = None
        while time.monotonic() < deadline:
            await self._limit.wait()
            self.ledger.requests += 1
            operation.attempts += 1
            headers = {
                "Authorization": f"Bearer {await self._tokens.get(caller)}",
                "Idempotency-Key": operation.key,
            }
            try:
                answer = await self._http.post(path, json=body, headers=headers)
            except httpx.HTTPError:
                answer = None
            if answer is not None and not _unsettled(answer, not_yet):
                break
            await asyncio.sleep(self._backoff(operation))
        if answer is None or _unsettled(answer, not_yet):
            operation.status = "ambiguous"  # its effect may exist or not
            return None
        operation.http_status = answer.status_code
        if not answer.is_success:
            operation.status = "failed"
            return None
        operation.status = "ok"
        data: dict[str, Any] = answer.json()
        operation.result |= {k: data[k] for k in ("id",) if k in data}
        return data

    def _backoff(self, operation: Operation) -> float:
        return min(0.25 * 2 ** min(operation.attempts, 5), 5.0) * (0.5 + self._rng.random())


def _problem_type(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("type", ""))
    except ValueError:
        return ""


def _unsettled(answer: httpx.Response, not_yet: Callable[[httpx.Response], bool] | None) -> bool:
    """An answer to retry: the platform is away or busy, or the request is still running."""
    if answer.status_code in RETRIED:
        return True
    if answer.status_code == 409 and _problem_type(answer).endswith("in-progress"):
        return True
    return not_yet is not None and not answer.is_success and not_yet(answer)
