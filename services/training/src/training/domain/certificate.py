"""Certificates: a public verification code, and the initials it may show (nothing more)."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def verification_code(length: int = 10) -> str:
    """A random code, about 49 bits at 10 characters: not guessable, easy to type."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
    return f"{raw[:5]}-{raw[5:]}"


def initials(full_name: str) -> str:
    """ "Ratna Sari Dewi" → "R. S. D." — what a public verification may reveal of a name."""
    return " ".join(f"{part[0].upper()}." for part in full_name.split() if part[:1].isalpha())
