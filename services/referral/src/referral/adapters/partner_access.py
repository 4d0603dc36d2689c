"""What a partner needs outside the catalogue: its Keycloak client (the credentials it uses
for the partner API and, as OAUTHBEARER tokens, for Kafka), its Kafka topic and the ACLs that
let it read that topic alone. Each call makes or removes one of them and is idempotent, so an
onboarding interrupted half-way is completed by running it again.

The Keycloak side uses the referral service's onboarding account, which may manage clients
and nothing more (realm-management `manage-clients`): the partner's role and `partner_code`
are hardcoded protocol mappers of its client, not role grants to a user.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from shared.contracts import partner as partner_contracts
from shared.kafka_security import KafkaSecurity

# The partner contract: three partitions (keyed by referral id), and every offer gone within
# 71 hours (70 h retention + 1 h segments), inside the 72 hours UU 27/2022 allows after a
# withdrawal (docs/partners.md, infra/kafka/topics.txt).
PARTITIONS = 3
RETENTION = timedelta(hours=70)
SEGMENT = timedelta(hours=1)


def client_id_of(code: str) -> str:
    """Also the partner's Kafka principal: the broker names a token's holder by its `azp`."""
    return f"partner-{code}"


def acls_of(code: str) -> list[Any]:
    """What deploy/k8s gives every partner: read its own topic, in the consumer group
    `partner-<code>` or any group named `partner-<code>.<anything>` (a partner code has no
    dot, so no other partner's groups match)."""
    from kafka.admin import (
        ACL,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePattern,
        ResourceType,
    )

    principal, group = f"User:{client_id_of(code)}", client_id_of(code)
    topic = ResourcePattern(ResourceType.TOPIC, partner_contracts.topic_for(code))
    resources = [
        (topic, ACLOperation.READ),
        (topic, ACLOperation.DESCRIBE),
        (ResourcePattern(ResourceType.GROUP, group), ACLOperation.READ),
        (
            ResourcePattern(ResourceType.GROUP, f"{group}.", ACLResourcePatternType.PREFIXED),
            ACLOperation.READ,
        ),
    ]
    return [
        ACL(principal, "*", operation, ACLPermissionType.ALLOW, pattern)
        for pattern, operation in resources
    ]


def _client(code: str, name: str) -> dict[str, Any]:
    claim = {"access.token.claim": "true", "introspection.token.claim": "true"}
    return {
        "clientId": client_id_of(code),
        "name": f"Partner: {name}",
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True,
        "attributes": {"client.use.lightweight.access.token.enabled": "false"},
        "protocolMappers": [
            {
                "name": "audience jembatan-api",
                "protocol": "openid-connect",
                "protocolMapper": "oidc-audience-mapper",
                "config": {"included.custom.audience": "jembatan-api", **claim},
            },
            {
                # The broker takes only tokens meant for it (infra/kafka/server.properties.in).
                "name": "audience kafka",
                "protocol": "openid-connect",
                "protocolMapper": "oidc-audience-mapper",
                "config": {"included.custom.audience": "kafka", **claim},
            },
            {
                "name": "partner_code",
                "protocol": "openid-connect",
                "protocolMapper": "oidc-hardcoded-claim-mapper",
                "config": {
                    "claim.name": "partner_code",
                    "claim.value": code,
                    "jsonType.label": "String",
                    **claim,
                },
            },
            {
                "name": "role partner",
                "protocol": "openid-connect",
                "protocolMapper": "oidc-hardcoded-role-mapper",
                "config": {"role": "partner"},
            },
        ],
    }


class PartnerAccess:
    def __init__(
        self,
        keycloak_url: str,
        realm: str,
        client_id: str,
        client_secret: str,
        kafka_bootstrap_servers: str,
        kafka_security: KafkaSecurity,
        replicas: int = 1,
    ) -> None:
        self._connection = KeycloakOpenIDConnection(
            server_url=keycloak_url.rstrip("/") + "/",
            realm_name=realm,
            client_id=client_id,
            client_secret_key=client_secret,
            timeout=10,
        )
        self._kafka = {
            "bootstrap_servers": kafka_bootstrap_servers.split(","),
            "client_id": "referral-onboarding",
            "request_timeout_ms": 15_000,
            **kafka_security.kafka_python(),
        }
        self._replicas = replicas

    async def ensure_client(self, code: str, name: str) -> None:
        await asyncio.to_thread(self._ensure_client, code, name)

    async def remove_client(self, code: str) -> None:
        await asyncio.to_thread(self._remove_client, code)

    async def new_secret(self, code: str) -> str | None:
        """A new secret for the partner's client (the old one stops working); None when the
        partner has no client."""
        return await asyncio.to_thread(self._new_secret, code)

    async def ensure_topic(self, code: str) -> None:
        await asyncio.to_thread(self._ensure_topic, code)

    async def remove_topic(self, code: str) -> None:
        await asyncio.to_thread(self._remove_topic, code)

    async def ensure_acls(self, code: str) -> None:
        await asyncio.to_thread(self._ensure_acls, code)

    async def remove_acls(self, code: str) -> None:
        await asyncio.to_thread(self._remove_acls, code)

    def _keycloak(self) -> KeycloakAdmin:
        return KeycloakAdmin(connection=self._connection)

    def _ensure_client(self, code: str, name: str) -> None:
        self._keycloak().create_client(_client(code, name), skip_exists=True)

    def _remove_client(self, code: str) -> None:
        admin = self._keycloak()
        internal_id = admin.get_client_id(client_id_of(code))
        if internal_id is not None:
            admin.delete_client(internal_id)

    def _new_secret(self, code: str) -> str | None:
        admin = self._keycloak()
        internal_id = admin.get_client_id(client_id_of(code))
        if internal_id is None:
            return None
        return str(admin.generate_client_secrets(internal_id)["value"])

    def _ensure_topic(self, code: str) -> None:
        from kafka import KafkaAdminClient
        from kafka.admin import NewTopic
        from kafka.errors import TopicAlreadyExistsError

        topic = NewTopic(
            partner_contracts.topic_for(code),
            num_partitions=PARTITIONS,
            replication_factor=self._replicas,
            topic_configs={
                "retention.ms": str(int(RETENTION.total_seconds() * 1000)),
                "segment.ms": str(int(SEGMENT.total_seconds() * 1000)),
            },
        )
        admin = KafkaAdminClient(**self._kafka)
        try:
            admin.create_topics([topic])
        except TopicAlreadyExistsError:
            pass  # made by an earlier, interrupted onboarding (or by hand)
        finally:
            admin.close()

    def _remove_topic(self, code: str) -> None:
        from kafka import KafkaAdminClient
        from kafka.errors import UnknownTopicOrPartitionError

        admin = KafkaAdminClient(**self._kafka)
        try:
            admin.delete_topics([partner_contracts.topic_for(code)])
        except UnknownTopicOrPartitionError:
            pass  # removed by an earlier, interrupted offboarding
        finally:
            admin.close()

    def _ensure_acls(self, code: str) -> None:
        """Creating an ACL that exists is a no-op for the broker."""
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(**self._kafka)
        try:
            failed = admin.create_acls(acls_of(code))["failed"]
        finally:
            admin.close()
        if failed:
            raise failed[0]()

    def _remove_acls(self, code: str) -> None:
        """Every ACL of the partner's principal, whoever added it; none left is no error."""
        from kafka import KafkaAdminClient
        from kafka.admin import (
            ACLFilter,
            ACLOperation,
            ACLPermissionType,
            ACLResourcePatternType,
            ResourcePatternFilter,
            ResourceType,
        )

        everything = ACLFilter(
            f"User:{client_id_of(code)}",
            None,
            ACLOperation.ANY,
            ACLPermissionType.ANY,
            ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
        )
        admin = KafkaAdminClient(**self._kafka)
        try:
            [(_, _, error)] = admin.delete_acls([everything])
        finally:
            admin.close()
        if error.errno != 0:
            raise error()
