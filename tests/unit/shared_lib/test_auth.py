"""Token verification against a JWKS served over real HTTP by this test."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import column
from sqlalchemy.dialects import postgresql

from shared.auth import InvalidToken, Principal, RegionScope, TokenVerifier

ISSUER = "http://localhost:8180/realms/jembatan"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "alg": "RS256", "use": "sig"}


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    body = json.dumps({"keys": [_jwk(KEY, "k1")]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/certs"
    server.shutdown()


@pytest.fixture
def verifier(jwks_url: str) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience="jembatan-api", jwks_url=jwks_url)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": ["jembatan-api", "account"],
        "sub": "user-1",
        "azp": "jembatan-cli",
        "typ": "Bearer",
        "iat": now,
        "exp": now + 300,
        "preferred_username": "siti",
        "realm_access": {"roles": ["officer"]},
        "region": "3273",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], key: rsa.RSAPrivateKey = KEY, kid: str = "k1") -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_a_valid_token_becomes_a_principal(verifier: TokenVerifier) -> None:
    principal = verifier.verify(_sign(_claims()))
    assert principal == Principal(
        subject="user-1",
        username="siti",
        client_id="jembatan-cli",
        roles=frozenset({"officer"}),
        region="3273",
        partner_code=None,
    )


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(_claims(exp=int(time.time()) - 60), id="expired"),
        pytest.param(_claims(iss="http://evil.example/realms/jembatan"), id="other-issuer"),
        pytest.param(_claims(aud="account"), id="without-our-audience"),
        pytest.param(_claims(exp=None), id="no-exp"),
        pytest.param(_claims(sub=None), id="no-sub"),
        pytest.param(_claims(typ="Refresh"), id="refresh-token"),
        pytest.param(_claims(nbf=int(time.time()) + 600), id="not-yet-valid"),
    ],
)
def test_tokens_that_break_a_rule_are_refused(
    verifier: TokenVerifier, claims: dict[str, Any]
) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(_sign(claims))


def test_a_token_signed_by_another_key_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(_sign(_claims(), key=OTHER_KEY))
    with pytest.raises(InvalidToken):
        verifier.verify(_sign(_claims(), key=OTHER_KEY, kid="k2"))


def test_an_unsigned_token_is_refused(verifier: TokenVerifier) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT","kid":"k1"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=")
    with pytest.raises(InvalidToken):
        verifier.verify(f"{header.decode()}.{body.decode()}.")


def test_tampered_claims_break_the_signature(verifier: TokenVerifier) -> None:
    header, _, signature = _sign(_claims()).split(".")
    forged = base64.urlsafe_b64encode(json.dumps(_claims(region="32")).encode()).rstrip(b"=")
    with pytest.raises(InvalidToken):
        verifier.verify(f"{header}.{forged.decode()}.{signature}")


def test_a_malformed_region_claim_grants_nothing(verifier: TokenVerifier) -> None:
    principal = verifier.verify(_sign(_claims(region="%")))
    assert principal.region is None
    assert not principal.scope.allows("3273")


def test_the_region_rule_is_a_prefix_match() -> None:
    assert RegionScope("3273").allows("3273")
    assert RegionScope("32").allows("3273")
    assert not RegionScope("3273").allows("3578")
    assert not RegionScope("3273").allows("32")
    assert not RegionScope(None).allows("3273")


def test_the_region_filter_compiles_to_a_prefix_predicate() -> None:
    sql = str(
        RegionScope("32")
        .filter(column("region_code"))
        .compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    assert "LIKE '32' || '%%'" in sql or "LIKE '32%%'" in sql
    nothing = RegionScope(None).filter(column("region_code"))
    assert str(nothing.compile(dialect=postgresql.dialect())) == "false"


def test_a_key_the_realm_removed_stops_opening_the_api_once_the_set_is_stale() -> None:
    published = {"keys": [_jwk(KEY, "k1")]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(published).encode())

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        verifier = TokenVerifier(
            issuer=ISSUER,
            audience="jembatan-api",
            jwks_url=f"http://127.0.0.1:{server.server_port}/certs",
        )
        token = _sign(_claims())
        assert verifier.verify(token).username == "siti"
        published["keys"] = [_jwk(OTHER_KEY, "k2")]  # the realm rotated k1 out
        assert verifier.verify(token).username == "siti"  # still within the set's lifespan
        verifier.JWKS_LIFESPAN_S = verifier.MIN_REFRESH_INTERVAL_S = 0.0
        assert verifier.needs_fetch(token)
        with pytest.raises(InvalidToken):
            verifier.verify(token)
        assert verifier.verify(_sign(_claims(), OTHER_KEY, "k2")).username == "siti"
    finally:
        server.shutdown()
