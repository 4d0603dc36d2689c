"""HTTP routes of notify: the message log per client, previews for officers, and the
provider's webhooks (delivery reports and inbound replies, signed, no token)."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from notify.adapters.templates import render
from notify.domain import webhooks
from notify.domain.messages import (
    KINDS,
    InvalidContext,
    MessageTooLong,
    PersonalDataInMessage,
    sample_context,
)
from notify.domain.model import Status
from notify.entrypoints.dependencies import ContainerDep
from notify.service_layer import inbound
from shared import db
from shared.auth import CaseWorker
from shared.problems import FieldError, Invalid, NotFound, Problem

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/notifications", tags=["notifications"])


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
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[datetime | None, Query(description="next_cursor of the page before")] = None,
) -> NotificationPage:
    """Every message to a client of your region: channel, status and why, attempts, times."""
    async with container.sessions() as session:
        rows = await container.rules.repository(session).for_client(
            client_id, user.scope, limit, cursor
        )
    next_cursor = rows[-1]["created_at"].isoformat() if len(rows) == limit else None
    return NotificationPage(
        items=[NotificationOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )


class TemplateOut(BaseModel):
    template: str
    variables: list[str]
    max_segments: int


class TemplateList(BaseModel):
    items: list[TemplateOut]


@router.get("/templates", response_model=TemplateList)
async def list_templates(user: CaseWorker) -> TemplateList:
    """The message kinds and the variables each needs."""
    return TemplateList(
        items=[
            TemplateOut(template=k.name, variables=list(k.variables), max_segments=k.max_segments)
            for k in KINDS.values()
        ]
    )


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


# The provider's webhooks: signed over a timestamp, their id and the body (notify.domain.webhooks).


class DeliveryReport(BaseModel):
    message_id: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=200)
    status: Literal["delivered", "failed", "undeliverable"]
    at: AwareDatetime
    reason: str | None = Field(default=None, max_length=200)


class DeliveryRecorded(BaseModel):
    matched: bool = Field(description="the report moved a message")
    duplicate: bool = Field(description="this webhook came before; nothing changed now")


class InboundReceived(BaseModel):
    status: Literal["received"] = "received"


class InboundMessage(BaseModel):
    message_id: str | None = Field(default=None, max_length=200)
    sender: str = Field(alias="from", max_length=32)
    channel: Literal["sms", "whatsapp"]
    text: str = Field(max_length=1600)
    received_at: AwareDatetime | None = Field(
        default=None, description="when the provider received it; the signature's time if absent"
    )


async def _signed_body(
    request: Request, provider: str, signature: str | None, webhook_id: str | None
) -> tuple[webhooks.SignedWebhook, Any]:
    container = request.app.state.container
    settings = container.settings
    if provider != settings.provider_name:
        raise NotFound("provider")
    body = await request.body()
    try:
        webhook = webhooks.verify(
            signature, webhook_id, body, settings.webhook_secrets(), container.rules.clock()
        )
    except webhooks.Refused as refused:
        # The answer is the same whatever failed; the reason is for the operator's log only.
        log.warning("provider webhook refused", extra={"reason": refused.reason})
        raise Problem(401, "Unauthorized", "The webhook's signature does not verify.") from None
    try:
        return webhook, json.loads(body)
    except ValueError:
        raise Invalid([FieldError("body", "is not valid JSON")]) from None


def _parsed(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = [".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()]
        raise Invalid([FieldError(f, "is missing or invalid") for f in fields]) from None


Provider = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]
Signature = Annotated[
    str | None,
    Header(
        alias="X-Provider-Signature",
        description='t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<webhook id>.<raw body>">',
    ),
]
WebhookId = Annotated[
    str | None,
    Header(
        alias="X-Provider-Webhook-Id",
        description="the webhook's own id, the same on every retry ([A-Za-z0-9_-], 1-100)",
    ),
]


def _webhook(model: type[BaseModel]) -> dict[str, Any]:
    """The body documented (it is read raw, to check its signature) and the 401 it may get."""
    return {
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": model.model_json_schema(by_alias=True)}},
            }
        },
        "responses": {
            401: {
                "description": "The signature or the webhook id is missing, malformed or wrong, "
                "or the signature is more than five minutes old or ahead."
            }
        },
    }


@router.post("/webhooks/{provider}/status", **_webhook(DeliveryReport))
async def delivery_status(
    provider: Provider,
    request: Request,
    signature: Signature = None,
    webhook_id: WebhookId = None,
) -> DeliveryRecorded:
    """A delivery report for a message the provider accepted. `matched` says whether it moved
    a message (a status never goes back); `duplicate`, that this webhook came before and
    changed nothing now. Both are 200, so the provider stops retrying."""
    webhook, data = await _signed_body(request, provider, signature, webhook_id)
    report = _parsed(DeliveryReport, data)
    container = request.app.state.container
    with db.all_regions():  # the provider, proven by its signature, reports on any region's
        recorded = await inbound.record_delivery(
            container.sessions,
            container.rules,
            provider,
            webhook,
            report.message_id,
            "delivered" if report.status == "delivered" else "failed",
            report.at,
            # a code, never the provider's own words (they may quote the number)
            None if report.status == "delivered" else f"provider_reported_{report.status}",
        )
    return DeliveryRecorded(matched=recorded == "recorded", duplicate=recorded == "duplicate")


@router.post("/webhooks/{provider}/inbound", **_webhook(InboundMessage))
async def inbound_message(
    provider: Provider,
    request: Request,
    signature: Signature = None,
    webhook_id: WebhookId = None,
) -> InboundReceived:
    """A client's reply; STOP withdraws the notifications consents granted before it. The
    answer never says whether the number belongs to a client, nor whether it came before."""
    webhook, data = await _signed_body(request, provider, signature, webhook_id)
    message = _parsed(InboundMessage, data)
    container = request.app.state.container
    with db.all_regions():  # a reply from any region's client, relayed by the provider
        await inbound.receive_message(
            container.sessions,
            container.rules,
            provider,
            webhook,
            message.sender,
            message.channel,
            message.text,
            message.received_at,
        )
    return InboundReceived()
