"""Client sheets as a workshop sends them: Indonesian headers, some rows wrong on purpose."""

from __future__ import annotations

import random
from datetime import date

from support.people import nik_for

HEADER = "NIK,Nama,Tanggal Lahir,JK,No HP,Kode Wilayah"
# What a wrong row gets wrong, in turn: its column, the value, and the field the report names.
MISTAKES = (
    (2, "31/02/1990", "birth_date"),
    (3, "X", "sex"),
    (4, "+15551234567", "phone"),
)


def client_sheet(rows: int, bad: int, region_code: str = "3273") -> tuple[bytes, dict[int, str]]:
    """A CSV of `rows` workers of Kota Bandung, `bad` of them wrong, spread over the sheet;
    with the sheet row number (the header is row 1) of each wrong one and its field."""
    rng = random.SystemRandom()
    wrong_at = set(rng.sample(range(rows), bad))
    lines, wrong, niks = [HEADER], {}, set()
    for i in range(rows):
        nik = ""
        while not nik or nik in niks:
            born = date(rng.randrange(1960, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
            sex = rng.choice("FM")
            nik = nik_for(born, sex, district=f"{region_code}{rng.randrange(1, 31):02d}")
        niks.add(nik)
        cells = [
            nik,
            f"Peserta Lokakarya {i}",
            born.strftime("%d/%m/%Y"),
            "P" if sex == "F" else "L",
            f"0812{rng.randrange(10_000_000, 99_999_999)}",
            region_code,
        ]
        if i in wrong_at:
            column, value, field = MISTAKES[len(wrong) % len(MISTAKES)]
            cells[column] = value
            wrong[i + 2] = field
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode(), wrong
