"""The draft letter to the authority about a breach, in Indonesian, with counts only.

Pasal 46 ayat 2 of UU 27/2022 says what the written notice holds at least: the personal data
exposed, when and how they were exposed, and what the controller does to handle it and
recover. The administrator reviews the draft, signs it and sends it outside Jembatan, then
records when it went. Times are written in WIB, the time of the ministry in Jakarta.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from client.domain.breach import Breach

_WIB = ZoneInfo("Asia/Jakarta")
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
CATEGORY_WORDS = {
    "unauthorised_access": "akses yang tidak sah terhadap Data Pribadi",
    "disclosure": "pengungkapan Data Pribadi kepada pihak yang tidak berhak",
    "alteration": "perubahan Data Pribadi tanpa hak",
    "loss": "kehilangan Data Pribadi",
    "destruction": "perusakan Data Pribadi",
}
DATA_WORDS = {
    "nik": "Nomor Induk Kependudukan (NIK)",
    "name": "nama lengkap",
    "birth_date_and_sex": "tanggal lahir dan jenis kelamin",
    "contact": "nomor telepon dan alamat e-mail",
    "disability": "keterangan disabilitas",
    "financial_profile": "profil keuangan (rekening, dompet elektronik, upah digital, QRIS)",
    "business": "data usaha (NIB, nama usaha, KBLI)",
    "case_notes": "kasus dan catatan pendampingan",
}
SYSTEM_WORDS = {
    "client": "layanan pendaftaran klien",
    "referral": "layanan rujukan ke mitra",
    "training": "layanan pelatihan",
    "notify": "layanan pesan",
    "indicators": "layanan indikator kementerian",
    "portal": "portal petugas",
    "gateway": "gerbang API",
    "keycloak": "layanan identitas (Keycloak)",
    "kafka": "antrean peristiwa (Kafka)",
    "backups": "cadangan data",
    "other": "sistem lain (lihat uraian)",
}


def when(at: datetime) -> str:
    """ "7 Desember 2026 pukul 08.30 WIB"."""
    local = at.astimezone(_WIB)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} pukul {local:%H.%M} WIB"


def authority_letter(breach: Breach, now: datetime) -> str:
    """The draft, plain text: counts by region, never a person."""
    counts = [f"   - wilayah {code}: {n} orang" for code, n in sorted(breach.counts.items())]
    kinds = "\n".join(f"   - {DATA_WORDS[kind]}" for kind in breach.data_kinds)
    systems = ", ".join(SYSTEM_WORDS[system] for system in breach.systems)
    if breach.people_notified_at is not None:
        people = (
            f"Pemberitahuan kepada {breach.people_told} Subjek Data Pribadi disetujui untuk "
            f"dikirim pada {when(breach.people_notified_at)} melalui saluran yang mereka setujui."
        )
    else:
        people = "Pemberitahuan kepada Subjek Data Pribadi sedang disiapkan."
    lines = [
        "DRAF - periksa, lengkapi dan tandatangani sebelum dikirim",
        "",
        "Kepada Yth.",
        "Lembaga Pelindungan Data Pribadi",
        "",
        "Perihal: Pemberitahuan kegagalan Pelindungan Data Pribadi",
        "         (Pasal 46 Undang-Undang Nomor 27 Tahun 2022)",
        f"Nomor insiden: {breach.id}",
        f"Tanggal draf: {when(now)}",
        "",
        "Dengan hormat,",
        "",
        "Sebagai Pengendali Data Pribadi platform Jembatan, kami memberitahukan kegagalan",
        "Pelindungan Data Pribadi berikut.",
        "",
        "a. Data Pribadi yang terungkap",
        kinds,
        f"   Jumlah Subjek Data Pribadi yang mungkin terdampak: {breach.affected} orang,",
        "   menurut wilayah (kode Kemendagri):",
        *(counts or ["   - tidak ada"]),
        "   Terhitung: klien yang terdaftar sebelum akhir periode di wilayah tersebut.",
        "",
        "b. Kapan dan bagaimana Data Pribadi terungkap",
        f"   Jenis kegagalan: {CATEGORY_WORDS[breach.category]}.",
        f"   Periode: {when(breach.period_from)} sampai {when(breach.period_to)}.",
        f"   Diketahui pada: {when(breach.found_at)}.",
        f"   Sistem yang terdampak: {systems}.",
        "   Uraian:",
        *(f"   {line}" for line in breach.description.splitlines()),
        "",
        "c. Upaya penanganan dan pemulihan",
        f"   {breach.handling}",
        f"   {people}",
        "",
        f"Batas pemberitahuan 3 x 24 jam: {when(breach.due_at)}.",
        "",
        "Hormat kami,",
        "",
        "",
        "(nama dan tanda tangan)",
        "Pejabat Pelindungan Data Pribadi, Jembatan",
        "",
    ]
    return "\n".join(lines)
