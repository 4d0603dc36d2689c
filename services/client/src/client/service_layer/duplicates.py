"""A supervisor's review of likely duplicates: merge one into the other, or dismiss the flag."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from client.adapters import publishing
from client.service_layer.handlers import Context
from client.service_layer.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.errors import Conflict, NotFound


class FlagNotFound(NotFound):
    """No such open or closed flag in the supervisor's province, or `keep` names neither of
    its pair (404)."""

    def __init__(self) -> None:
        super().__init__("duplicate flag")


class FlagResolved(Conflict):
    """The flag was merged or dismissed before (409 `flag-resolved`)."""

    def __init__(self) -> None:
        super().__init__("This flag was already resolved.", "flag-resolved")


async def open_flags(
    actor: Principal, uow: UnitOfWork, limit: int, client_id: UUID | None = None
) -> list[dict[str, Any]]:
    async with uow:
        return await uow.duplicates.open_flags(actor.scope, limit, client_id)


async def _open_flag(uow: UnitOfWork, actor: Principal, flag_id: UUID) -> dict[str, Any]:
    flag = await uow.duplicates.get(flag_id, actor.scope)
    if flag is None:
        raise FlagNotFound()
    if flag["status"] != "open":
        raise FlagResolved()
    return flag


async def merge(
    actor: Principal, flag_id: UUID, keep: UUID | None, uow: UnitOfWork, ctx: Context
) -> UUID:
    """Merge the flagged pair; `keep` (default: the earlier client) survives. Returns it."""
    now = ctx.now()
    async with uow:
        flag = await _open_flag(uow, actor, flag_id)
        pair = {flag["client_id"], flag["candidate_id"]}
        survivor = keep or flag["candidate_id"]
        if survivor not in pair:
            raise FlagNotFound()
        (merged,) = pair - {survivor}
        await uow.duplicates.merge(merged, survivor)
        await uow.duplicates.resolve(flag_id, "merged", actor.subject, now)
        uow.announce(
            [publishing.merged_envelope(survivor, merged, flag["region_code"], actor.subject, now)]
        )
        await uow.commit()
    return UUID(str(survivor))


async def dismiss(actor: Principal, flag_id: UUID, uow: UnitOfWork, ctx: Context) -> None:
    async with uow:
        await _open_flag(uow, actor, flag_id)
        await uow.duplicates.resolve(flag_id, "dismissed", actor.subject, ctx.now())
        await uow.commit()
