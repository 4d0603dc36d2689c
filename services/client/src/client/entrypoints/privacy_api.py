"""A client's rights over their data, for the officer who takes the request (docs/privacy.md):
record a request, export everything (JSON or PDF), restrict processing, erase."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from client.adapters import export_pdf
from client.adapters.other_services import ServiceDidNotAnswer
from client.domain.subject_request import SubjectRequest
from client.entrypoints.dependencies import CaseWorker, ContainerDep, ContextDep, UowDep
from client.service_layer import privacy
from shared.problems import Problem

router = APIRouter(prefix="/api/clients", tags=["data subject rights"])
requests_router = APIRouter(prefix="/api/client/requests", tags=["data subject rights"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such client in your region"}}
Kind = Literal["access", "correction", "restriction", "lift_restriction", "erasure"]


class NewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    received_at: AwareDatetime | None = Field(
        default=None, description="when the client asked, if before now (at most 30 days)"
    )


class RequestOut(BaseModel):
    id: UUID
    client_id: UUID
    region_code: str
    kind: str
    received_at: datetime
    due_at: datetime = Field(description="3 x 24 hours after it was received (UU 27/2022)")
    recorded_by: str
    done_at: datetime | None
    done_by: str | None
    late: bool

    @classmethod
    def of(cls, request: SubjectRequest, now: datetime) -> RequestOut:
        return cls(**vars(request), late=request.late(now))


class RequestPage(BaseModel):
    items: list[RequestOut]


class Answering(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: UUID | None = Field(
        default=None, description="the request this answers; none: a request received now"
    )


class RestrictionChange(Answering):
    restricted: bool


class RestrictionOut(BaseModel):
    client_id: UUID
    restricted: bool
    request: RequestOut


class ErasureOut(BaseModel):
    client_id: UUID
    request: RequestOut


@router.post(
    "/{client_id}/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=RequestOut,
    responses=NOT_FOUND,
)
async def record_request(
    client_id: UUID, body: NewRequest, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> RequestOut:
    """Write down what the client asked (in the office, by phone, on paper) and when: the
    deadline runs from then."""
    command = privacy.RecordRequest(user, client_id, body.kind, body.received_at)
    return RequestOut.of(await privacy.record_request(command, uow, ctx), ctx.now())


@router.get("/{client_id}/requests", response_model=RequestPage, responses=NOT_FOUND)
async def client_requests(
    client_id: UUID, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> RequestPage:
    found = await privacy.requests_of_client(client_id, user, uow)
    return RequestPage(items=[RequestOut.of(r, ctx.now()) for r in found])


@requests_router.get("", response_model=RequestPage)
async def region_requests(
    user: CaseWorker,
    uow: UowDep,
    ctx: ContextDep,
    late: Annotated[bool, Query(description="only those open past their deadline")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> RequestPage:
    """The requests of your region (a supervisor: the province), soonest due first."""
    found = await privacy.requests(user, uow, ctx, client_id=None, late_only=late, limit=limit)
    return RequestPage(items=[RequestOut.of(r, ctx.now()) for r in found])


@requests_router.post(
    "/{request_id}/answered",
    response_model=RequestOut,
    responses={404: {"description": "no such request in your region"}, 409: {}},
)
async def mark_answered(
    request_id: UUID, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> RequestOut:
    """A request answered outside these calls (a correction, once the record was changed)."""
    return RequestOut.of(await privacy.answer_request(request_id, user, uow, ctx), ctx.now())


@router.put("/{client_id}/restriction", response_model=RestrictionOut, responses=NOT_FOUND)
async def change_restriction(
    client_id: UUID, body: RestrictionChange, user: CaseWorker, uow: UowDep, ctx: ContextDep
) -> RestrictionOut:
    """Restrict processing (no new referral, no message; the record stays) or lift it."""
    command = privacy.Restrict(user, client_id, body.restricted, body.request_id)
    client, request = await privacy.restrict(command, uow, ctx)
    return RestrictionOut(
        client_id=client.id, restricted=client.restricted, request=RequestOut.of(request, ctx.now())
    )


@router.post("/{client_id}/erasure", response_model=ErasureOut, responses=NOT_FOUND)
async def erase(
    client_id: UUID,
    user: CaseWorker,
    uow: UowDep,
    ctx: ContextDep,
    body: Answering | None = None,
) -> ErasureOut:
    """Erase the client: the client service deletes the record, its consents, cases, notes
    and timeline and destroys the client's data key at once; every other service and partner
    follows `jembatan.client.erased.v1` within a minute. The ministry's figures stay."""
    request_id = body.request_id if body else None
    request = await privacy.erase(privacy.Erase(user, client_id, request_id), uow, ctx)
    return ErasureOut(client_id=client_id, request=RequestOut.of(request, ctx.now()))


# The export gathers every service's part under its own key; what each holds is described in
# docs/privacy.md. The document is read as a whole, never as a contract to build on.
EXPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "exported_at": {"type": "string", "format": "date-time"},
        "request_id": {"type": "string", "format": "uuid"},
    },
    "required": ["exported_at", "request_id"],
    "additionalProperties": {"description": "one part per service that keeps something"},
}


@router.get(
    "/{client_id}/export",
    responses={
        **NOT_FOUND,
        200: {
            "content": {
                "application/json": {"schema": EXPORT_SCHEMA},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            }
        },
        503: {"description": "another service did not answer: nothing was exported"},
    },
)
async def export(
    client_id: UUID,
    request: Request,
    user: CaseWorker,
    uow: UowDep,
    ctx: ContextDep,
    container: ContainerDep,
    as_: Annotated[Literal["json", "pdf"], Query(alias="format")] = "json",
    request_id: Annotated[UUID | None, Query(description="the access request this answers")] = None,
) -> Response:
    """Everything Jembatan keeps of the client, from every service: one JSON document, or a
    readable PDF in Bahasa Indonesia. Answers an access request; audited as an export."""
    token = request.headers["authorization"].partition(" ")[2].strip()
    try:
        # The other services first: an export that cannot be complete records nothing.
        others = await container.others.parts_of(client_id, token)
    except ServiceDidNotAnswer as exc:  # a 503, which no shared.errors class answers
        raise Problem(
            503, "Service Unavailable", f"The {exc.part} could not be read; try again."
        ) from None
    own, answered = await privacy.export(client_id, user, uow, ctx, request_id)
    document = jsonable_encoder(
        {
            "exported_at": datetime.now(UTC).isoformat(),
            "request_id": str(answered.id),
            **own,
            **others,
        }
    )
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="data-{client_id}.{as_}"',
    }
    if as_ == "pdf":
        return Response(export_pdf.render(document), media_type="application/pdf", headers=headers)
    return JSONResponse(document, headers=headers)
