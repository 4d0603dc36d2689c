"""Reading uploaded sheets: days as sheets write them, CSVs of every width, and files that would
take far more memory or time than any real sheet are refused before they can."""

from __future__ import annotations

import io
import itertools
import os
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from openpyxl import Workbook

from shared import sheets
from shared.sheets import UnreadableSheet, parse_day, read_rows
from support import sheet_bombs as bombs

ALIASES = {"nik": "nik", "nama": "full_name", "tanggal_lahir": "birth_date"}
SHEET_START = bombs.SHEET_HEAD + bombs.HEADER_ROW


def _read(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    return list(read_rows(filename, content, ALIASES, required="nik", required_label="NIK"))


def _refusal(filename: str, content: bytes) -> str:
    with pytest.raises(UnreadableSheet) as refused:
        _read(filename, content)
    return str(refused.value)


@contextmanager
def _at_most(megabytes: float, seconds: float) -> Iterator[None]:
    """Fails unless the block allocates under `megabytes` at its peak and ends in time."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < megabytes * sheets.MB, f"peak allocation {peak / sheets.MB:.1f} MB"
    assert elapsed < seconds, f"{elapsed:.2f} s"


def test_days_in_the_forms_sheets_use() -> None:
    assert parse_day("2026-12-07") == parse_day("07/12/2026") == parse_day(" 07-12-2026 ")
    assert parse_day("2026-12-07") == date(2026, 12, 7)
    with pytest.raises(ValueError):
        parse_day("7 Desember 2026")


def test_a_one_column_csv_is_read_not_refused() -> None:
    rows = list(read_rows("absen.csv", b"participant\nabc\ndef\n", {"participant": "p"}, "p"))
    assert rows == [(2, {"p": "abc"}), (3, {"p": "def"})]


def test_a_workbook_as_spreadsheet_programs_write_it_still_reads() -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Peserta")
    sheet.append(["NIK", "Nama", "Tanggal Lahir", "Catatan"])
    sheet.append(["3273014506900007", "Ratna Sari", date(1990, 6, 5), "tidak dibaca"])
    sheet.append([])
    sheet.append(["3273011204880002", "Dedi", "12/04/1988"])
    out = io.BytesIO()
    workbook.save(out)
    assert _read("peserta.xlsx", out.getvalue()) == [
        (2, {"nik": "3273014506900007", "full_name": "Ratna Sari", "birth_date": "1990-06-05"}),
        (4, {"nik": "3273011204880002", "full_name": "Dedi", "birth_date": "12/04/1988"}),
    ]
    # The bombs below are this hand-built workbook with one part swapped, and these parts
    # unpack to exactly what they say: they are refused for their size, not their shape.
    assert _read("bentuk.xlsx", bombs.workbook()) == []
    for pack in (bombs.deflated_spaces, bombs.bzipped_spaces):
        spaced = pack("s", SHEET_START, 2, bombs.SHEET_TAIL)
        archive = zipfile.ZipFile(io.BytesIO(bombs.workbook(sheet=spaced)))
        unpacked = archive.read("xl/worksheets/sheet1.xml")
        assert unpacked == SHEET_START + b" " * 2 * sheets.MB + bombs.SHEET_TAIL


def test_a_sheet_at_the_row_limit_fits_the_workbook_limits_with_room() -> None:
    # Shaped like the workshop sheets of tests/volume; 2,000 rows, scaled to the row limit.
    rows = 2_000
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Absensi")
    sheet.append(["NIK", "Nama", "Tanggal Lahir", "JK", "No HP", "Kode Wilayah"])
    for i in range(rows):
        born = date(1960 + i % 45, 1 + i % 12, 1 + i % 28)
        sheet.append([f"3273{i:012d}", f"Peserta {i}", born, "LP"[i % 2], f"0812{i:08d}", "3273"])
    out = io.BytesIO()
    workbook.save(out)
    parts = zipfile.ZipFile(out).infolist()
    biggest = max(parts, key=lambda part: part.file_size)
    assert biggest.file_size * sheets.MAX_ROWS / rows < sheets.MAX_PART_BYTES / 2
    assert biggest.file_size < biggest.compress_size * sheets.MAX_RATIO / 10
    assert len(parts) < sheets.MAX_PARTS / 10
    assert len(_read("absensi.xlsx", out.getvalue())) == rows


def test_sixty_kilobytes_that_unpack_past_a_gigabyte_are_refused_at_once() -> None:
    bomb = bombs.gigabyte_bomb()
    strings = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/sharedStrings.xml")
    assert len(bomb) < 60 * 1024 and strings.file_size > 1024 * sheets.MB
    with _at_most(megabytes=5, seconds=1):
        reason = _refusal("absensi.xlsx", bomb)
    assert reason.startswith("the XLSX file is packed in a way spreadsheet programs do not use")


def test_a_worksheet_of_sixty_megabytes_in_sixty_kilobytes_is_refused_at_once() -> None:
    sheet = bombs.deflated_spaces("s", SHEET_START, 57, bombs.SHEET_TAIL)
    bomb = bombs.workbook(sheet=sheet)
    assert len(bomb) < 60 * 1024
    with _at_most(megabytes=5, seconds=1):
        reason = _refusal("absensi.xlsx", bomb)
    assert (
        reason
        == "the XLSX file unpacks to more than 16 MB in one part; split it into smaller sheets"
    )


def test_a_part_packed_tighter_than_any_real_sheet_is_refused() -> None:
    sheet = bombs.deflated_spaces("s", SHEET_START, 4, bombs.SHEET_TAIL)  # about 1,000 : 1
    reason = _refusal("absensi.xlsx", bombs.workbook(sheet=sheet))
    assert (
        reason == "the XLSX file unpacks to more than 200 times its size, which no real sheet does"
    )


def test_parts_that_together_claim_too_much_are_refused_before_anything_unpacks() -> None:
    # Each claims 15 MB from 80 KB of noise: within the part and ratio limits, and unpacking
    # any of it would fail as damaged rather than refuse the total.
    noise = [os.urandom(80 * 1024) for _ in range(4)]
    parts = [
        bombs.Part(f"xl/worksheets/sheet{n}.xml", zipfile.ZIP_DEFLATED, packed, 15 * sheets.MB, 0)
        for n, packed in enumerate(noise, start=1)
    ]
    with _at_most(megabytes=2, seconds=1):
        reason = _refusal("absensi.xlsx", bombs.zip_of(parts))
    assert reason == "the XLSX file unpacks to more than 48 MB; split it into smaller sheets"


def test_a_workbook_of_too_many_parts_is_refused() -> None:
    parts = [bombs.plain(f"xl/media/image{n}.xml", b"<x/>") for n in range(sheets.MAX_PARTS + 1)]
    assert _refusal("absensi.xlsx", bombs.zip_of(parts)) == "the XLSX file has more than 500 parts"


def test_zipfile_cuts_a_part_at_its_declared_size_without_a_word() -> None:
    """Why the real sizes are measured: the directory may claim less than a part unpacks to,
    and zipfile quietly returns the claimed bytes (after inflating far more, when asked for
    everything at once)."""
    liar = bombs.deflated_spaces("s", SHEET_START, 30, bombs.SHEET_TAIL)
    liar = liar.declaring(len(SHEET_START), zlib.crc32(SHEET_START))
    archive = zipfile.ZipFile(io.BytesIO(bombs.workbook(sheet=liar)))
    with archive.open("xl/worksheets/sheet1.xml") as part:
        assert part.read(1024) == SHEET_START


@pytest.mark.parametrize(
    ("pack", "megabytes", "reason"),
    [
        (bombs.deflated_spaces, 30, "the XLSX file is damaged: a part unpacks to another size"),
        (bombs.deflated_spaces, 0, "the XLSX file is damaged: a part unpacks to another size"),
        (bombs.bzipped_spaces, 30, "the XLSX file is packed in a way spreadsheet programs"),
    ],
)
def test_a_part_that_unpacks_to_another_size_than_it_declares_is_refused(
    pack: Callable[[str, bytes, int, bytes], bombs.Part], megabytes: int, reason: str
) -> None:
    true = pack("s", SHEET_START, megabytes, bombs.SHEET_TAIL)
    if megabytes:  # claims only the start, with the start's own CRC: zipfile reads that
        liar = true.declaring(len(SHEET_START), zlib.crc32(SHEET_START))
    else:  # claims a little more than it holds
        liar = true.declaring(true.size + 1000, true.crc)
    with _at_most(megabytes=5, seconds=1):
        assert _refusal("absensi.xlsx", bombs.workbook(sheet=liar)).startswith(reason)


def test_a_part_whose_bytes_fail_their_checksum_is_refused() -> None:
    true = bombs.plain("s", SHEET_START + bombs.SHEET_TAIL)
    reason = _refusal("absensi.xlsx", bombs.workbook(sheet=true.declaring(true.size, 1)))
    assert reason == "the XLSX file is damaged: a part fails its checksum"


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    assert _refusal("absensi.xlsx", b"NIK,Nama\n") == "the file is not a readable XLSX workbook"


def test_more_data_rows_than_the_limit_are_refused_when_the_reader_gets_there() -> None:
    header = b"NIK,Nama\n"
    at_limit = header + b"".join(b"%016d,Peserta\n" % n for n in range(sheets.MAX_ROWS))
    assert len(_read("absensi.csv", at_limit)) == sheets.MAX_ROWS
    rows = read_rows("absensi.csv", at_limit + b"1,Satu lagi\n", ALIASES, required="nik")
    assert len(list(itertools.islice(rows, sheets.MAX_ROWS))) == sheets.MAX_ROWS
    with pytest.raises(UnreadableSheet) as refused:
        next(rows)
    assert str(refused.value) == (
        "the sheet has more than 20,000 rows; split it into smaller sheets"
    )


def test_blank_rows_are_skipped_but_not_past_a_spreadsheets_last_row() -> None:
    far = b'<row r="5000000"><c r="A5000000" t="s"><v>0</v></c></row>'
    sheet = bombs.plain("s", SHEET_START + far + bombs.SHEET_TAIL)
    started = time.perf_counter()
    reason = _refusal("absensi.xlsx", bombs.workbook(sheet=sheet))
    assert reason == "the sheet has rows past row 1,048,576, a spreadsheet's last"
    assert time.perf_counter() - started < 10  # a million blank rows take about a second
    blank_rows = b"NIK,Nama\n" + b",\n" * 10 + b"3273014506900007,Ratna\n"
    ratna = {"nik": "3273014506900007", "full_name": "Ratna"}
    assert _read("absensi.csv", blank_rows) == [(12, ratna)]


def test_a_csv_larger_than_any_sheet_is_refused_before_it_is_decoded() -> None:
    content = b"NIK,Nama\n" + b"x" * sheets.MAX_FILE_BYTES
    assert _refusal("absensi.csv", content) == "the file is larger than 16 MB"


def test_a_csv_cell_past_the_field_limit_is_refused_naming_its_line() -> None:
    content = b'NIK,Nama\n1,Satu\n2,"' + b"x" * 200_000 + b'"\n'
    assert _refusal("absensi.csv", content) == "the CSV file cannot be read at line 3"


def test_a_csv_that_is_not_utf8_is_refused() -> None:
    assert _refusal("absensi.csv", "NIK,Nama\n1,Bambang Sœtomo\n".encode("cp1252")) == (
        "the CSV file is not UTF-8 text"
    )
