"""How a service authenticates to Kafka: SCRAM, and in a cluster over TLS.

Each service is its own Kafka user with a SCRAM-SHA-512 password, and ACLs allow it only its
own topics. In Kubernetes (deploy/k8s) it is a Strimzi `KafkaUser`, over TLS signed by the
cluster's CA; the local broker (infra/kafka) has the same users and ACLs on its SCRAM
listener, without the TLS. The settings (`<SERVICE>_KAFKA_*`) become one `KafkaSecurity`,
which speaks each client library: kafka-python's keyword arguments (the relays, the
watchdog, admin tools), faust's credentials (the workers) and aiokafka's arguments (the
webhook dispatcher).

The local broker also has an admin (SASL PLAIN, a super user) for its start script, the
tests and the operator's tools: `local_admin()`.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from typing import Any, Literal

Protocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: Protocol = "PLAINTEXT"
    mechanism: Mechanism | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log line
    cafile: str | None = None  # the CA that signed the brokers' certificates

    def __post_init__(self) -> None:
        if self.sasl and not (self.mechanism and self.username and self.password):
            raise ValueError(f"{self.protocol} needs a SASL mechanism, a username and a password")

    @property
    def sasl(self) -> bool:
        return self.protocol.startswith("SASL")

    @property
    def tls(self) -> bool:
        return self.protocol.endswith("SSL")

    def kafka_python(self) -> dict[str, Any]:
        """Keyword arguments of kafka-python's producer, consumer and admin client."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.sasl:
            options |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        if self.tls and self.cafile:
            options["ssl_cafile"] = self.cafile
        return options

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments of aiokafka's consumer (the webhook dispatcher reads with it):
        kafka-python's, with the CA as an SSL context instead of a file."""
        from aiokafka.helpers import create_ssl_context

        options = {k: v for k, v in self.kafka_python().items() if k != "ssl_cafile"}
        if self.tls:
            options["ssl_context"] = create_ssl_context(cafile=self.cafile)
        return options

    def faust_credentials(self) -> Any:
        """faust's `broker_credentials` (None in plain text)."""
        import faust

        context = ssl.create_default_context(cafile=self.cafile) if self.tls else None
        if self.sasl:
            return faust.SASLCredentials(
                username=self.username,
                password=self.password,
                mechanism=self.mechanism,
                ssl_context=context,
            )
        return faust.SSLCredentials(context) if context is not None else None


def local_admin() -> KafkaSecurity:
    """The local broker's admin (infra/kafka/server.properties.in), a development secret;
    `KAFKA_ADMIN_USER` and `KAFKA_ADMIN_PASSWORD` override it."""
    return KafkaSecurity(
        protocol="SASL_PLAINTEXT",
        mechanism="PLAIN",
        username=os.environ.get("KAFKA_ADMIN_USER", "jembatan-admin"),
        password=os.environ.get("KAFKA_ADMIN_PASSWORD", "dev-only-kafka-admin"),
    )
