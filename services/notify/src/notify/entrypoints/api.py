"""HTTP routes of notify: the message log per client, previews for officers, and the
provider's webhooks (delivery reports and inbound replies, signed, no token).

Each route reads its input, sends one command on the bus and shapes the answer; errors are
`shared.errors` raised by the handlers (and the webhooks' signature check), answered as
problem+json by the app factory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from notify.domain.messages import KINDS
from notify.entrypoints.dependencies import Bus
from notify.entrypoints.provider_webhooks import (
    Provider,
    Signature,
    WebhookId,
    documented,
    parsed,
    signed_body,
)
from notify.entrypoints.schemas import (
    DeliveryRecorded,
    DeliveryReport,
    InboundMessage,
    InboundReceived,
    NotificationOut,
    NotificationPage,
    PreviewIn,
    PreviewOut,
    TemplateList,
    TemplateOut,
)
from notify.service_layer import commands
from shared import db
from shared.auth import CaseWorker

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage)
async def list_notifications(
    client_id: UUID,
    user: CaseWorker,
    bus: Bus,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[datetime | None, Query(description="next_cursor of the page before")] = None,
) -> NotificationPage:
    """Every message to a client of your region: channel, status and why, attempts, times."""
    rows = await bus.handle(commands.ListNotifications(client_id, user.scope, limit, cursor))
    next_cursor = rows[-1]["created_at"].isoformat() if len(rows) == limit else None
    return NotificationPage(
        items=[NotificationOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )


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
async def preview(body: PreviewIn, user: CaseWorker, bus: Bus) -> PreviewOut:
    """What a client would read, and how many SMS segments it takes."""
    shown = await bus.handle(commands.PreviewMessage(body.template, body.language, body.context))
    return PreviewOut(
        template=body.template,
        language=body.language,
        subject=shown.subject,
        text=shown.text,
        encoding=shown.encoding,
        characters=shown.characters,
        sms_segments=shown.sms_segments,
    )


# The provider's webhooks: signed over a timestamp, their id and the body (notify.domain.webhooks).


@router.post("/webhooks/{provider}/status", **documented(DeliveryReport))
async def delivery_status(
    provider: Provider,
    request: Request,
    bus: Bus,
    signature: Signature = None,
    webhook_id: WebhookId = None,
) -> DeliveryRecorded:
    """A delivery report for a message the provider accepted. `matched` says whether it moved
    a message (a status never goes back); `duplicate`, that this webhook came before and
    changed nothing now. Both are 200, so the provider stops retrying."""
    webhook, data = await signed_body(request, provider, signature, webhook_id)
    report = parsed(DeliveryReport, data)
    command = commands.RecordDelivery(
        provider,
        webhook,
        report.message_id,
        "delivered" if report.status == "delivered" else "failed",
        report.at,
        # a code, never the provider's own words (they may quote the number)
        None if report.status == "delivered" else f"provider_reported_{report.status}",
    )
    with db.all_regions():  # the provider, proven by its signature, reports on any region's
        recorded = await bus.handle(command)
    return DeliveryRecorded(matched=recorded == "recorded", duplicate=recorded == "duplicate")


@router.post("/webhooks/{provider}/inbound", **documented(InboundMessage))
async def inbound_message(
    provider: Provider,
    request: Request,
    bus: Bus,
    signature: Signature = None,
    webhook_id: WebhookId = None,
) -> InboundReceived:
    """A client's reply; STOP withdraws the notifications consents granted before it. The
    answer never says whether the number belongs to a client, nor whether it came before."""
    webhook, data = await signed_body(request, provider, signature, webhook_id)
    message = parsed(InboundMessage, data)
    command = commands.ReceiveReply(
        provider,
        webhook,
        message.sender,
        message.channel,
        message.text,
        message.received_at,
    )
    with db.all_regions():  # a reply from any region's client, relayed by the provider
        await bus.handle(command)
    return InboundReceived()
