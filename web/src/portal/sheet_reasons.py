"""Why a row of a sheet was refused, in the officer's language.

The client and training services report each refused row as (row, field, message) in their
own (English) words; the officer reads the column as her sheet names it and a reason she can
act on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

Translate = Callable[..., str]

# The columns as the sheet's Indonesian headers name them (see the upload page).
COLUMNS = {
    "nik": "NIK",
    "full_name": "Nama",
    "birth_date": "Tanggal Lahir",
    "sex": "JK",
    "phone": "No HP",
    "region_code": "Kode Wilayah",
    "email": "Email",
    "preferred_language": "Bahasa",
    "kind": "Jenis",
    "disability": "Disabilitas",
}


# The attendance sheet's columns, as the portal's own pre-filled sheet names them.
ATTENDANCE_COLUMNS = {
    "participant": "peserta",
    "day": "tanggal",
    "present": "hadir",
    "pre_score": "nilai pre",
    "post_score": "nilai post",
}


def column(field: str) -> str:
    return COLUMNS.get(field, ATTENDANCE_COLUMNS.get(field, field))


def _explain(
    field: str,
    message: str,
    by_message: dict[tuple[str, str], str],
    by_field: dict[str, str],
    _: Translate,
) -> str:
    """The reason for a field whose service's words begin as in `by_message`, else the
    field's own reason, else a plain "check this"."""
    if message == "is required":
        return _("This column is empty.")
    for (named, starts), said in by_message.items():
        if field == named and message.startswith(starts):
            return said
    return by_field.get(field, _("Please check this."))


def attendance_reason(field: str, message: str, _: Translate) -> str:
    """One refused row of an attendance sheet: its reason, from the field and the words."""
    score = _("A score is a whole number from 0 to 100.")
    return _explain(
        field,
        message,
        {
            ("participant", "is not enrolled"): _("This participant is not enrolled here."),
            ("participant", "is not a client id"): _("Keep the participant's id from the sheet."),
            ("day", "is not a day"): _("This is not a day of the session."),
            ("day", "must be a date"): _("Write the date as DD/MM/YYYY or YYYY-MM-DD."),
            ("present", "must be"): _("Write ya or tidak."),
        },
        {"pre_score": score, "post_score": score},
        _,
    )


def reason(field: str, message: str, _: Translate) -> str:
    """One refused row of a client sheet: its reason, from the field and the words."""
    return _explain(
        field,
        message,
        {
            ("nik", "appears twice"): _("This NIK appears twice in the sheet."),
            ("birth_date", "lies in the future"): _("The birth date lies in the future."),
            ("birth_date", "does not match"): _("The birth date does not match the NIK."),
            ("birth_date", "must be a date"): _("Write the date as DD/MM/YYYY or YYYY-MM-DD."),
            ("sex", "does not match"): _("The sex does not match the NIK."),
            ("sex", "must be"): _("Write L or P."),
            ("region_code", "lies outside"): _("This regency or city is outside your region."),
            ("region_code", "is not a current"): _("Not a regency or city code of Kemendagri."),
        },
        {
            "nik": _("The NIK is not valid."),
            "phone": _("Use an Indonesian mobile number, e.g. 0812-3456-7890."),
            "email": _("This is not an e-mail address."),
            "full_name": _("Please check the name."),
            "preferred_language": _("Write id or en."),
            "kind": _("A sheet registers workers; register a small business one by one."),
        },
        _,
    )


def report_csv(rejected: Iterable[dict[str, Any]], unlisted: int, _: Translate) -> str:
    """The refused rows as a CSV to fix the sheet by: row, column, reason."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_("Row"), _("Column"), _("Reason")])
    for r in rejected:
        writer.writerow([r["row"], column(r["field"]), reason(r["field"], r["message"], _)])
    if unlisted > 0:
        more = _("Refused rows not listed here: {n}. Fix these, then upload again.", n=unlisted)
        writer.writerow(["", "", more])
    return out.getvalue()


def unreadable(message: str, _: Translate) -> str:
    """Why a whole sheet could not be read (shared.sheets' words), in the officer's language."""
    if message.startswith("only .csv"):
        return _("Only .csv and .xlsx files can be read.")
    if message == "the sheet is empty":
        return _("The sheet is empty.")
    if message.startswith("the header row has no"):
        return _("The first row does not name the columns the sheet needs.")
    if message.startswith("the sheet has more than") or message.startswith("the sheet has rows"):
        return _("The sheet has more than 20,000 rows: split it into smaller sheets.")
    if "larger than" in message:
        return _("The file is too large.")
    if "XLSX" in message:
        return _("The XLSX file is damaged: save it again from the spreadsheet program.")
    return _("The file could not be read.")
