"""What a NIK says of its holder, read as the officer types it, to fill the form.

A hint only: the client service checks the NIK and answers what is wrong with it. Digits 7 to 12
are the birth date as DDMMYY, with 40 added to the day for women (reference/indonesia.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NikHint:
    birth_date: date
    sex: str  # "F" or "M"


def read(value: str, today: date | None = None) -> NikHint | None:
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 16:
        return None
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = "F" if day > 40 else "M"
    day -= 40 if sex == "F" else 0
    this_year = (today or date.today()).year % 100
    century = 2000 if year <= this_year else 1900
    try:
        return NikHint(date(century + year, month, day), sex)
    except ValueError:
        return None
