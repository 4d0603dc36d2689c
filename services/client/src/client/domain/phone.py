"""Indonesian phone numbers: stored as E.164; only mobile numbers can receive SMS or WhatsApp."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType


@dataclass(frozen=True)
class Phone:
    e164: str
    mobile: bool


class InvalidPhone(ValueError):
    pass


def parse_phone(raw: str) -> Phone:
    """Accepts 08…, 628…, +62 8…, with spaces or dashes; refuses what is not a real number."""
    text = raw.strip()
    if text.startswith("62"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("is not a phone number") from exc
    if number.country_code != 62:
        # Messages go through Indonesian operators only, and a number abroad is no office's.
        raise InvalidPhone("is not an Indonesian number (+62)")
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("is not a valid Indonesian phone number")
    kind = phonenumbers.number_type(number)
    mobile = kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return Phone(phonenumbers.format_number(number, PhoneNumberFormat.E164), mobile)
