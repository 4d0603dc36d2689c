"""Signatures in the manner of Bank Indonesia's SNAP (Standar Nasional Open API Pembayaran),
for the webhooks Jembatan sends to partners (docs/partners.md, decision 0021).

SNAP signs a notification that a provider sends to its user asymmetrically: the sender signs
with its RSA private key (SHA256withRSA, i.e. RSASSA-PKCS1-v1_5 over SHA-256, Base64), and
every receiver checks with the sender's published public key, so no secret is shared per
partner. What is signed is one line of four fields joined by colons:

    <HTTP method>:<endpoint path>:<lowercase hex SHA-256 of the minified body>:<X-TIMESTAMP>

The body is minified before hashing: whitespace between JSON tokens goes, and nothing else
changes (key order, numbers, escapes, nulls and the spaces inside strings stay), so a body
that arrives re-indented still verifies, while any change of a value does not.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# SNAP's examples write the time in Western Indonesia Time: 2026-12-07T10:55:00+07:00.
WIB = timezone(timedelta(hours=7))
# How far a signed time may lie from the receiver's clock. SNAP does not say (decision 0021).
WINDOW = timedelta(minutes=5)
KEY_BITS = 2048
_JSON_WHITESPACE = frozenset(" \t\n\r")
MAX_SIGNATURE_CHARS = 1024  # a 4096-bit key's signature is 684 Base64 characters

Reason = Literal["missing", "malformed", "stale", "wrong_signature"]


class Refused(Exception):
    """Not signed by Jembatan; the reason is for the log, never for the answer."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


def minify(text: str) -> str:
    """The JSON text without whitespace between tokens; strings are copied as they are."""
    out: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif char not in _JSON_WHITESPACE:
            out.append(char)
    return "".join(out)


def body_digest(body: bytes) -> str:
    """Lowercase(HexEncode(SHA-256(minify(body)))) of a UTF-8 JSON body."""
    return hashlib.sha256(minify(body.decode("utf-8")).encode("utf-8")).hexdigest()


def string_to_sign(method: str, endpoint_path: str, body: bytes, timestamp: str) -> str:
    """What the notification signature covers; `endpoint_path` is the callback URL's path
    (no scheme, host or query: callback URLs carry no query, so readings of SNAP agree)."""
    return f"{method.upper()}:{endpoint_path}:{body_digest(body)}:{timestamp}"


def timestamp(at: datetime) -> str:
    """X-TIMESTAMP: ISO 8601 to the second with the WIB offset, e.g. 2026-12-07T10:55:00+07:00."""
    return at.astimezone(WIB).isoformat(timespec="seconds")


def sign(key: rsa.RSAPrivateKey, method: str, endpoint_path: str, body: bytes, at: str) -> str:
    """X-SIGNATURE: Base64 of SHA256withRSA over the string to sign."""
    message = string_to_sign(method, endpoint_path, body, at).encode("utf-8")
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


@dataclass(frozen=True)
class Signed:
    signed_at: datetime


def verify(
    signature: str | None,
    signed_at: str | None,
    method: str,
    endpoint_path: str,
    body: bytes,
    keys: Sequence[rsa.RSAPublicKey],
    now: datetime,
) -> Signed:
    """The delivery's signing time, if one of `keys` signed these exact method, path, body and
    time within `WINDOW` of `now`; otherwise `Refused`. Several keys serve a rotation."""
    if not signature or not signed_at:
        raise Refused("missing")
    if len(signature) > MAX_SIGNATURE_CHARS or not signed_at.isascii():
        raise Refused("malformed")
    try:
        when = datetime.fromisoformat(signed_at)
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        raise Refused("malformed") from None
    if when.tzinfo is None:
        raise Refused("malformed")  # a time without its offset means nothing
    if abs(now - when) > WINDOW:
        raise Refused("stale")
    try:
        message = string_to_sign(method, endpoint_path, body, signed_at).encode("utf-8")
    except UnicodeDecodeError:
        raise Refused("malformed") from None
    for key in keys:
        try:
            key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            continue
        return Signed(when)
    raise Refused("wrong_signature")


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """The public key as a PEM SubjectPublicKeyInfo, as partners load it."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """A short name of the public key (its DER's SHA-256, 16 hex digits), to tell keys apart
    during a rotation."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_BITS:
        raise ValueError(f"{path} is not an RSA private key of {KEY_BITS} bits or more")
    return key


def load_public_key(path: Path) -> rsa.RSAPublicKey:
    return public_key_of(path.read_bytes())


def public_key_of(pem: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def dev_key(path: Path) -> rsa.RSAPrivateKey:
    """The development signing key at `path`, made at first use (never committed: it lives
    under .cache). Two processes starting at once agree: the file appears whole or not at
    all, and the one that loses the race reads the winner's. Its public half is written
    beside it (`<name>.pub`) for the stand-in partner."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        try:
            with os.fdopen(handle, "wb") as file:  # mkstemp made it 0600
                file.write(pem)
            os.link(draft, path)  # fails if another process got there first
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    key = load_private_key(path)
    public = path.with_name(path.name + ".pub")
    if not public.exists() or public.read_text() != public_pem(key):
        public.write_text(public_pem(key))
    return key
