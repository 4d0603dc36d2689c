"""Clients' phone numbers and email addresses at rest: encrypted, and the phone also as a keyed
index so an inbound "STOP" finds its client without any number stored in the clear."""

from __future__ import annotations

from dataclasses import dataclass

from shared.crypto import BlindIndex, FieldCipher, derive_key


@dataclass(frozen=True)
class ContactProtector:
    phone_cipher: FieldCipher
    email_cipher: FieldCipher
    phone_index: BlindIndex

    @classmethod
    def from_secrets(cls, encryption_secret: str, index_secret: str) -> ContactProtector:
        key = derive_key(encryption_secret, "contact-aes-gcm-v1")
        return cls(
            FieldCipher(key, associated_data=b"client_facts.phone"),
            FieldCipher(key, associated_data=b"client_facts.email"),
            BlindIndex(derive_key(index_secret, "phone-hmac-index-v1")),
        )

    def index(self, phone: str) -> bytes:
        return self.phone_index.digest(normalise_phone(phone))


def normalise_phone(phone: str) -> str:
    """E.164 digits with the plus: "+62 812-3456-7890" and "081234567890" → "+6281234567890"."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return f"+{digits}"
