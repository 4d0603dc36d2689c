"""A refused row's reason reads in the officer's language, naming the column as her sheet does."""

from __future__ import annotations

import csv
import io

from portal.i18n import translator
from portal.sheet_reasons import attendance_reason, reason, report_csv, unreadable

_ = translator("id")


def test_the_client_services_reasons_read_in_indonesian() -> None:
    said = {
        ("full_name", "is required"): "Kolom ini kosong.",
        ("nik", "appears twice in this sheet"): "NIK ini muncul dua kali dalam lembar.",
        ("birth_date", "must be a date (YYYY-MM-DD or DD/MM/YYYY)"): (
            "Tulis tanggal sebagai HH/BB/TTTT atau TTTT-BB-HH."
        ),
        ("sex", "must be L/P (or M/F)"): "Tulis L atau P.",
        ("sex", "does not match the sex encoded in the NIK"): (
            "Jenis kelamin tidak sesuai dengan NIK."
        ),
        ("region_code", "lies outside your region"): ("Kabupaten/kota ini di luar wilayah Anda."),
        ("nik", "NIK has 15 digits, not 16"): "NIK tidak valid.",
    }
    for (field, message), indonesian in said.items():
        assert reason(field, message, _) == indonesian, (field, message)
    assert reason("something_new", "is odd", _) == "Periksa kembali isian ini."


def test_the_csv_names_row_column_and_reason_and_counts_what_it_does_not_list() -> None:
    rows = [
        {"row": 7, "field": "phone", "message": "is not an Indonesian number"},
        {"row": 12, "field": "sex", "message": "must be L/P (or M/F)"},
    ]
    read = list(csv.reader(io.StringIO(report_csv(rows, 3, _))))
    assert read[0] == ["Baris", "Kolom", "Alasan"]
    assert read[1][:2] == ["7", "No HP"] and read[1][2].startswith("Gunakan nomor ponsel")
    assert read[2] == ["12", "JK", "Tulis L atau P."]
    assert read[3][2].endswith("3. Perbaiki baris ini, lalu unggah lagi.")


def test_an_attendance_rows_reasons_and_an_unreadable_sheet_read_in_indonesian() -> None:
    assert attendance_reason("day", "is not a day of this session", _) == (
        "Ini bukan hari sesi ini."
    )
    assert attendance_reason("participant", "is not enrolled in this session", _) == (
        "Peserta ini tidak terdaftar di sesi ini."
    )
    assert attendance_reason("post_score", "must be between 0 and 100", _) == (
        "Nilai berupa bilangan bulat dari 0 sampai 100."
    )
    assert unreadable("only .csv and .xlsx files can be imported", _) == (
        "Hanya berkas .csv dan .xlsx yang dapat dibaca."
    )
    assert unreadable("the XLSX file is damaged: its sheet cannot be read", _).startswith(
        "Berkas XLSX rusak"
    )
