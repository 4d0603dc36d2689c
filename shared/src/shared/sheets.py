"""Reading an uploaded sheet (CSV or XLSX) into rows of text keyed by a service's field names.

Each service names its own columns (with the headers officers actually type); this module only
knows how to read the file, row by row, without loading a workbook's formulas or styles, and
refuses a file that would take far more memory or time than any real sheet does. The limits
are measured against the 10,000-row workshop sheet of `tests/volume` (439 KB; its worksheet
unpacks to 3.4 MB at 7.8 : 1, the whole workbook to 3.4 MB in 9 parts): twice as many rows still
fit them twice over. `docs/imports.md` explains them.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

MB = 1024 * 1024
MAX_FILE_BYTES = 16 * MB  # the services take 5 MB (clients) and 2 MB (attendance) already
MAX_ROWS = 20_000  # data rows below the header
MAX_SHEET_ROW = 1_048_576  # a spreadsheet's last row: blank rows up to it are skipped, not past it
MAX_REPORTED_REJECTIONS = 1_000  # rejected rows a report keeps with their reasons; all are counted

# An XLSX workbook is a zip of XML parts, checked before openpyxl opens it.
MAX_PARTS = 500
MAX_PART_BYTES = 16 * MB  # unpacked, per part: a 20,000-row sheet of 10 columns takes 11 MB
MAX_WORKBOOK_BYTES = 48 * MB  # unpacked, all parts
# Real worksheets pack at 5-20 : 1. Apache POI refuses past 100 : 1 and its users meet real
# files just past that (blank styled columns, drawings), so twice that, and small parts are free.
# Deflate cannot pack beyond about 1,030 : 1, which is where bombs sit.
MAX_RATIO = 200
RATIO_FREE_BYTES = 1 * MB
_STEP = 64 * 1024  # unpacked bytes per step when a part's real size is measured
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra field length
_CENTRAL_ENTRY = b"PK\x01\x02"


class UnreadableSheet(ValueError):
    pass


def _key(header: Any, aliases: Mapping[str, str]) -> str | None:
    name = "_".join(str(header or "").strip().lower().replace("-", " ").split())
    return aliases.get(name)


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


def parse_day(text: str) -> date:
    """A day as sheets write it: 2026-12-07, 07/12/2026 or 07-12-2026; ValueError otherwise."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError("not a day")


def check_name(filename: str) -> None:
    """Refuse, before reading a byte of it, a file no spreadsheet program saved as a sheet."""
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise UnreadableSheet("only .csv and .xlsx files can be imported")


def read_rows(
    filename: str,
    content: bytes,
    aliases: Mapping[str, str],
    required: str,
    required_label: str | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(sheet row number, fields) for each non-empty data row; row 1 is the header.

    `aliases` maps a normalised header (lower case, words joined by `_`) to a field name;
    a header row without the `required` field is refused, and so is a sheet of more than
    `MAX_ROWS` data rows, when the reader reaches the row after the last allowed one.
    """
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableSheet(f"the file is larger than {MAX_FILE_BYTES // MB} MB")
    check_name(filename)
    rows = _xlsx(content) if filename.lower().endswith(".xlsx") else _csv(content)
    try:
        header = next(rows)
    except StopIteration:
        raise UnreadableSheet("the sheet is empty") from None
    keys = [_key(h, aliases) for h in header]
    if required not in keys:
        raise UnreadableSheet(f"the header row has no {required_label or required} column")
    # Only the known columns are read: a workbook may declare thousands of empty ones.
    columns = [(index, key) for index, key in enumerate(keys) if key]
    data_rows = 0
    for number, values in enumerate(rows, start=2):
        if number > MAX_SHEET_ROW:
            raise UnreadableSheet(
                f"the sheet has rows past row {MAX_SHEET_ROW:,}, a spreadsheet's last"
            )
        fields = {key: _text(values[index]) for index, key in columns if index < len(values)}
        if any(fields.values()):
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise UnreadableSheet(
                    f"the sheet has more than {MAX_ROWS:,} rows; split it into smaller sheets"
                )
            yield number, fields


def _xlsx(content: bytes) -> Iterator[Sequence[Any]]:
    _check_workbook(content)
    try:
        # Without external links: openpyxl would read each linked part whole, and values are
        # what the sheet shows anyway.
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:
        raise UnreadableSheet("the file is not a readable XLSX workbook") from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    except Exception as exc:  # malformed XML inside parts that unpacked well
        raise UnreadableSheet("the XLSX file is damaged: its sheet cannot be read") from exc
    finally:
        workbook.close()


def _check_workbook(content: bytes) -> None:
    """Refuse a workbook that unpacks to more than a sheet can hold, before anything unpacks it.

    The sizes in the zip's directory are only claims. Measured on Python 3.11 with a part that
    claims 1,000 bytes and truly unpacks to 200 MB, zipfile returns exactly the claimed 1,000
    bytes (raising BadZipFile only when their CRC-32 differs from the claimed one), but
    `ZipFile.read` first inflates everything in one call, up to 1 GiB, before cutting it to size
    (peak memory +400 MB). Reading 64 KB at a time stays bounded for deflate, but not for bzip2:
    zipfile inflates a bzip2 part (and, by its code, an LZMA one) whole at every read (+400 MB
    from a 177-byte part). So only deflated and stored parts are accepted, and each is inflated
    here, in bounded steps, and refused as soon as it passes the size it claims.
    """
    # Each entry of the zip's directory starts with this signature, so counting it bounds the
    # parts before zipfile builds an object for every one of them.
    if content.count(_CENTRAL_ENTRY) > MAX_PARTS:
        raise UnreadableSheet(f"the XLSX file has more than {MAX_PARTS} parts")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except Exception as exc:  # not a zip, or a directory too broken to list
        raise UnreadableSheet("the file is not a readable XLSX workbook") from exc
    with archive:
        parts = archive.infolist()
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableSheet(
                "the XLSX file is packed in a way spreadsheet programs do not use; "
                "save it again from the spreadsheet program"
            )
        if part.flag_bits & 0x1:
            raise UnreadableSheet("the XLSX file is protected with a password")
        if part.file_size > MAX_PART_BYTES:
            raise UnreadableSheet(
                f"the XLSX file unpacks to more than {MAX_PART_BYTES // MB} MB in one part; "
                "split it into smaller sheets"
            )
        if part.file_size > RATIO_FREE_BYTES and part.file_size > MAX_RATIO * part.compress_size:
            raise UnreadableSheet(
                f"the XLSX file unpacks to more than {MAX_RATIO} times its size, "
                "which no real sheet does"
            )
    if sum(part.file_size for part in parts) > MAX_WORKBOOK_BYTES:
        raise UnreadableSheet(
            f"the XLSX file unpacks to more than {MAX_WORKBOOK_BYTES // MB} MB; "
            "split it into smaller sheets"
        )
    for part in parts:
        _check_part(content, part)


def _check_part(content: bytes, part: zipfile.ZipInfo) -> None:
    """Unpack one part in bounded steps: it must end exactly at its declared size and CRC."""
    header = content[part.header_offset : part.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or not header.startswith(b"PK\x03\x04"):
        raise UnreadableSheet("the file is not a readable XLSX workbook")
    _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    start = part.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    packed = memoryview(content)[start : start + part.compress_size]
    if part.compress_type == zipfile.ZIP_STORED:
        size, crc, complete = len(packed), zlib.crc32(packed), True
    else:
        size, crc, complete = _inflate(packed, part.file_size)
    if size != part.file_size or not complete:
        raise UnreadableSheet(
            "the XLSX file is damaged: a part unpacks to another size than it says"
        )
    if crc != part.CRC:
        raise UnreadableSheet("the XLSX file is damaged: a part fails its checksum")


def _inflate(packed: memoryview, limit: int) -> tuple[int, int, bool]:
    """(bytes unpacked, their CRC-32, whether the stream ended), stopping just past `limit`."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = crc = 0
    try:
        # Fed 16 KB at a time: what zlib leaves unconsumed is copied at each step.
        for offset in range(0, len(packed), 16 * 1024):
            pending: bytes | memoryview = packed[offset : offset + 16 * 1024]
            while not inflater.eof:
                chunk = inflater.decompress(pending, _STEP)
                size += len(chunk)
                if size > limit:
                    return size, crc, inflater.eof
                crc = zlib.crc32(chunk, crc)
                pending = inflater.unconsumed_tail
                if not pending and len(chunk) < _STEP:
                    break
    except zlib.error as exc:
        raise UnreadableSheet("the XLSX file is damaged: a part cannot be unpacked") from exc
    return size, crc, inflater.eof


def _csv(content: bytes) -> Iterator[Sequence[Any]]:
    # Decoded as it is read, so a large file is never held twice (as bytes and as text).
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    try:
        try:
            dialect: type[csv.Dialect] = csv.Sniffer().sniff(text.read(4096), delimiters=",;\t")
        except csv.Error:  # one column, or nothing to tell the delimiter by
            dialect = csv.excel
        text.seek(0)
        reader = csv.reader(text, dialect)
        try:
            yield from reader
        except csv.Error as exc:  # a cell over csv's 128 KB field limit, say
            raise UnreadableSheet(f"the CSV file cannot be read at line {reader.line_num}") from exc
    except UnicodeDecodeError as exc:
        raise UnreadableSheet("the CSV file is not UTF-8 text") from exc
