"""Reading an uploaded sheet (CSV or XLSX) into rows of text keyed by our field names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

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


class UnreadableSheet(ValueError):
    pass


def _key(header: Any) -> str | None:
    name = "_".join(str(header or "").strip().lower().replace("-", " ").split())
    return HEADER_ALIASES.get(name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(filename: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(sheet row number, fields) for each non-empty data row; row 1 is the header."""
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx(content)
    elif filename.lower().endswith(".csv"):
        rows = _csv(content)
    else:
        raise UnreadableSheet("only .csv and .xlsx files can be imported")
    try:
        header = next(rows)
    except StopIteration:
        raise UnreadableSheet("the sheet is empty") from None
    keys = [_key(h) for h in header]
    if "nik" not in keys:
        raise UnreadableSheet("the header row has no NIK column")
    for number, values in enumerate(rows, start=2):
        fields = {k: _text(v) for k, v in zip(keys, values, strict=False) if k}
        if any(fields.values()):
            yield number, fields


def _xlsx(content: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableSheet("the file is not a readable XLSX workbook") from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv(content: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableSheet("the CSV file is not UTF-8 text") from exc
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    for row in csv.reader(io.StringIO(text), dialect):
        yield tuple(row)
