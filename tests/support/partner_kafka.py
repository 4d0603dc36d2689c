"""A partner's Kafka consumer as a bank would build it: OAUTHBEARER on the partner listener
(127.0.0.1:9096), with a token of its Keycloak client, the same credentials as for the API."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.abc import AbstractTokenProvider

from shared.oidc import client_credentials
from support import stack

LISTENER = "127.0.0.1:9096"


class ClientCredentials(AbstractTokenProvider):
    """A fresh client-credentials token per connection (tests connect a few times)."""

    def __init__(self, client_id: str, secret: str) -> None:
        self._client_id, self._secret = client_id, secret

    async def token(self) -> str:
        answer = await asyncio.to_thread(
            client_credentials, stack.KEYCLOAK, stack.REALM, self._client_id, self._secret
        )
        return str(answer["access_token"])


class Fixed(AbstractTokenProvider):
    """One given token, whatever it is (expired, of another realm, not a token)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token


def partner(code: str, secret: str | None = None) -> ClientCredentials:
    client_id = f"partner-{code}"
    return ClientCredentials(client_id, secret or stack.SECRETS[client_id])


def consumer(tokens: AbstractTokenProvider, *topics: str, **options: Any) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=LISTENER,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="OAUTHBEARER",
        sasl_oauth_token_provider=tokens,
        **({"enable_auto_commit": False, "request_timeout_ms": 10_000} | options),
    )
