"""The NIK at rest: encrypted under the ring's newest key, found through its keyed index.

`ClientRepository` (in `clients`) is the only code that encrypts, indexes or decrypts one
(key rotation, `entrypoints/rotate_keys.py`, rewrites the stored ciphertexts under the newest key).
"""

from __future__ import annotations

from shared.crypto import BlindIndex, Keyring


class NikProtector:
    """Encrypts NIKs for storage (under the newest key of the ring) and derives their lookup
    index; decrypts one only when it is to be shown (a reveal, a partner's profile)."""

    def __init__(self, cipher: Keyring, index: BlindIndex) -> None:
        self.cipher = cipher
        self.index = index


class DuplicateNik(Exception):
    """The NIK is already registered, to a client the caller may or may not see (row-level
    security hides other regions' clients, but not the unique index)."""
