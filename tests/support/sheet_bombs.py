"""Workbooks built byte by byte, among them small files that unpack to more than any sheet holds.

Nothing here ever holds what a bomb unpacks to. A deflate stream is one megabyte of spaces,
compressed once and flushed so that it stands alone, repeated; a bzip2 stream is one compressed
block of spaces repeated, stitched bit by bit (bzip2 blocks are independent of each other but
not byte-aligned). Deflate packs at most about 1,030 : 1, so a 60 KB XLSX can only unpack past
1 GB with a method like bzip2, which Python's zipfile (and so openpyxl) reads as well.
"""

from __future__ import annotations

import bz2
import functools
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace

MB = 1024 * 1024
SPACES = b" " * MB

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
SHARED_STRINGS_HEAD = f'<sst xmlns="{MAIN}"><si><t>NIK</t></si>'.encode()
SHARED_STRINGS_TAIL = b"</sst>"
SHEET_HEAD = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"
HEADER_ROW = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


@dataclass(frozen=True)
class Part:
    """One member of the zip: its packed bytes, and the size and CRC-32 its entry declares
    (what the bytes truly unpack to, unless `declaring` made it lie)."""

    name: str
    method: int
    packed: bytes
    size: int
    crc: int

    def declaring(self, size: int, crc: int) -> Part:
        return replace(self, size=size, crc=crc)


def plain(name: str, xml: bytes) -> Part:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    packed = packer.compress(xml) + packer.flush()
    return Part(name, zipfile.ZIP_DEFLATED, packed, len(xml), zlib.crc32(xml))


def deflated_spaces(name: str, head: bytes, megabytes: int, tail: bytes) -> Part:
    """`head`, `megabytes` MB of spaces and `tail`, deflated: about 1 KB per megabyte."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    # After a full flush nothing refers back, so this piece decodes the same wherever it stands.
    megabyte = packer.compress(SPACES) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.compress(tail) + packer.flush()
    packed = start + megabyte * megabytes + end
    return Part(name, zipfile.ZIP_DEFLATED, packed, *_size_and_crc(head, megabytes, tail))


def bzipped_spaces(name: str, head: bytes, megabytes: int, tail: bytes) -> Part:
    """`head`, `megabytes` MB of spaces and `tail`, in bzip2: about 34 bytes per megabyte."""
    blocks = [_bzip2_block(head), *[_bzip2_block(SPACES)] * megabytes, _bzip2_block(tail)]
    stream_crc = 0
    for _, block_crc in blocks:
        stream_crc = ((stream_crc << 1 | stream_crc >> 31) & 0xFFFFFFFF) ^ block_crc
    bits = "".join(
        [_bits(b"BZh9"), *(bits for bits, _ in blocks), _BZIP2_END, f"{stream_crc:032b}"]
    )
    bits += "0" * (-len(bits) % 8)
    packed = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return Part(name, zipfile.ZIP_BZIP2, packed, *_size_and_crc(head, megabytes, tail))


_BZIP2_END = f"{0x177245385090:048b}"  # the end-of-stream magic number


@functools.cache
def _bzip2_block(data: bytes) -> tuple[str, int]:
    """The bits of the one block bzip2 packs `data` into (at most 900 KB after its run-length
    step: a megabyte of spaces is 20 KB), and the block's CRC."""
    bits = _bits(bz2.compress(data, 9))
    for padding in range(8):  # the stream ends: magic, 32-bit CRC, padding to a whole byte
        end = len(bits) - 80 - padding
        if bits[end : end + 48] == _BZIP2_END:
            block = bits[32:end]  # after "BZh9"
            return block, int(block[48:80], 2)  # after the block's own 48-bit magic
    raise AssertionError("not a one-block bzip2 stream")


def _bits(data: bytes) -> str:
    return f"{int.from_bytes(data, 'big'):0{len(data) * 8}b}"


@functools.cache
def _size_and_crc(head: bytes, megabytes: int, tail: bytes) -> tuple[int, int]:
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(SPACES, crc)
    return len(head) + megabytes * MB + len(tail), zlib.crc32(tail, crc)


def workbook(*, sheet: Part | None = None, strings: Part | None = None) -> bytes:
    """A one-sheet workbook as spreadsheet programs write it: a worksheet whose first cell is
    the shared string "NIK". Either part may be replaced by one built above."""
    strings = strings or plain("xl/sharedStrings.xml", SHARED_STRINGS_HEAD + SHARED_STRINGS_TAIL)
    sheet = sheet or plain("xl/worksheets/sheet1.xml", SHEET_HEAD + HEADER_ROW + SHEET_TAIL)
    return zip_of(
        [
            plain("[Content_Types].xml", _CONTENT_TYPES),
            plain("_rels/.rels", _PACKAGE_RELS),
            plain("xl/workbook.xml", _WORKBOOK),
            plain("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            replace(sheet, name="xl/worksheets/sheet1.xml"),
            replace(strings, name="xl/sharedStrings.xml"),
        ]
    )


def zip_of(parts: list[Part]) -> bytes:
    """A zip archive of these parts, their directory entries saying what each Part says."""
    local, central = bytearray(), bytearray()
    for part in parts:
        name = part.name.encode()
        fields = (part.method, 0, 0x21, part.crc, len(part.packed), part.size, len(name), 0)
        central += struct.pack("<4s4BHH", b"PK\x01\x02", 46, 3, 46, 0, 0, fields[0])
        central += struct.pack("<HHLLLHHHHHLL", *fields[1:], 0, 0, 0, 0, len(local)) + name
        local += struct.pack("<4sHHH", b"PK\x03\x04", 46, 0, fields[0])
        local += struct.pack("<HHLLLHH", *fields[1:]) + name + part.packed
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central),
                      len(local), 0)  # fmt: skip
    return bytes(local + central + end)


_CONTENT_TYPES = f"""<Types xmlns="{CONTENT_TYPES}">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{SPREADSHEET}.sharedStrings+xml"/>
</Types>""".encode()
_PACKAGE_RELS = f"""<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="{RELATIONSHIPS}/officeDocument"/></Relationships>""".encode()
_WORKBOOK = f"""<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">
<sheets><sheet name="Peserta" sheetId="1" r:id="rId1"/></sheets></workbook>""".encode()
_WORKBOOK_RELS = f"""<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">
<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{RELATIONSHIPS}/worksheet"/>
<Relationship Id="rId2" Target="sharedStrings.xml" Type="{RELATIONSHIPS}/sharedStrings"/>
</Relationships>""".encode()


@functools.cache
def gigabyte_bomb() -> bytes:
    """The bomb of the acceptance test, 44 KB: its shared strings unpack to 1.25 GB of spaces."""
    return workbook(
        strings=bzipped_spaces(
            "xl/sharedStrings.xml", SHARED_STRINGS_HEAD, 1280, SHARED_STRINGS_TAIL
        )
    )
