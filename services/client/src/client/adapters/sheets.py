"""The columns of a workshop's registration sheet, in the words officers actually type."""

from __future__ import annotations

from collections.abc import Iterator

from shared.sheets import UnreadableSheet
from shared.sheets import read_rows as _read_rows

__all__ = ["UnreadableSheet", "read_rows"]

# Column headers officers and volunteers actually type, in Indonesian or English.
HEADER_ALIASES = {
    "nik": "nik",
    "full_name": "full_name",
    "nama": "full_name",
    "nama_lengkap": "full_name",
    "birth_date": "birth_date",
    "tanggal_lahir": "birth_date",
    "tgl_lahir": "birth_date",
    "sex": "sex",
    "jenis_kelamin": "sex",
    "jk": "sex",
    "phone": "phone",
    "no_hp": "phone",
    "nomor_hp": "phone",
    "hp": "phone",
    "telepon": "phone",
    "region_code": "region_code",
    "kode_wilayah": "region_code",
    "email": "email",
    "kind": "kind",
    "jenis": "kind",
    "preferred_language": "preferred_language",
    "bahasa": "preferred_language",
    "disability": "disability",
    "disabilitas": "disability",
}


def read_rows(filename: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(sheet row number, fields) of a registration sheet; it must have a NIK column."""
    return _read_rows(filename, content, HEADER_ALIASES, required="nik", required_label="NIK")
