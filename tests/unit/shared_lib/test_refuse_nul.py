"""A NUL character anywhere in the input is a 422 naming the field, never a 500 from the
database (PostgreSQL text cannot hold it)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.http import RefuseNul
from shared.problems import install_handlers


def _client() -> TestClient:
    app = FastAPI()
    install_handlers(app)
    app.add_middleware(RefuseNul)

    @app.post("/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    @app.get("/search")
    async def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    return TestClient(app)


def test_a_nul_in_a_json_string_names_the_field() -> None:
    answer = _client().post("/echo", json={"title": "ok", "case": {"note": "a\x00b"}})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == ["case.note"]


def test_a_nul_in_a_query_parameter_names_the_parameter() -> None:
    answer = _client().get("/search?q=abc%00&limit=5")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "q"


def test_an_escaped_backslash_before_u0000_is_not_a_nul_and_the_body_still_arrives() -> None:
    client = _client()
    text = "C:\\u0000 is a folder name"  # a backslash, then the letters u0000
    answer = client.post("/echo", json={"path": text})
    assert answer.status_code == 200 and answer.json() == {"path": text}
    assert client.get("/search?q=plain").json() == {"q": "plain"}
