"""Field encryption (AES-256-GCM) and keyed lookup indexes (HMAC-SHA256) for personal values.

A `Keyring` names the key of each ciphertext it writes, so keys can be rotated online: the
newest key encrypts, every key of the ring still decrypts, and a rotation re-encrypts rows
under the newest one until no ciphertext names an old key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_FORMAT_V1 = b"\x01"  # 1 | nonce | ciphertext: no key id (written before keyrings)
_FORMAT_V2 = b"\x02"  # 2 | key id length | key id | nonce | ciphertext
_NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
LEGACY_KEY_ID = ""  # what `Keyring.key_id` says of a ciphertext written without one


def derive_key(secret: str, purpose: str) -> bytes:
    """32 key bytes for one purpose, so one secret never serves two uses."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret.encode()
    )


class FieldCipher:
    """Encrypts one field; the associated data binds a ciphertext to its column."""

    def __init__(self, key: bytes, associated_data: bytes) -> None:
        self._aead = AESGCM(key)
        self._aad = associated_data

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext.encode(), self._aad)

    def decrypt(self, blob: bytes) -> str:
        if blob[:1] != _FORMAT_V1:
            raise ValueError("unknown ciphertext format")
        nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        return self._aead.decrypt(nonce, body, self._aad).decode()


class BlindIndex:
    """A keyed digest for exact-match lookup without storing the value in the clear."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def digest(self, value: str) -> bytes:
        return hmac.new(self._key, value.encode(), hashlib.sha256).digest()


class UnknownKey(ValueError):
    """The ciphertext names a key the ring does not hold (retired too early, or not ours)."""


class Keyring:
    """Field keys by id: `current` encrypts, every key decrypts what names it.

    The key id is written in clear in the ciphertext and authenticated with it (it is part of
    the associated data), so a ciphertext cannot be made to claim another key.
    """

    def __init__(
        self,
        keys: Mapping[str, bytes],
        current: str,
        associated_data: bytes,
        legacy: bytes | None = None,
    ) -> None:
        if current not in keys:
            raise ValueError("the current key must be one of the ring's keys")
        for key_id in keys:
            if not _KEY_ID.match(key_id):
                raise ValueError("a key id is 1-32 letters, digits, '.', '_' or '-'")
        self.current = current
        self._aad = associated_data
        self._aeads = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._legacy = FieldCipher(legacy, associated_data) if legacy is not None else None

    @classmethod
    def from_secrets(
        cls,
        spec: str,
        purpose: str,
        associated_data: bytes,
        legacy_secret: str | None = None,
    ) -> Keyring:
        """A ring from `id=secret,id=secret` (the first is current), each secret through HKDF
        for `purpose`; `legacy_secret` decrypts ciphertexts written before key ids."""
        pairs = [part.strip() for part in spec.split(",") if part.strip()]
        keys: dict[str, bytes] = {}
        for pair in pairs:
            key_id, sep, secret = pair.partition("=")
            if not sep or not secret:
                raise ValueError("each key is written id=secret")
            keys[key_id.strip()] = derive_key(secret, purpose)
        if not keys:
            raise ValueError("a keyring needs at least one key")
        legacy = derive_key(legacy_secret, purpose) if legacy_secret else None
        return cls(keys, current=next(iter(keys)), associated_data=associated_data, legacy=legacy)

    def _aad_for(self, key_id: str) -> bytes:
        return self._aad + b"|" + key_id.encode()

    def encrypt(self, plaintext: str) -> bytes:
        key_id = self.current.encode()
        nonce = os.urandom(_NONCE_BYTES)
        body = self._aeads[self.current].encrypt(
            nonce, plaintext.encode(), self._aad_for(self.current)
        )
        return _FORMAT_V2 + bytes([len(key_id)]) + key_id + nonce + body

    def decrypt(self, blob: bytes) -> str:
        key_id = self.key_id(blob)
        if key_id == LEGACY_KEY_ID:
            if self._legacy is None:
                raise UnknownKey("a ciphertext without key id, and no legacy key")
            return self._legacy.decrypt(blob)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnknownKey(f"no key {key_id!r} in the ring")
        start = 2 + len(key_id)
        nonce, body = blob[start : start + _NONCE_BYTES], blob[start + _NONCE_BYTES :]
        return aead.decrypt(nonce, body, self._aad_for(key_id)).decode()

    @staticmethod
    def key_id(blob: bytes) -> str:
        """The id of the key that encrypted `blob` (`LEGACY_KEY_ID` for the format without)."""
        if blob[:1] == _FORMAT_V1:
            return LEGACY_KEY_ID
        if blob[:1] != _FORMAT_V2 or len(blob) < 2:
            raise ValueError("unknown ciphertext format")
        return blob[2 : 2 + blob[1]].decode()

    def is_current(self, blob: bytes) -> bool:
        return self.key_id(blob) == self.current
