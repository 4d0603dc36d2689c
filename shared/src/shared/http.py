"""Service defaults for every HTTP API: telemetry, problem+json, health, request logging, auth."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import idempotency
from shared.auth import TokenVerifier
from shared.problems import install_handlers
from shared.settings import ServiceSettings
from shared.telemetry import redact

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
    if idempotency_keys is not None:
        idempotency.install(app, engine, idempotency_keys)
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
