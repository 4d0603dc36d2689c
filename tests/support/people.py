"""Test people: unique, valid NIKs whose birth date and sex agree, and canary values."""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any

_serials = itertools.count(random.SystemRandom().randrange(1, 9000) * 1000)


def nik_for(birth: date, sex: str, district: str = "327301") -> str:
    day = birth.day + (40 if sex == "F" else 0)
    serial = next(_serials) % 9999 + 1
    return f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def new_worker(region_code: str = "3273", **overrides: Any) -> dict[str, Any]:
    rng = random.SystemRandom()
    birth = date(rng.randrange(1960, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
    sex = rng.choice("FM")
    body: dict[str, Any] = {
        "kind": "worker",
        "nik": nik_for(birth, sex, district=region_code + "01"),
        "full_name": "Uji Coba",
        "birth_date": birth.isoformat(),
        "sex": sex,
        "phone": f"+62812{rng.randrange(10_000_000, 99_999_999)}",
        "region_code": region_code,
    }
    body.update(overrides)
    return body
