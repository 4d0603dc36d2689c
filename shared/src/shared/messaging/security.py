"""How a service authenticates to Kafka: nothing locally, TLS and SCRAM in a cluster.

The local stack's broker listens in plain text on loopback. In Kubernetes (deploy/k8s) each
service is a Strimzi `KafkaUser` with a SCRAM-SHA-512 password, over TLS signed by the
cluster's CA, and its ACLs allow only its own topics. The settings (`<SERVICE>_KAFKA_*`)
become one `KafkaSecurity`, which speaks each client library: kafka-python's keyword
arguments (the relays, the watchdog, admin tools), faust's credentials (the workers) and
aiokafka's arguments (the webhook dispatcher).
"""

from __future__ import annotations

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
        """Keyword arguments of aiokafka's consumer (the webhook dispatcher reads with it)."""
        from aiokafka.helpers import create_ssl_context

        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.sasl:
            options |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
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
