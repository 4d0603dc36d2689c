"""The APIs, called through the gateway with the officer's own token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Answer:
    status: int
    body: Any = None
    errors: dict[str, str] = field(default_factory=dict)  # field → the API's own words

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def items(self) -> list[Any]:
        """The `items` of a list answer; none when the answer is not one (a 404, a problem)."""
        return list(self.body.get("items", [])) if isinstance(self.body, dict) else []


class Gateway:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def call(
        self,
        token: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        answer = await self._http.request(
            method,
            path,
            params={k: v for k, v in (params or {}).items() if v not in (None, "")},
            json=json,
            files=files,
            headers={"Authorization": f"Bearer {token}"} | (headers or {}),
        )
        body: Any = None
        if answer.content and "json" in answer.headers.get("content-type", ""):
            body = answer.json()
        errors = {}
        if isinstance(body, dict) and answer.status_code >= 400:
            errors = {e["field"]: e["message"] for e in body.get("errors", []) if "field" in e}
        return Answer(answer.status_code, body, errors)

    async def download(
        self, token: str, path: str, *, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A file the API answers (an export), as it came."""
        return await self._http.get(
            path, params=params, headers={"Authorization": f"Bearer {token}"}
        )
