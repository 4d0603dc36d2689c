"""Pure helpers of the authorization checks: the operations the services' OpenAPI documents
publish, which of them ask for a token, and an endpoint written with example values as the
operation it calls. The checks that use them need the stack; these helpers do not, so the
unit tests hold them (and the matrices) to the services built in-process."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def published_operations(documents: Iterable[Mapping[str, Any]]) -> set[str]:
    """`METHOD /path/{param}` of every operation the OpenAPI documents publish."""
    return {
        f"{method.upper()} {path}"
        for document in documents
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def protected_operations(documents: Iterable[Mapping[str, Any]]) -> set[str]:
    """`METHOD /path/{param}` of every operation whose OpenAPI entry asks for a token."""
    return {
        f"{method.upper()} {path}"
        for document in documents
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS and operation.get("security")
    }


def token_guarded(matrix: Mapping[str, Any]) -> set[str]:
    """The operations the authorization matrix expects to refuse a caller without a token
    (401) and to let a case worker past the token check."""
    return {
        entry["op"]
        for entry in matrix["operations"]
        if entry["expect"]["anonymous"] == 401 and entry["expect"]["siti"] != 401
    }


def undefined_cells(
    expected: Mapping[str, Mapping[str, int]], callers: Iterable[str]
) -> dict[str, set[str]]:
    """Per endpoint, the callers whose expected status is missing or who are not callers."""
    wanted = set(callers)
    return {endpoint: set(row) ^ wanted for endpoint, row in expected.items() if set(row) != wanted}


def calls(operation: str, method: str, path: str) -> bool:
    """Whether a request `method path` (a path written with example values or placeholders,
    perhaps with a query string) is a call of the published `operation` (`METHOD /template`):
    each of the template's parameters stands for any one segment."""
    published_method, _, template = operation.partition(" ")
    wanted = template.strip("/").split("/")
    given = path.partition("?")[0].strip("/").split("/")
    return (
        published_method == method.upper()
        and len(wanted) == len(given)
        and all(
            w == g or (w.startswith("{") and w.endswith("}"))
            for w, g in zip(wanted, given, strict=True)
        )
    )


def unpublished(endpoints: Iterable[tuple[str, str]], published: Iterable[str]) -> set[str]:
    """The (method, path) endpoints that call no published operation."""
    operations = list(published)
    return {
        f"{method} {path}"
        for method, path in endpoints
        if not any(calls(operation, method, path) for operation in operations)
    }
