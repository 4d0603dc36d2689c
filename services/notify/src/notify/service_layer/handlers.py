"""Notify's use cases asked for by officers: the message log of a client, and previews.

The provider's webhooks are handled in `inbound.py`. Errors are `shared.errors`, answered
once by the app factory: a template that does not exist, or a context it cannot take, is an
`InvalidField` naming `template` or `context`.
"""

from __future__ import annotations

from typing import Any

from notify.adapters.templates import render
from notify.domain.messages import (
    KINDS,
    InvalidContext,
    MessageTooLong,
    PersonalDataInMessage,
    Rendered,
    sample_context,
)
from notify.service_layer.commands import ListNotifications, Preview, PreviewMessage
from notify.service_layer.unit_of_work import NotifyUnitOfWork
from shared.errors import InvalidField


async def list_notifications(cmd: ListNotifications, uow: NotifyUnitOfWork) -> list[dict[str, Any]]:
    """Every message to the client within the caller's region (none outside it)."""
    async with uow:
        return await uow.notifications.for_client(cmd.client_id, cmd.scope, cmd.limit, cmd.before)


async def preview_message(cmd: PreviewMessage, uow: NotifyUnitOfWork) -> Preview:
    """What a client would read, and how many SMS segments it takes. Touches no storage."""
    if cmd.template not in KINDS:
        raise InvalidField("template", "is not a message template")
    context = cmd.context if cmd.context is not None else sample_context(cmd.template, cmd.language)
    shown = _rendered(cmd.template, cmd.language, context)
    return Preview(
        subject=shown.subject,
        text=shown.text,
        encoding=shown.length.encoding,
        characters=shown.length.units,
        sms_segments=shown.length.segments,
    )


def _rendered(template: str, language: str, context: dict[str, str]) -> Rendered:
    """The rendering, its refusals said as a problem with the `context` field."""
    try:
        return render(template, language, context)
    except InvalidContext as exc:
        raise InvalidField("context", str(exc)) from None
    except PersonalDataInMessage:
        raise InvalidField("context", "must not contain a NIK or a phone number") from None
    except MessageTooLong:
        raise InvalidField("context", "makes the message too long for SMS") from None
