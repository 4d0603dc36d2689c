"""Client sheets in the portal: upload a workshop's sheet, follow its registration as it runs
in the client service (a progress bar that polls, never a long request), read the refused
rows with their reasons in the officer's language, and download them as CSV to fix the sheet.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from portal import sheet_reasons
from portal.dependencies import PostDep, Visit, VisitDep, api, full_page, page
from portal.rendering import translator_for

router = APIRouter()

MAX_SHEET_BYTES = 5 * 1024 * 1024  # as the client service takes them


def _upload_page(
    request: Request, officer: Visit, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    return page(
        request,
        officer,
        "imports.html",
        status_code,
        error=error,
        columns=sheet_reasons.COLUMNS,
    )


@router.get("/clients/imports", response_class=HTMLResponse)
async def upload_form(request: Request, officer: VisitDep) -> HTMLResponse:
    return _upload_page(request, officer)


@router.post("/clients/imports")
async def upload(request: Request, officer: PostDep) -> Response:
    """Hand the sheet to the client service and follow its job."""
    _ = translator_for(request)
    form = await request.form()
    sheet = form.get("file")
    if not isinstance(sheet, UploadFile) or not sheet.filename:
        return _upload_page(request, officer, _("Choose a .csv or .xlsx file."), 422)
    content = await sheet.read(MAX_SHEET_BYTES + 1)
    if len(content) > MAX_SHEET_BYTES:
        return _upload_page(request, officer, _("The file is larger than 5 MB."), 422)
    answer = await api(
        request,
        officer,
        "POST",
        "/api/clients/import-jobs",
        files={"file": (sheet.filename, content)},
    )
    if not answer.ok:
        return _upload_page(request, officer, _("Choose a .csv or .xlsx file."), 422)
    return RedirectResponse(f"/clients/imports/{answer.body['id']}", status_code=303)


def _report(job: dict[str, Any], _: Any) -> dict[str, Any] | None:
    report: dict[str, Any] | None = job.get("report")
    if not report:
        return None
    return report | {
        "reasons": [
            {
                "row": r["row"],
                "column": sheet_reasons.column(r["field"]),
                "reason": sheet_reasons.reason(r["field"], r["message"], _),
            }
            for r in report["rejected"]
        ],
    }


async def _job(request: Request, officer: Visit, job_id: str) -> dict[str, Any]:
    found = await api(request, officer, "GET", f"/api/clients/import-jobs/{job_id}")
    if not found.ok:  # not a job id at all (422): as good as not found
        raise HTTPException(status_code=404)
    job: dict[str, Any] = found.body
    _ = translator_for(request)
    why = sheet_reasons.unreadable(job["error"], _) if job["error"] else None
    return job | {"report": _report(job, _), "error": why}


@router.get("/clients/imports/{job_id}", response_class=HTMLResponse)
async def job_page(request: Request, officer: VisitDep, job_id: str) -> HTMLResponse:
    job = await _job(request, officer, job_id)
    return await full_page(request, officer, "import_job.html", job=job)


@router.get("/clients/imports/{job_id}/progress", response_class=HTMLResponse)
async def job_progress(request: Request, officer: VisitDep, job_id: str) -> HTMLResponse:
    """The progress (and, once done, the report) alone: what the page polls."""
    job = await _job(request, officer, job_id)
    return page(request, officer, "_import_progress.html", job=job)


@router.get("/clients/imports/{job_id}/report.csv")
async def report_csv(request: Request, officer: VisitDep, job_id: str) -> Response:
    job = await _job(request, officer, job_id)
    report = job["report"]
    if report is None:
        raise HTTPException(status_code=404)
    _ = translator_for(request)
    unlisted = report["rejected_total"] - len(report["rejected"])
    body = sheet_reasons.report_csv(report["rejected"], unlisted, _)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="laporan-{job_id}.csv"',
            "Cache-Control": "no-store",
        },
    )
