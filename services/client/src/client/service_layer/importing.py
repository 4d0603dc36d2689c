"""Bulk registration from a workshop's sheet: row by row, rejected rows reported, idempotent.

A sheet uploaded twice registers nothing new: the file's digest identifies the import, and a
row whose NIK is already registered counts as such, not as a new client. Accepted rows are
registered in batches, each batch one transaction with its events. Reading and checking the
rows is CPU work and runs in a worker thread, so other requests go on meanwhile; a report keeps
the first rejected rows with their reasons and counts them all.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import uuid4

from client.adapters.sheets import UnreadableSheet, read_rows
from client.domain.imports import ImportReport, Rejection
from client.domain.model import Client, InvalidClient
from client.service_layer import commands
from client.service_layer.handlers import Context, flag_duplicates, new_client
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.errors import InvalidField
from shared.sheets import MAX_REPORTED_REJECTIONS, check_name, parse_day

BATCH = 500
# Told (rows in the sheet, rows handled) after the rows are checked and after each batch.
Progress = Callable[[int, int], Awaitable[None]]
_SEX = {
    "l": "M",
    "laki-laki": "M",
    "laki laki": "M",
    "m": "M",
    "p": "F",
    "perempuan": "F",
    "f": "F",
    "w": "F",
}
_YES = {"ya", "y", "yes", "true", "1"}


class SheetUnreadable(InvalidField):
    """The file is no sheet that can be read (422 naming `file`, with why in plain words)."""

    def __init__(self, why: str) -> None:
        super().__init__("file", why)


def check_sheet_name(filename: str) -> None:
    """Only the kinds of file a spreadsheet writes (.csv, .xlsx) are taken."""
    try:
        check_name(filename)
    except UnreadableSheet as exc:
        raise SheetUnreadable(str(exc)) from None


def _birth_date(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise InvalidClient("birth_date", "must be a date (YYYY-MM-DD or DD/MM/YYYY)") from None


def _command(actor: Principal, fields: dict[str, str]) -> commands.RegisterClient:
    for required in ("nik", "full_name", "birth_date", "sex", "phone", "region_code"):
        if not fields.get(required):
            raise InvalidClient(required, "is required")
    sex = _SEX.get(fields["sex"].strip().lower())
    if sex is None:
        raise InvalidClient("sex", "must be L/P (or M/F)")
    nik = fields["nik"].replace(" ", "").replace(".", "").replace("-", "").replace("'", "")
    language = fields.get("preferred_language") or "id"
    if language not in ("id", "en"):
        raise InvalidClient("preferred_language", "must be id or en")
    kind = fields.get("kind") or "worker"
    if kind != "worker":
        raise InvalidClient("kind", "a sheet registers workers; register businesses one by one")
    return commands.RegisterClient(
        actor=actor,
        kind=kind,
        nik=nik,
        full_name=" ".join(fields["full_name"].split()),
        birth_date=_birth_date(fields["birth_date"]),
        sex=sex,
        phone=fields["phone"],
        region_code=fields["region_code"],
        email=fields.get("email") or None,
        preferred_language=language,
        disability=fields.get("disability", "").strip().lower() in _YES,
    )


async def import_sheet(
    actor: Principal,
    filename: str,
    content: bytes,
    uow_factory: Callable[[], UnitOfWork],
    ctx: Context,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    digest = hashlib.sha256(content).hexdigest()
    scope = actor.scope.prefix or ""
    async with uow_factory() as uow:
        earlier = await uow.imports.find(digest, scope)
    if earlier is not None:
        earlier.repeated_upload = True
        return earlier

    report = ImportReport(id=uuid4(), filename=filename, file_sha256=digest)
    try:
        accepted = await asyncio.to_thread(_check_rows, actor, filename, content, ctx, report)
    except UnreadableSheet as exc:
        raise SheetUnreadable(str(exc)) from None
    handled = report.rows - len(accepted)  # the rejected rows are done with
    if progress is not None:
        await progress(report.rows, handled)

    for start in range(0, len(accepted), batch_size):
        batch = accepted[start : start + batch_size]
        async with uow_factory() as uow:
            inserted = await uow.clients.add_many(batch)
            for client in batch:
                if client.id in inserted:
                    uow.track(client)
            await flag_duplicates(uow, list(inserted))
            await uow.commit()
        report.registered += len(inserted)
        report.already_registered += len(batch) - len(inserted)
        handled += len(batch)
        if progress is not None:
            await progress(report.rows, handled)

    async with uow_factory() as uow:
        await uow.imports.add(report, actor=actor.subject, scope=scope)
        await uow.commit()
    return report


def _check_rows(
    actor: Principal, filename: str, content: bytes, ctx: Context, report: ImportReport
) -> list[Client]:
    """The clients of the sheet's good rows; the others are counted into `report`."""
    accepted: list[Client] = []
    seen_niks: set[str] = set()
    for number, fields in read_rows(filename, content):
        report.rows += 1
        try:
            client = new_client(_command(actor, fields), ctx)
        except InvalidClient as exc:
            _reject(report, Rejection(number, exc.field, exc.message))
            continue
        if client.nik_value in seen_niks:
            _reject(report, Rejection(number, "nik", "appears twice in this sheet"))
            continue
        seen_niks.add(client.nik_value)
        accepted.append(client)
    return accepted


def _reject(report: ImportReport, rejection: Rejection) -> None:
    if len(report.rejected) < MAX_REPORTED_REJECTIONS:
        report.rejected.append(rejection)


def rejects_csv(report: ImportReport) -> str:
    lines = ["row,field,message"]
    lines += [f'{r.row},{r.field},"{r.message.replace(chr(34), chr(39))}"' for r in report.rejected]
    unlisted = report.rejected_total - len(report.rejected)
    if unlisted > 0:  # a line of no row, so that nobody takes the list for all of them
        lines.append(f',,"{unlisted} more rejected rows: fix these, then upload the sheet again"')
    return "\n".join(lines) + "\n"


def summary(report: ImportReport) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "registered": report.registered,
        "already_registered": report.already_registered,
        "rejected": report.rejected_total,
    }
