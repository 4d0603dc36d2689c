"""Service defaults for every HTTP API: telemetry, problem+json, health, request logging, auth."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import idempotency, openapi
from shared.auth import TokenVerifier
from shared.problems import FieldError, Invalid, install_handlers, problem_response
from shared.settings import ServiceSettings
from shared.telemetry import configure_logging, configure_telemetry, redact

log = logging.getLogger("jembatan.access")

Lifespan = Callable[[FastAPI], Any]


async def _kafka_reachable(bootstrap_servers: str, timeout_s: float = 1.0) -> bool:
    for server in bootstrap_servers.split(","):
        host, _, port = server.rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout_s)
        except (OSError, TimeoutError):
            continue
        writer.close()
        return True
    return False


def health_router(engine: AsyncEngine, settings: ServiceSettings) -> APIRouter:
    """`/healthz`: the process answers. `/readyz`: the database answers (Kafka is reported).

    Kafka is not a readiness condition for an API: the outbox exists so that writes are
    accepted while Kafka is away (docs/decisions/0001-outbox-and-relay.md).
    """
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        try:
            async with engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), 2.0)
            database = "ok"
        except Exception:
            database = "unavailable"
        kafka = "ok" if await _kafka_reachable(settings.kafka_bootstrap_servers) else "unavailable"
        ready = database == "ok"
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "database": database, "kafka": kafka},
            status_code=200 if ready else 503,
        )

    return router


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    engine: AsyncEngine,
    lifespan: Callable[[FastAPI], Any] | None = None,
    description: str = "",
    idempotency_keys: Table | None = None,
) -> FastAPI:
    """A FastAPI app with Jembatan's defaults; OpenAPI at `/api/<service>/openapi.json`."""

    @asynccontextmanager
    async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
        if lifespan is None:
            gc.freeze()  # as in shared.messaging.worker.run_worker: start-up objects stay put
            yield
        else:
            async with lifespan(app):
                gc.freeze()
                yield
        await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        openapi_url=f"/api/{settings.service_name}/openapi.json",
        docs_url=f"/api/{settings.service_name}/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        jwks_url=settings.oidc_jwks_url,
        leeway_seconds=settings.token_leeway_seconds,
    )
    install_handlers(app)
    app.include_router(health_router(engine, settings))
    for router in routers:
        app.include_router(router)
    openapi.install(app)
    if idempotency_keys is not None:
        idempotency.install(app, engine, idempotency_keys)
    app.add_middleware(RefuseNul)
    app.add_middleware(AccessLog)
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,readyz", server_request_hook=_scrub_url_attributes
    )
    return app


_URL_ATTRIBUTES = ("http.target", "http.url", "url.full", "url.query")


def _scrub_url_attributes(span: Any, scope: dict[str, Any]) -> None:
    """Spans keep the path, never the query string: `?nik=` or `?phone=` would be personal."""
    if span is None or not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    path = redact(str(scope.get("path", "")))
    for key in _URL_ATTRIBUTES:
        if key in attributes:
            span.set_attribute(key, "" if key == "url.query" else path)


class AccessLog:
    """One line per request: route template, never the raw path or query (they may be personal).

    Plain ASGI rather than `@app.middleware("http")`, whose request and response streams
    cost more per request than the line itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless an answer starts

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_noting_status)
        finally:
            route = scope.get("route")
            request_id = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": getattr(route, "path", "unmatched"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "request_id": request_id.decode("latin-1") if request_id else None,
                },
            )


class RefuseNul:
    """A NUL character in a query parameter or a JSON string is a 422 naming the field.

    PostgreSQL cannot store NUL in text; without this a request carrying one failed deep in a
    transaction with a 500. The body is searched for the escape only (fast), and parsed to
    name the field only when it is there.
    """

    _ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            fields = [k for k, v in parse_qsl(query.decode("latin-1")) if "\x00" in k + v]
            await self._refuse(scope, receive, send, fields or ["query"])
            return
        if scope["method"] not in ("POST", "PUT", "PATCH") or not _is_json(scope):
            await self._app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self._app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if self._ESCAPED_NUL.search(body):
            fields = _nul_fields(body)
            if fields:
                await self._refuse(scope, receive, send, fields)
                return
        await self._app(scope, _replay([{"type": "http.request", "body": body}]), send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, fields: list[str]) -> None:
        errors = [FieldError(f, "must not contain a NUL character") for f in fields]
        await problem_response(Invalid(errors))(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    return content_type.split(b";")[0].strip().lower().endswith(b"json")


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive


def _nul_fields(body: bytes) -> list[str]:
    """The dotted paths of the JSON strings (or keys) holding a NUL."""
    try:
        document = json.loads(body)
    except ValueError:
        return []  # not JSON: FastAPI answers that itself
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str):
            if "\x00" in value:
                found.append(path or "body")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
                if "\x00" in key:
                    found.append(path or "body")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}" if path else str(index))

    walk(document, "")
    return found


# What routes are given from the app a service built: `Annotated[Bus, Depends(app_bus)]`.
# `async def`, so FastAPI does not hop to a worker thread for an attribute lookup.


async def app_bus(request: Request) -> Any:
    """The message bus the app was built with (`app.state.bus`)."""
    return request.app.state.bus


async def app_container(request: Request) -> Any:
    """The service's container (`app.state.container`)."""
    return request.app.state.container


def configure_api_process(settings: ServiceSettings) -> None:
    """JSON logs and telemetry of a service's API process (`<service>-api`), before its app
    and engine exist, so their work is traced."""
    name = f"{settings.service_name}-api"
    configure_logging(name, settings.log_level, settings.log_file)
    configure_telemetry(name, settings.otlp_endpoint, trace_dir=settings.trace_dir)
