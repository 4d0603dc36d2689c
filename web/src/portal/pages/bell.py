"""The officer's bell: follow-ups falling due, her referrals past their deadline, and the
partners' answers to her referrals since she last looked. The header loads the count after
the page (htmx), so no page waits for it; `/notifications` lists them and marks them seen."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from portal.dependencies import Visit, VisitDep, api, full_page, page, portal_of
from portal.gateway import Answer

router = APIRouter()

# A partner's answer counts as new until the officer opens her notifications (at most a week).
ANSWERS_FOR = timedelta(days=7)
_SEEN = "bell_seen_at"


def _case_worker(officer: Visit) -> bool:
    return bool({"officer", "supervisor"} & set(officer.user.get("roles", [])))


def _since(officer: Visit) -> datetime:
    week_ago = datetime.now(UTC) - ANSWERS_FOR
    seen = officer.session.data.get(_SEEN)
    return max(week_ago, datetime.fromisoformat(seen)) if seen else week_ago


async def _gather(
    request: Request, officer: Visit, answers_since: datetime
) -> tuple[list[Any], list[Any], list[Any]]:
    mine = {"referred_by": "me", "limit": 200}
    tasks, late, answered = await asyncio.gather(
        api(request, officer, "GET", "/api/client/tasks"),
        api(request, officer, "GET", "/api/referrals", params=mine | {"late": "true"}),
        api(
            request,
            officer,
            "GET",
            "/api/referrals",
            params=mine | {"answered_since": answers_since.isoformat()},
        ),
    )
    return _items(tasks), _items(late), _items(answered)


def _items(answer: Answer) -> list[Any]:
    return answer.items if answer.ok else []


@router.get("/bell", response_class=HTMLResponse)
async def bell(request: Request, officer: VisitDep) -> HTMLResponse:
    """The bell's count (a fragment for the header)."""
    if not _case_worker(officer):
        return HTMLResponse("")
    tasks, late, answered = await _gather(request, officer, _since(officer))
    return page(request, officer, "_bell.html", count=len(tasks) + len(late) + len(answered))


@router.get("/notifications", response_class=HTMLResponse)
async def notifications(request: Request, officer: VisitDep) -> HTMLResponse:
    since = _since(officer)
    tasks, late, answered = await _gather(request, officer, datetime.now(UTC) - ANSWERS_FOR)
    answered.sort(key=lambda r: r.get("updated_at") or "", reverse=True)
    for referral in answered:
        referral["new"] = (referral.get("updated_at") or "") >= since.isoformat()
    officer.session.data[_SEEN] = datetime.now(UTC).isoformat()
    await portal_of(request).store.save(officer.session)
    return await full_page(
        request, officer, "notifications.html", tasks=tasks, late=late, answered=answered
    )
