"""Reading a provider's webhook: its signature checked over the raw bytes before anything
is parsed (`notify.domain.webhooks`), then its JSON body read into its model.

This is the webhooks' authentication, as `shared.auth` is the officers': one 401 whatever
failed (the reason only in notify's log), an unknown provider 404, and a body that is not
JSON or not the model a 422 naming the fields. The routes take the verified webhook and
its body from here and translate nothing themselves.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, TypeVar

from fastapi import Header, Path, Request
from pydantic import BaseModel, ValidationError

from notify.bootstrap import Container
from notify.domain import webhooks
from shared.errors import FieldProblem, InvalidField, NotFound
from shared.problems import Problem

# The refusals are logged under the routes' name, as they were before this module was cut out.
log = logging.getLogger("notify.entrypoints.api")
M = TypeVar("M", bound=BaseModel)

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


def documented(model: type[BaseModel]) -> dict[str, Any]:
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


async def signed_body(
    request: Request, provider: str, signature: str | None, webhook_id: str | None
) -> tuple[webhooks.SignedWebhook, Any]:
    """The verified webhook and its JSON body, in that order of checks."""
    container: Container = request.app.state.container
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
        raise InvalidField("body", "is not valid JSON") from None


def parsed(model: type[M], data: Any) -> M:
    """`data` as `model`, or a 422 naming each field at fault (never echoing a value)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = [".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()]
        raise InvalidField.of([FieldProblem(f, "is missing or invalid") for f in fields]) from None
