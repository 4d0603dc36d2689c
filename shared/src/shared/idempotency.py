"""`Idempotency-Key` on POST (docs/contract.md §5): a retried request gets the first answer.

Only answers that did something are kept for replay (2xx); a refusal (4xx) changed nothing,
so its retry is answered afresh, as are server failures.

Officers on slow connections press "save" twice and phones retry on a flaky network. The
first request with a key reserves it, runs, and stores its answer; a retry with the same key
and the same request replays that answer (`Idempotent-Replayed: true`) without running again.
The same key with a different request is a 422; a retry while the first is still running is a
409. Keys belong to the caller (token subject), so nobody can replay another's answer.
An answer marked `Cache-Control: no-store` is never stored: it holds a personal value.

A request's effect and the storing of its answer are two transactions, and the database can
go away between them, or take the effect's COMMIT with it without saying whether it held. So
the effect's own transaction marks the key as applied (`record_effect`, called wherever events
go to the outbox): a key whose request took effect is never freed for a second run. If its
answer was lost, the retry is told so (409 `answer-lost`) and looks the result up instead.

Stored answers hold what the request created (a client's name and phone), so they are kept
only as long as a retry is plausible: `ANSWER_KEPT` (24 hours). A reservation whose request
never answered (its process died) frees its key after `STUCK_AFTER`, so a retry runs again
instead of meeting a 409 for ever; a request that failed frees it at once. Each API process
clears what has expired at most once per `PURGE_EVERY`, as keyed requests arrive; no job is
needed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, Request, Response
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql.expression import ColumnElement, Executable
from starlette.middleware.base import BaseHTTPMiddleware, DispatchFunction
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.auth import principal_of
from shared.problems import MEDIA_TYPE, Conflict, FieldError, Invalid, Problem, problem_response

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200
ANSWER_KEPT = timedelta(hours=24)
# Longer than any request may run (the gateway gives workshop-sheet imports 120 s).
STUCK_AFTER = timedelta(seconds=150)
PURGE_EVERY = timedelta(minutes=10)
_MARKED = "idempotency-key-marked"  # in session.info: the transaction that marked the key


@dataclass(frozen=True)
class _Running:
    table: Table
    principal: str
    key: str

    def row(self) -> ColumnElement[bool]:
        return and_(self.table.c.principal == self.principal, self.table.c.key == self.key)


# The keyed request this task serves (set by the middleware around the route).
_running: ContextVar[_Running | None] = ContextVar("idempotent_request", default=None)


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        Column("principal", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        Column("request_hash", Text, nullable=False),
        Column("status", Integer),  # NULL while the first request runs
        Column("content_type", Text),
        Column("body", LargeBinary),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # Set by the transaction of the request's effect: the key can never run again.
        Column("applied_at", DateTime(timezone=True)),
    )


async def record_effect(session: AsyncSession) -> None:
    """Mark the running request's key as applied, in `session`'s transaction (the one that
    holds the effect). Outside a keyed request (a consumer, a job) it does nothing."""
    running = _running.get()
    if running is None:
        return
    transaction = session.get_transaction()
    if transaction is None or session.info.get(_MARKED) is transaction:
        return
    await session.execute(update(running.table).where(running.row()).values(applied_at=func.now()))
    session.info[_MARKED] = transaction


async def purge(engine: AsyncEngine, table: Table, now: datetime) -> int:
    """Forget expired answers and stuck reservations; how many keys were freed."""
    async with engine.begin() as conn:
        done = await conn.execute(
            delete(table).where(
                or_(
                    table.c.created_at < now - ANSWER_KEPT,
                    and_(
                        table.c.status.is_(None),
                        table.c.applied_at.is_(None),
                        table.c.created_at < now - STUCK_AFTER,
                    ),
                )
            )
        )
    return int(done.rowcount or 0)


def install(app: FastAPI, engine: AsyncEngine, table: Table) -> None:
    last_purge = datetime.min.replace(tzinfo=UTC)

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return await call_next(request)
        if not key or len(key) > MAX_KEY_LENGTH:
            return problem_response(
                Invalid(
                    [FieldError("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} characters")]
                )
            )
        try:  # the routes' own check (a key fetch goes to a thread, not the event loop)
            subject: str | None = (await principal_of(request)).subject
        except Problem:
            subject = None
        if subject is None:
            return await call_next(request)  # the route answers 401 itself
        nonlocal last_purge
        now = datetime.now(UTC)
        if now - last_purge >= PURGE_EVERY:
            last_purge = now
            await purge(engine, table, now)

        body = await request.body()
        digest = hashlib.sha256(
            json.dumps([request.url.path, request.headers.get("content-type", "")]).encode() + body
        ).hexdigest()
        running = _Running(table, subject, key)
        row_of = running.row()
        async with engine.begin() as conn:
            reserved = (
                await conn.execute(
                    insert(table)
                    .values(principal=subject, key=key, request_hash=digest)
                    .on_conflict_do_nothing()
                    .returning(table.c.key)
                )
            ).first() is not None
            if not reserved:
                earlier = (await conn.execute(select(table).where(row_of))).one()
                if earlier.status is None and earlier.request_hash == digest:
                    # The first request died without an answer and without an effect: this
                    # retry takes its place.
                    reserved = (
                        await conn.execute(
                            update(table)
                            .where(
                                row_of,
                                table.c.status.is_(None),
                                table.c.applied_at.is_(None),
                                table.c.created_at < now - STUCK_AFTER,
                            )
                            .values(created_at=func.now())
                            .returning(table.c.key)
                        )
                    ).first() is not None
        if not reserved:
            if earlier.request_hash != digest:
                return problem_response(
                    Invalid(
                        [FieldError("Idempotency-Key", "was already used for a different request")]
                    )
                )
            if earlier.status is None:
                if earlier.applied_at is not None and earlier.created_at < now - STUCK_AFTER:
                    return problem_response(AnswerLost())  # its process died after the effect
                return problem_response(
                    Conflict("A request with this Idempotency-Key is still running.", "in-progress")
                )
            return Response(
                earlier.body,
                status_code=earlier.status,
                media_type=earlier.content_type,
                headers={"Idempotent-Replayed": "true"},
            )

        entered = _running.set(running)
        try:
            response = await call_next(request)
        except Exception:
            await _settle_unanswered(engine, running)
            raise
        finally:
            _running.reset(entered)
        if response.status_code >= 400 or "no-store" in response.headers.get("cache-control", ""):
            # A refusal changed nothing, and its reason may pass (a client the service has
            # not heard of yet, a consent still on its way): a retry is asked afresh. A
            # `no-store` answer (a revealed NIK) must never be kept, so its key is freed and a
            # retry runs (and is audited) again. A failure after the effect was committed
            # frees nothing (`_settle_unanswered`).
            await _settle_unanswered(engine, running)
            return response
        content = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        await _persistently(
            engine,
            update(table)
            .where(row_of)
            .values(
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=content,
            ),
        )
        return Response(
            content,
            status_code=response.status_code,
            headers=dict(response.headers),
        )

    app.add_middleware(_OnlyKeyedPosts, dispatch=middleware)


class _OnlyKeyedPosts:
    """Enter the (costly) request-and-response middleware only for a POST with a key; every
    other request goes straight on."""

    def __init__(self, app: ASGIApp, dispatch: DispatchFunction) -> None:
        self._app = app
        self._keyed = BaseHTTPMiddleware(app, dispatch=dispatch)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and any(name == b"idempotency-key" for name, _ in scope["headers"])
        ):
            await self._keyed(scope, receive, send)
        else:
            await self._app(scope, receive, send)


def AnswerLost() -> Problem:
    return Conflict(
        "The request with this Idempotency-Key was carried out, but its answer was lost"
        " (the database went away as it was sent). Look the result up instead of sending"
        " the request again.",
        "answer-lost",
    )


async def _settle_unanswered(engine: AsyncEngine, running: _Running) -> None:
    """A request that ends without an answer to keep: free its key so that a retry runs
    again, unless its effect was committed (`applied_at`, written by the effect's own
    transaction, even when the COMMIT's answer never arrived); then retries learn that the
    answer was lost."""
    table = running.table
    forgotten = await _persistently(
        engine, delete(table).where(running.row(), table.c.applied_at.is_(None))
    )
    if not forgotten:
        lost = problem_response(AnswerLost())
        await _persistently(
            engine,
            update(table)
            .where(running.row(), table.c.status.is_(None))
            .values(status=lost.status_code, content_type=MEDIA_TYPE, body=bytes(lost.body)),
        )


async def _persistently(engine: AsyncEngine, statement: Executable) -> int:
    """Run `statement` in its own transaction, how many rows it touched. The failure it
    follows is often the database itself going away (a restart): keep trying for a while,
    or the key would answer 409 until `STUCK_AFTER`."""
    wait_s = 0.2
    for attempt in range(8):  # about 25 s in all
        try:
            async with engine.begin() as conn:
                return int((await conn.execute(statement)).rowcount or 0)
        except (OperationalError, InterfaceError, OSError):
            if attempt == 7:
                raise
            await asyncio.sleep(wait_s)
            wait_s = min(wait_s * 2, 5.0)
    raise AssertionError("unreachable")
