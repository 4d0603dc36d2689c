"""The SNAP-style webhook signature (shared.snap): the string to sign, minify, and a signature
that holds for exactly what was signed."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared import snap

NOW = datetime(2026, 12, 7, 3, 55, tzinfo=UTC)
PATH = "/hooks/jembatan"
BODY = json.dumps(
    {"id": "6c5b4a39", "data": {"reason": "expired", "note": "a b\tc", "n": 1.50, "x": None}},
    separators=(",", ":"),
).encode()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_minify_drops_whitespace_between_tokens_only() -> None:
    pretty = '{\n  "name" : "Setya  Wardana",\r\n\t"list": [ 1, 2 ],\n "q": "say \\" hi " }'
    assert snap.minify(pretty) == '{"name":"Setya  Wardana","list":[1,2],"q":"say \\" hi "}'


def test_minify_keeps_order_numbers_escapes_and_nulls() -> None:
    text = '{"b": 1.50, "a": null, "c": "\\u00e9\\\\", "d": 1e5}'
    assert snap.minify(text) == '{"b":1.50,"a":null,"c":"\\u00e9\\\\","d":1e5}'


def test_string_to_sign_is_method_path_digest_time() -> None:
    at = snap.timestamp(NOW)
    digest = hashlib.sha256(BODY).hexdigest()
    assert snap.string_to_sign("post", PATH, BODY, at) == f"POST:{PATH}:{digest}:{at}"
    assert digest == digest.lower() and len(digest) == 64


def test_the_digest_is_of_the_minified_body() -> None:
    pretty = json.dumps(json.loads(BODY), indent=2).encode()
    assert snap.body_digest(pretty) == snap.body_digest(BODY)


def test_timestamp_is_iso_8601_with_the_wib_offset() -> None:
    assert snap.timestamp(NOW) == "2026-12-07T10:55:00+07:00"


def test_a_signature_verifies_with_the_public_key(key: rsa.RSAPrivateKey) -> None:
    at = snap.timestamp(NOW)
    signature = snap.sign(key, "POST", PATH, BODY, at)
    signed = snap.verify(signature, at, "POST", PATH, BODY, [key.public_key()], NOW)
    assert signed.signed_at == NOW


def test_a_reindented_body_still_verifies(key: rsa.RSAPrivateKey) -> None:
    at = snap.timestamp(NOW)
    signature = snap.sign(key, "POST", PATH, BODY, at)
    pretty = json.dumps(json.loads(BODY), indent=4).encode()
    snap.verify(signature, at, "POST", PATH, pretty, [key.public_key()], NOW)


@pytest.mark.parametrize(
    ("method", "path", "body", "shift"),
    [
        ("POST", PATH, BODY.replace(b"expired", b"officer_withdrew"), 0),
        ("POST", PATH, BODY.replace(b"a b", b"ab"), 0),  # a space inside a string counts
        ("POST", "/hooks/other", BODY, 0),
        ("PUT", PATH, BODY, 0),
        ("POST", PATH, BODY, 1),  # another time in the header than the one signed
    ],
)
def test_any_change_is_refused(
    key: rsa.RSAPrivateKey, method: str, path: str, body: bytes, shift: int
) -> None:
    at = snap.timestamp(NOW)
    signature = snap.sign(key, "POST", PATH, BODY, at)
    claimed = snap.timestamp(NOW + timedelta(seconds=shift))
    with pytest.raises(snap.Refused) as refused:
        snap.verify(signature, claimed, method, path, body, [key.public_key()], NOW)
    assert refused.value.reason == "wrong_signature"


def test_another_key_is_refused_and_a_rotation_accepts_either(
    key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    at = snap.timestamp(NOW)
    signature = snap.sign(other_key, "POST", PATH, BODY, at)
    with pytest.raises(snap.Refused):
        snap.verify(signature, at, "POST", PATH, BODY, [key.public_key()], NOW)
    keys = [key.public_key(), other_key.public_key()]
    snap.verify(signature, at, "POST", PATH, BODY, keys, NOW)


@pytest.mark.parametrize(
    ("signature", "at", "reason"),
    [
        (None, "2026-12-07T10:55:00+07:00", "missing"),
        ("c2ln", None, "missing"),
        ("not base64!", "2026-12-07T10:55:00+07:00", "malformed"),
        ("c2ln", "yesterday", "malformed"),
        ("c2ln", "2026-12-07T10:55:00", "malformed"),  # no offset
        ("c2ln", "2026-12-07T10:49:59+07:00", "stale"),
        ("c2ln", "2026-12-07T11:00:01+07:00", "stale"),
    ],
)
def test_missing_malformed_and_stale_are_refused_before_any_check(
    key: rsa.RSAPrivateKey, signature: str | None, at: str | None, reason: str
) -> None:
    with pytest.raises(snap.Refused) as refused:
        snap.verify(signature, at, "POST", PATH, BODY, [key.public_key()], NOW)
    assert refused.value.reason == reason


def test_a_body_that_is_not_utf8_is_malformed(key: rsa.RSAPrivateKey) -> None:
    at = snap.timestamp(NOW)
    with pytest.raises(snap.Refused) as refused:
        snap.verify("c2ln", at, "POST", PATH, b"\xff\xfe", [key.public_key()], NOW)
    assert refused.value.reason == "malformed"


def test_the_dev_key_is_made_once_private_and_published_beside(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "dev-only-webhook-signing-key.pem"
    first = snap.dev_key(path)
    again = snap.dev_key(path)
    assert snap.key_id(first) == snap.key_id(again)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    public = snap.load_public_key(path.with_name(path.name + ".pub"))
    assert snap.key_id(public) == snap.key_id(first)
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".key-")] == []


def test_a_small_key_is_refused(tmp_path: Path) -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    path = tmp_path / "small.pem"
    path.write_bytes(
        small.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="2048"):
        snap.load_private_key(path)
