"""A client's export as a readable PDF in Bahasa Indonesia (fpdf2, built-in fonts only).

The JSON document is the complete answer; the PDF is what a client takes home and reads:
each part under a heading in plain words, each record as "label: value" lines. Text outside
Latin-1 is transliterated (the built-in fonts have no other glyphs), never dropped.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

SECTIONS = {
    "client": "Data diri",
    "consents": "Persetujuan",
    "cases": "Kasus, catatan dan tugas",
    "referrals": "Rujukan ke mitra",
    "trainings": "Pelatihan",
    "notifications": "Pesan yang dikirim",
    "timeline": "Riwayat",
    "reads": "Siapa yang membaca data ini, dan untuk apa",
    "requests": "Permintaan atas data pribadi",
}
_SKIP = {"version", "events", "nik_warnings", "region_code_set", "nik_masked"}
# The fields a reader meets most, in words; any other keeps its name.
LABELS = {
    "id": "Nomor rekaman",
    "nik": "NIK",
    "kind": "Jenis",
    "full_name": "Nama lengkap",
    "birth_date": "Tanggal lahir",
    "sex": "Jenis kelamin",
    "phone": "Nomor HP",
    "phone_is_mobile": "Nomor seluler",
    "email": "Surel",
    "region_code": "Kode wilayah",
    "preferred_language": "Bahasa",
    "disability": "Disabilitas",
    "financial_profile": "Profil keuangan",
    "business": "Usaha",
    "registered_at": "Terdaftar",
    "registered_by": "Didaftarkan oleh",
    "updated_at": "Diubah",
    "restricted": "Pemrosesan dibatasi",
    "purpose": "Tujuan",
    "partner_code": "Mitra",
    "product_code": "Produk",
    "scope": "Cakupan",
    "channels": "Saluran",
    "channel": "Saluran",
    "text_version": "Versi teks",
    "granted_at": "Diberikan",
    "withdrawn_at": "Ditarik",
    "state": "Status",
    "status": "Status",
    "sent_at": "Dikirim",
    "template": "Pesan",
    "actor_username": "Oleh",
    "read_at": "Dibaca",
    "received_at": "Diterima",
    "due_at": "Batas jawab",
    "done_at": "Dijawab",
    "title": "Judul",
    "body": "Isi",
    "occurred_at": "Waktu",
    "event_type": "Kejadian",
}


def _latin1(text: str) -> str:
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        return unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items() if k not in _SKIP)
    if isinstance(value, list):
        return "; ".join(_value(v) for v in value) if value else "-"
    return str(value)


def render(document: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title("Data pribadi yang disimpan Jembatan")
    pdf.set_author("Jembatan")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def text(line: str, size: int = 10, style: str = "") -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, size * 0.55, _latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    text("Data pribadi yang disimpan Jembatan", 16, "B")
    text(f"Dibuat {document['exported_at']} atas permintaan {document['request_id']}", 9)
    text(
        "Salinan ini memuat semua data tentang Anda di setiap layanan Jembatan "
        "(UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 7 dan 32).",
        9,
    )
    pdf.ln(3)
    for key, title in SECTIONS.items():
        part = document.get(key)
        text(title, 12, "B")
        records = [part] if isinstance(part, dict) else list(part or [])
        if not records:
            text("(tidak ada)")
        for record in records:
            for name, value in record.items():
                if name not in _SKIP:
                    text(f"{LABELS.get(name, name)}: {_value(value)}", 9)
            pdf.ln(1.5)
        pdf.ln(2)
    return bytes(pdf.output())
