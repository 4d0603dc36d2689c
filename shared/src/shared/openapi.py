"""Every service's OpenAPI document says what its operations answer when they refuse.

FastAPI documents the success of each route and a 422 of its own shape. Jembatan's errors are
RFC 9457 problem details (`shared.problems`), and some come from the gateway in front of every
service (401 for a bad token, 413 for a body over the limit, 429 over a rate limit). Partner
and ministry integrators read these documents, and the API fuzzer (tests/security) holds the
services to them, so they list every status an operation can answer, with its media type.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.problems import MEDIA_TYPE

_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; validation errors name each field.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_REF = {"$ref": "#/components/schemas/Problem"}
WRITES = ("post", "put", "patch", "delete")
# Why each status may answer, for the operations it applies to.
_WHY = {
    "401": "No valid bearer token (the gateway or the service refused it).",
    "403": "Your role may never perform this operation.",
    "404": "No such record within your region (or addressed to you, for a partner).",
    "409": "A conflict: a duplicate, a state that does not allow this, an Idempotency-Key "
    "reused with another request or still in progress.",
    "413": "The body is larger than the gateway accepts.",
    "422": "Invalid input; `errors` names each field and says what is wrong.",
    "429": "Over the rate limit; retry after the `Retry-After` seconds.",
}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[str]:
    statuses = {"429"}
    if operation.get("security"):
        statuses |= {"401", "403"}
    if "{" in path:
        statuses.add("404")
    if operation.get("parameters") or "requestBody" in operation:
        statuses.add("422")
    if "requestBody" in operation:
        statuses.add("413")
    if method in WRITES:
        statuses.add("409")
    return statuses


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every refusal of every operation documented as problem+json."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = _PROBLEM
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses.setdefault(status, {"description": _WHY[status]})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {MEDIA_TYPE: {"schema": _REF}}
                    if response.get("description") in (None, "", "Validation Error"):
                        response["description"] = _WHY.get(status, "Refused.")
    return schema


def install(app: FastAPI) -> None:
    """Serve the completed document (built once, on the first request for it)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    setattr(app, "openapi", openapi)  # noqa: B010 (FastAPI's documented override)
