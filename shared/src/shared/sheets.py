"""Reading an uploaded sheet (CSV or XLSX) into rows of text keyed by a service's field names.

Each service names its own columns (with the headers officers actually type); this module only
knows how to read the file, row by row, without loading a workbook's formulas or styles.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook


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


def read_rows(
    filename: str,
    content: bytes,
    aliases: Mapping[str, str],
    required: str,
    required_label: str | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(sheet row number, fields) for each non-empty data row; row 1 is the header.

    `aliases` maps a normalised header (lower case, words joined by `_`) to a field name;
    a header row without the `required` field is refused.
    """
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
    keys = [_key(h, aliases) for h in header]
    if required not in keys:
        raise UnreadableSheet(f"the header row has no {required_label or required} column")
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
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:  # one column, or nothing to tell the delimiter by
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text), dialect):
        yield tuple(row)
