"""Certificates as PDF (fpdf2), a page each: what the verification shows, and how to verify it.

The text is real text (not an image), so it can be searched, read aloud and extracted. Only
the built-in fonts are used, so nothing is loaded from the machine at run time; text outside
Latin-1 is transliterated rather than dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def indonesian_date(day: date) -> str:
    """2026-12-08 → "8 Desember 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _latin1(text: str) -> str:
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")
        return plain or "?"


def render(certificate: dict[str, Any], verify_url: str) -> bytes:
    """The PDF of one certificate row (initials, programme, date, code, validity)."""
    return render_many([certificate], lambda _: verify_url)


def render_many(certificates: list[dict[str, Any]], verify_url: Callable[[str], str]) -> bytes:
    """One PDF, a page per certificate: what a trainer prints at the end of a workshop."""
    pdf = FPDF(orientation="landscape", format="A4")
    codes = ", ".join(c["code"] for c in certificates)
    pdf.set_title(f"Sertifikat {codes}" if len(certificates) == 1 else "Sertifikat pelatihan")
    pdf.set_author("Jembatan")
    pdf.set_creator("Jembatan training service")
    for certificate in certificates:
        _page(pdf, certificate, verify_url(certificate["code"]))
    return bytes(pdf.output())


def _page(pdf: FPDF, certificate: dict[str, Any], verify_url: str) -> None:
    pdf.add_page()
    pdf.set_draw_color(30, 80, 140)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    def line(text: str, size: int, style: str = "", gap: float = 4) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.cell(0, size * 0.5, _latin1(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    pdf.set_y(35)
    line("SERTIFIKAT", 30, "B")
    line("Certificate of completion", 12, "I", gap=10)
    line("diberikan kepada / awarded to", 12)
    line(certificate["initials"], 26, "B", gap=8)
    line("yang telah menyelesaikan program / for completing", 12)
    line(certificate["programme_title"], 20, "B")
    line(f"({certificate['programme_code']})", 10, gap=6)
    line(f"pada / on {indonesian_date(certificate['completed_on'])}", 12, gap=14)
    if not certificate["valid"]:
        pdf.set_text_color(180, 0, 0)
        line("DICABUT / REVOKED", 16, "B")
        pdf.set_text_color(0, 0, 0)
    line(f"Kode verifikasi / Verification code: {certificate['code']}", 14, "B")
    line(f"Periksa keaslian di / Verify at: {verify_url}", 10)
