"""How long a text message is: GSM 03.38 septets or UCS-2 code units, and in how many parts."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# The GSM 03.38 default alphabet in code order, 0x00 to 0x7F, without 0x1B (the escape).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Reached through the escape, so each of these takes two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_PART_UNITS: dict[Encoding, int] = {"GSM-7": 160, "UCS-2": 70}
# A concatenated message's parts give 6 octets to the header that joins them.
MULTI_PART_UNITS: dict[Encoding, int] = {"GSM-7": 153, "UCS-2": 67}

_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2022": "-",
        "\u2026": "...",
    }
)


@dataclass(frozen=True)
class SmsLength:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def sms_length(text: str) -> SmsLength:
    """The encoding a phone picks for `text`, its length in that encoding and its parts.

    Parts are counted as phones fill them: a character never straddles two parts, so an
    extension character (two septets) or a UCS-2 surrogate pair that would cross the 153rd
    septet or 67th code unit starts the next part. An empty text still goes as one part.
    """
    if all(is_gsm7(char) for char in text):
        encoding: Encoding = "GSM-7"
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
    else:
        encoding = "UCS-2"
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    units = sum(costs)
    if units <= SINGLE_PART_UNITS[encoding]:
        return SmsLength(encoding, units, 1)
    size = MULTI_PART_UNITS[encoding]
    segments, filled = 1, 0
    for cost in costs:
        if filled + cost > size:
            segments, filled = segments + 1, 0
        filled += cost
    return SmsLength(encoding, units, segments)


def fits(text: str, max_segments: int) -> bool:
    return sms_length(text).segments <= max_segments


def septets(text: str) -> int:
    """The septets `text` takes in GSM-7, counting a character outside the alphabet as one."""
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)


def to_gsm7(text: str) -> str:
    """`text` in the GSM-7 alphabet, so that one stray character cannot turn a message UCS-2.

    Typographic quotes, dashes and the ellipsis become their plain forms, accented letters
    outside the alphabet lose their accents (á becomes a, é stays), other spaces become a plain
    space, and whatever has no plain form (emoji, other scripts) is dropped.
    """
    kept: list[str] = []
    for char in text.translate(_LOOKALIKES):
        if is_gsm7(char):
            kept.append(char)
        elif char.isspace():
            kept.append(" ")
        else:
            plain = "".join(
                part
                for part in unicodedata.normalize("NFKD", char)
                if not unicodedata.combining(part)
            )
            if plain and all(is_gsm7(part) for part in plain):
                kept.append(plain)
    return "".join(kept)
