"""RFC 9457 problem details: the only error shape Jembatan's APIs answer with.

Bodies never carry a stack trace or a value the caller sent; validation errors name the field
and say in plain words what is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import errors

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://jembatan.example/problems/"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class Problem(Exception):
    status: int
    title: str
    detail: str | None = None
    type_slug: str = "about:blank"
    errors: Sequence[FieldError] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_slug
            if self.type_slug == "about:blank"
            else TYPE_BASE + self.type_slug,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        body.update(self.extra)
        return body


def Unauthorized() -> Problem:
    return Problem(
        401,
        "Unauthorized",
        "A valid bearer token is required.",
        headers={"WWW-Authenticate": 'Bearer realm="jembatan"'},
    )


def Forbidden() -> Problem:
    return Problem(403, "Forbidden", "Your role may not perform this operation.")


def NotFound(what: str = "record") -> Problem:
    return Problem(404, "Not Found", f"No such {what}.")


def Gone(detail: str) -> Problem:
    return Problem(410, "Gone", detail, type_slug="gone")


def Conflict(detail: str, slug: str = "conflict", **extra: Any) -> Problem:
    return Problem(409, "Conflict", detail, type_slug=slug, extra=extra)


def Invalid(
    errors: Sequence[FieldError], detail: str = "The request has invalid fields."
) -> Problem:
    return Problem(422, "Unprocessable Content", detail, type_slug="validation", errors=errors)


def from_error(error: errors.DomainError) -> Problem:
    """The one translation of a domain or service-layer error into its answer."""
    if isinstance(error, errors.NotFound):
        return NotFound(error.what)
    if isinstance(error, errors.InvalidField):
        found = [FieldError(p.field, p.message) for p in error.problems]
        return Invalid(found) if error.detail is None else Invalid(found, error.detail)
    if isinstance(error, errors.Conflict | errors.Refused):
        return Conflict(error.detail, error.reason, **error.facts)
    if isinstance(error, errors.Gone):
        return Gone(error.detail)
    return Problem(400, "Bad Request", "The request cannot be carried out.")


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.body(), status_code=problem.status, media_type=MEDIA_TYPE, headers=problem.headers
    )


def _field_name(loc: Sequence[int | str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


_PLAIN = {
    "missing": "is required",
    "string_pattern_mismatch": "has the wrong format",
    "string_too_short": "is too short",
    "string_too_long": "is too long",
    "literal_error": "is not one of the allowed values",
    "enum": "is not one of the allowed values",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "uuid_parsing": "must be a UUID",
    "bool_parsing": "must be true or false",
    "int_parsing": "must be a whole number",
    "json_invalid": "is not valid JSON",
    "extra_forbidden": "is not a known field",
}


def _plain_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "value_error":
        # Our own validators raise ValueError with a message written for people.
        return str(error.get("ctx", {}).get("error", "is invalid"))
    return str(error.get("msg", "is invalid"))


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(errors.DomainError)
    async def _domain(_: Request, exc: errors.DomainError) -> JSONResponse:
        return problem_response(from_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(_field_name(e["loc"]), _plain_message(e)) for e in exc.errors()]
        return problem_response(Invalid(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        from http import HTTPStatus

        if exc.status_code == 400:  # FastAPI could not read the body (not UTF-8, say)
            return problem_response(Invalid([FieldError("body", "could not be read as JSON")]))
        title = HTTPStatus(exc.status_code).phrase
        return problem_response(Problem(exc.status_code, title, headers=dict(exc.headers or {})))

    app.add_middleware(ContainErrors)


class ContainErrors:
    """An unexpected error answers 500 as a problem, and goes no further. Left to Starlette's
    own handler it would be raised on to the server after the answer, and uvicorn closes the
    connection then: the gateway's next request on that kept-alive connection failed with a
    503 of its own, for a caller who had done nothing wrong."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, sending)
        except Exception as exc:
            log.error("unhandled error", exc_info=exc)
            if started:
                raise  # half an answer is out: only closing the connection can end it
            answer = problem_response(
                Problem(500, "Internal Server Error", "Something went wrong.")
            )
            await answer(scope, receive, send)
