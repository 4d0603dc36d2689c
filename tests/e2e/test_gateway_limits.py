"""The gateway's own protections, driven on the real Envoy with the project's configuration."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration

LIMITED_PORT, LIMITED_ADMIN = 18080, 19901


@pytest.fixture(scope="module")
def tightly_limited_gateway() -> Iterator[str]:
    """A second Envoy from the same template, with a bucket of 3 requests refilled 1 per second."""
    env = {
        **os.environ,
        "GATEWAY_NAME": "gateway-limits-test",
        "GATEWAY_PORT": str(LIMITED_PORT),
        "GATEWAY_ADMIN_PORT": str(LIMITED_ADMIN),
        "GATEWAY_RL_BURST": "3",
        "GATEWAY_RL_PER_SECOND": "1",
    }
    script = str(stack.ROOT / "infra" / "gateway" / "run.sh")
    subprocess.run([script, "start"], check=True, env=env, timeout=60)
    try:
        yield f"http://127.0.0.1:{LIMITED_PORT}"
    finally:
        subprocess.run([script, "stop"], check=True, env=env, timeout=60)


def test_a_flood_gets_429_with_retry_after(tightly_limited_gateway: str) -> None:
    with httpx.Client(base_url=tightly_limited_gateway) as http:
        answers = [http.get("/api/clients") for _ in range(12)]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert all(a.status_code in (401, 429) for a in answers)
    assert limited[0].headers["retry-after"] == "1"
    assert limited[0].headers["content-type"].startswith("application/problem+json")
    assert limited[0].json()["status"] == 429


def test_an_oversized_body_gets_413(gateway: httpx.Client, tokens: dict[str, str]) -> None:
    body = new_worker(full_name="x" * (2 * 1024 * 1024))
    answer = gateway.post(
        "/api/clients", json=body, headers={"Authorization": f"Bearer {tokens['siti']}"}
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_every_answer_carries_a_fresh_request_id(gateway: httpx.Client) -> None:
    spoofed = {"x-request-id": "chosen-by-the-caller"}
    ids = {gateway.get("/api/clients", headers=spoofed).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3 and "chosen-by-the-caller" not in ids


def test_the_access_log_holds_no_path_and_no_query_string(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    """A path can carry an id, or by mistake a NIK; a query string a name. The log keeps the
    route's name instead."""
    marker, nik_like = "querymarker7731", "3273014506900007"
    answer = gateway.get(
        f"/api/clients/{nik_like}",
        params={"q": marker},
        headers={"Authorization": f"Bearer {tokens['siti']}"},
    )
    request_id = answer.headers["x-request-id"]
    log_file = stack.CACHE / "logs" / "gateway-access.log"
    line = stack.eventually(
        lambda: next((ln for ln in log_file.read_text().splitlines() if request_id in ln), None)
    )  # Envoy flushes its access log about once a second
    assert '"route":"api-clients"' in line.replace(" ", "")
    access_log = log_file.read_text()
    assert marker not in access_log and nik_like not in access_log


def test_answers_carry_security_headers_and_no_cors_grant(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    """Closed to other origins by default: no Access-Control-Allow-* on a preflight or a
    request, and the usual hardening headers on every answer, Envoy's own included."""
    auth = {"Authorization": f"Bearer {tokens['siti']}"}
    evil = {"Origin": "https://evil.example"}
    answers = [
        gateway.get("/api/clients", headers=auth | evil),
        gateway.get("/api/clients", headers=evil),  # 401 from the gateway itself
        gateway.options(
            "/api/clients",
            headers=evil | {"Access-Control-Request-Method": "POST"},
        ),
    ]
    assert [a.status_code for a in answers[:2]] == [200, 401]
    for answer in answers:
        assert not [h for h in answer.headers if h.lower().startswith("access-control-allow")]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"


@pytest.fixture(scope="module")
def per_client_limited_gateway() -> Iterator[str]:
    """A second Envoy whose outside clients each get a bucket of 3, refilled 1 per second."""
    env = {
        **os.environ,
        "GATEWAY_NAME": "gateway-client-limits-test",  # its own pid file and logs
        "GATEWAY_PORT": str(LIMITED_PORT + 1),
        "GATEWAY_ADMIN_PORT": str(LIMITED_ADMIN + 1),
        "GATEWAY_RL_CLIENT_BURST": "3",
        "GATEWAY_RL_CLIENT_PER_SECOND": "1",
    }
    script = str(stack.ROOT / "infra" / "gateway" / "run.sh")
    subprocess.run([script, "start"], check=True, env=env, timeout=60)
    try:
        yield f"http://127.0.0.1:{LIMITED_PORT + 1}"
    finally:
        subprocess.run([script, "stop"], check=True, env=env, timeout=60)


def test_each_outside_client_has_its_own_rate_limit(
    per_client_limited_gateway: str, tokens: dict[str, str]
) -> None:
    def call(who: str) -> httpx.Response:
        path = (
            "/api/ministry/indicators?period=2026-11"
            if who == "ministry"
            else ("/api/partner/referrals" if who == "bank-nusantara" else "/api/clients")
        )
        return http.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})

    with httpx.Client(base_url=per_client_limited_gateway) as http:
        # a caller naming itself the ministry (on a public path) spends nobody's bucket
        spoof = {"x-jwt-azp": "ministry-integration"}
        for _ in range(5):
            http.get("/api/training/certificates/AAAAA-BBBBB", headers=spoof)
        flood = [call("ministry").status_code for _ in range(8)]
        assert flood[:3] == [200, 200, 200] and 429 in flood
        limited = call("ministry")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
        # the partner's bucket and officers' traffic are untouched by the ministry's burst
        assert call("bank-nusantara").status_code == 200
        assert [call("siti").status_code for _ in range(8)] == [200] * 8
