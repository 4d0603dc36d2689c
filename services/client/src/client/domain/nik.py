"""The NIK (Nomor Induk Kependudukan): structure only, no check digit exists.

Digits 1-6 are the province, regency and district where it was first issued, 7-8 the day of
birth (plus 40 for women), 9-10 the month, 11-12 the year's last two digits, 13-16 a serial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class InvalidNik(ValueError):
    """Messages are written for officers and never contain the NIK itself."""


@dataclass(frozen=True)
class Nik:
    value: str

    @classmethod
    def parse(cls, raw: str) -> Nik:
        digits = raw.replace(" ", "").replace(".", "")
        if len(digits) != 16 or not digits.isdigit():
            raise InvalidNik("must be exactly 16 digits")
        if digits[12:] == "0000":
            raise InvalidNik("has an invalid serial number (0000)")
        if digits[2:4] == "00" or digits[4:6] == "00":
            raise InvalidNik("has an invalid regency or district code (00)")
        nik = cls(digits)
        day = int(digits[6:8])
        if day > 40:
            day -= 40
        month = int(digits[8:10])
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            raise InvalidNik("does not encode a valid date of birth")
        return nik

    @property
    def sex(self) -> str:
        return "F" if int(self.value[6:8]) > 40 else "M"

    def birth_date(self, today: date) -> date:
        """The encoded birth date; two-digit years pivot on `today` (no one is born tomorrow)."""
        day = int(self.value[6:8]) % 40 or 40
        month = int(self.value[8:10])
        yy = int(self.value[10:12])
        century = 2000 if 2000 + yy <= today.year else 1900
        try:
            return date(century + yy, month, day)
        except ValueError as exc:
            raise InvalidNik("does not encode a valid date of birth") from exc

    @property
    def region_code(self) -> str:
        """The regency/city where the NIK was first issued (not the domicile)."""
        return self.value[:4]

    @property
    def district_code(self) -> str:
        return self.value[:6]

    @property
    def masked(self) -> str:
        return f"{self.value[:4]}{'*' * 10}{self.value[-2:]}"
