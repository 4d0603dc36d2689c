"""Field encryption (AES-256-GCM) and keyed lookup indexes (HMAC-SHA256) for personal values."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_FORMAT_V1 = b"\x01"
_NONCE_BYTES = 12


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
