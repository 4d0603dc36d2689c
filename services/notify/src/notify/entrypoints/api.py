"""HTTP routes of notify: the message log per client, previews for officers, and the
provider's webhooks (delivery reports and inbound replies, signed, no token)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notify.adapters.templates import render
from notify.domain.messages import (
    KINDS,
    InvalidContext,
    MessageTooLong,
    PersonalDataInMessage,
    sample_context,
)
from notify.domain.model import Status
from notify.service_layer import inbound
from shared import db
from shared.auth import Principal, require_roles
from shared.problems import FieldError, Invalid, NotFound, Problem

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
CaseWorker = Annotated[Principal, Depends(require_roles("officer", "supervisor"))]


class NotificationOut(BaseModel):
    id: UUID
    event_id: UUID = Field(description="the event this message answers")
    client_id: UUID
    template: str
    language: str
    channel: str
    status: Status
    reason: str | None = Field(
        description="why it was suppressed or failed (e.g. no_consent), or the last retry's cause"
    )
    attempts: int
    not_before: datetime | None = Field(description="not sent before (quiet hours, retries)")
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str
    language: Literal["id", "en"] = "id"
    context: dict[str, str] | None = Field(
        default=None, description="the template's variables; omitted: the longest sample values"
    )


class PreviewOut(BaseModel):
    template: str
    language: str
    subject: str
    text: str
    encoding: str
    characters: int
    sms_segments: int


@router.get("", response_model=NotificationPage)
async def list_notifications(
    client_id: UUID,
    user: CaseWorker,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[datetime | None, Query(description="next_cursor of the page before")] = None,
) -> NotificationPage:
    """Every message to a client of your region: channel, status and why, attempts, times."""
    container = request.app.state.container
    async with container.sessions() as session:
        rows = await container.rules.repository(session).for_client(
            client_id, user.scope, limit, cursor
        )
    next_cursor = rows[-1]["created_at"].isoformat() if len(rows) == limit else None
    return NotificationPage(
        items=[NotificationOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get("/templates")
async def list_templates(user: CaseWorker) -> dict[str, Any]:
    """The message kinds and the variables each needs."""
    return {
        "items": [
            {"template": k.name, "variables": list(k.variables), "max_segments": k.max_segments}
            for k in KINDS.values()
        ]
    }


@router.post("/preview", response_model=PreviewOut)
async def preview(body: PreviewIn, user: CaseWorker) -> PreviewOut:
    """What a client would read, and how many SMS segments it takes."""
    if body.template not in KINDS:
        raise Invalid([FieldError("template", "is not a message template")])
    context = (
        body.context if body.context is not None else sample_context(body.template, body.language)
    )
    try:
        shown = render(body.template, body.language, context)
    except InvalidContext as exc:
        raise Invalid([FieldError("context", str(exc))]) from None
    except PersonalDataInMessage:
        raise Invalid([FieldError("context", "must not contain a NIK or a phone number")]) from None
    except MessageTooLong:
        raise Invalid([FieldError("context", "makes the message too long for SMS")]) from None
    return PreviewOut(
        template=body.template,
        language=body.language,
        subject=shown.subject,
        text=shown.text,
        encoding=shown.length.encoding,
        characters=shown.length.units,
        sms_segments=shown.length.segments,
    )


# The provider's webhooks: authenticated by an HMAC of the body with the shared secret.


class DeliveryReport(BaseModel):
    message_id: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=200)
    status: Literal["delivered", "failed", "undeliverable"]
    at: datetime
    reason: str | None = Field(default=None, max_length=200)


class InboundMessage(BaseModel):
    message_id: str | None = Field(default=None, max_length=200)
    sender: str = Field(alias="from", max_length=32)
    channel: Literal["sms", "whatsapp"]
    text: str = Field(max_length=1600)
    received_at: datetime | None = None


async def _signed_body(request: Request, provider: str, signature: str | None) -> Any:
    settings = request.app.state.container.settings
    if provider != settings.provider_name:
        raise NotFound("provider")
    body = await request.body()
    secret = settings.provider_webhook_secret.get_secret_value().encode()
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    if signature is None or not hmac.compare_digest(signature, expected):
        raise Problem(401, "Unauthorized", "The webhook signature does not match.")
    try:
        return json.loads(body)
    except ValueError:
        raise Invalid([FieldError("body", "is not valid JSON")]) from None


def _parsed(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = [".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()]
        raise Invalid([FieldError(f, "is missing or invalid") for f in fields]) from None


Provider = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]
Signature = Annotated[str | None, Header(alias="X-Provider-Signature")]


def _webhook(model: type[BaseModel]) -> dict[str, Any]:
    """The body documented (it is read raw, to check its signature) and the 401 it may get."""
    return {
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": model.model_json_schema(by_alias=True)}},
            }
        },
        "responses": {401: {"description": "The X-Provider-Signature does not match."}},
    }


@router.post("/webhooks/{provider}/status", **_webhook(DeliveryReport))
async def delivery_status(
    provider: Provider, request: Request, signature: Signature = None
) -> dict[str, bool]:
    """A delivery report for a message the provider accepted."""
    report = _parsed(DeliveryReport, await _signed_body(request, provider, signature))
    container = request.app.state.container
    with db.all_regions():  # the provider, proven by its signature, reports on any region's
        matched = await inbound.record_delivery(
            container.sessions,
            container.rules,
            report.message_id,
            report.status == "delivered",
            report.at,
            # a code, never the provider's own words (they may quote the number)
            None if report.status == "delivered" else f"provider_reported_{report.status}",
        )
    return {"matched": matched}


@router.post("/webhooks/{provider}/inbound", **_webhook(InboundMessage))
async def inbound_message(
    provider: Provider, request: Request, signature: Signature = None
) -> dict[str, str]:
    """A client's reply; STOP withdraws their notifications consent. The answer never says
    whether the number belongs to a client."""
    message = _parsed(InboundMessage, await _signed_body(request, provider, signature))
    container = request.app.state.container
    with db.all_regions():  # a reply from any region's client, relayed by the provider
        await inbound.receive_message(
            container.sessions,
            container.rules,
            message.sender,
            message.channel,
            message.text,
            message.received_at or datetime.now(UTC),
        )
    return {"status": "received"}
