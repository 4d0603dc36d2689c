"""Attendance from a sheet: row by row, rejected rows reported, idempotent on re-upload.

A trainer who cannot mark attendance in the browser (no signal in the hall) fills a sheet: one
row per participant and day. Every good row is applied in one transaction with its events; a bad
row is reported by its row number and field and changes nothing. The same file uploaded again is
recognised by its digest and answers the first report; a different file with the same marks
changes nothing either, since a day attended is attended once. The sheet is read in a worker
thread, so other requests go on meanwhile; a report keeps the first rejected rows with their
reasons and counts them all.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from shared.errors import InvalidField
from shared.sheets import UnreadableSheet, parse_day, read_rows
from training.adapters.repository import Imported
from training.domain.certificate import verification_code
from training.domain.training_session import InvalidTrainingSession, NotEnrolled
from training.service_layer.commands import ImportAttendance, Report
from training.service_layer.handlers import Clock, load_session, save_session
from training.service_layer.unit_of_work import TrainingUnitOfWork

MAX_SHEET_BYTES = 2 * 1024 * 1024

# Headers as trainers type them, in Indonesian or English.
HEADER_ALIASES = {
    "participant": "participant",
    "peserta": "participant",
    "client_id": "participant",
    "id_klien": "participant",
    "day": "day",
    "date": "day",
    "tanggal": "day",
    "hari": "day",
    "present": "present",
    "hadir": "present",
    "kehadiran": "present",
    "pre_score": "pre_score",
    "pre_test": "pre_score",
    "nilai_pre": "pre_score",
    "post_score": "post_score",
    "post_test": "post_score",
    "nilai_post": "post_score",
}
_YES = {"", "ya", "y", "yes", "hadir", "1", "true", "v", "x"}
_NO = {"tidak", "t", "no", "n", "absen", "0", "false", "-"}


class RowError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Mark:
    participant: str
    day: date
    present: bool
    pre: int | None
    post: int | None


def _participant(text: str) -> str:
    kind, sep, ident = text.partition(":")
    if not sep:
        kind, ident = "client", text
    if kind == "officer" and ident:
        return f"officer:{ident}"
    try:
        return f"client:{UUID(ident)}"
    except ValueError:
        raise RowError("participant", "is not a client id") from None


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise RowError("day", "must be a date (YYYY-MM-DD or DD/MM/YYYY)") from None


def _score(fields: dict[str, str], name: str) -> int | None:
    text = fields.get(name, "")
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise RowError(name, "must be a whole number from 0 to 100")
    return int(text)


def _mark(fields: dict[str, str]) -> Mark:
    if not fields.get("participant"):
        raise RowError("participant", "is required")
    if not fields.get("day"):
        raise RowError("day", "is required")
    present_text = fields.get("present", "").strip().lower()
    if present_text not in _YES | _NO:
        raise RowError("present", "must be ya or tidak")
    return Mark(
        _participant(fields["participant"]),
        _day(fields["day"]),
        present_text in _YES,
        _score(fields, "pre_score"),
        _score(fields, "post_score"),
    )


def _read(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    return list(read_rows(filename, content, HEADER_ALIASES, required="participant"))


async def import_attendance(
    command: ImportAttendance, uow: TrainingUnitOfWork, clock: Clock
) -> Report:
    if len(command.content) > MAX_SHEET_BYTES:
        raise InvalidField("file", "is larger than 2 MB")
    digest = hashlib.sha256(command.content).hexdigest()
    try:
        rows = await asyncio.to_thread(_read, command.filename, command.content)
    except UnreadableSheet as exc:
        raise InvalidField("file", str(exc)) from None
    session_id = command.session_id
    async with uow:
        training = await load_session(uow, command.actor, session_id)  # locked until the end
        earlier = await uow.imports.find(session_id, digest)
        if earlier is not None:
            return Report(earlier.id, earlier.rows, earlier.recorded, earlier.rejected, True)
        programme = await uow.programmes.get(training.programme_code)
        assert programme is not None
        now = clock().astimezone(training.starts_at.tzinfo)
        report = Report(uuid4())
        touched: set[str] = set()
        for number, fields in rows:
            report.rows += 1
            try:
                mark = _mark(fields)
                training.record_attendance(mark.participant, mark.day, mark.present, now=now)
                if mark.pre is not None or mark.post is not None:
                    training.record_scores(mark.participant, mark.pre, mark.post)
            except (RowError, InvalidTrainingSession) as exc:
                report.reject(number, exc.field, exc.message)
                continue
            except NotEnrolled:
                report.reject(number, "participant", "is not enrolled in this session")
                continue
            report.recorded += 1
            touched.add(mark.participant)
        for participant in sorted(touched):
            training.complete_if_due(participant, programme.rule, now, verification_code)
        await uow.imports.add(
            Imported(report.id, report.rows, report.recorded, report.rejected),
            session_id,
            digest,
            command.filename,
            command.actor.subject,
        )
        await save_session(uow, training, programme)
    return report
