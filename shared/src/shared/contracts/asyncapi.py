"""Writes docs/asyncapi.yaml (AsyncAPI 3) from the contracts: `python -m shared.contracts.asyncapi`.

The document is generated so it cannot drift from the code: a test regenerates it and
compares, and another validates it with the AsyncAPI parser.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.contracts import notify as notify_contracts
from shared.contracts import partner as partner_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts

_HOUR_MS = 3600 * 1000
_DAY_MS = 24 * _HOUR_MS
# How long a topic keeps a record (`retention.ms`), and how often its log starts a new segment
# (`segment.ms`): Kafka deletes whole closed segments only, so a record is gone at most
# retention + segment (+ the broker's five-minute check) after it was written. Why these
# values: deploy/k8s/components/strimzi-kafka/README.md; the KafkaTopics and
# infra/kafka/topics.txt hold the same (tests/deploy/test_kafka.py).
INTERNAL_RETENTION = {"retention.ms": 30 * _DAY_MS, "segment.ms": _DAY_MS}
DEAD_LETTER_RETENTION = {"retention.ms": 30 * _DAY_MS, "segment.ms": _DAY_MS}
# A withdrawn consent promises erasure within 3 x 24 hours (UU 27/2022): 70 h + 1 h segments
# keep every offer less than 72 hours.
PARTNER_RETENTION = {"retention.ms": 70 * _HOUR_MS, "segment.ms": _HOUR_MS}

# The referral service's webhook dispatcher (decision 0021): its failures are rows of
# `webhook_dead_letters`, not a dead-letter topic.
WEBHOOKS_GROUP = "referral-webhooks"

# Each internal topic: who writes it, who reads it (consumer group), and what it carries.
TOPICS: dict[str, dict[str, Any]] = {
    client_contracts.TOPIC: {
        "producer": "client",
        "consumers": ["notify", "client-timeline", "referral", "training", "indicators"],
        # The retired v1 types stay documented while their records may remain on the topic.
        "contracts": [*client_contracts.PUBLISHED, *client_contracts.RETIRED],
        "retired": client_contracts.RETIRED,
        "partitions": 3,
        "retention": INTERNAL_RETENTION,
    },
    referral_contracts.TOPIC: {
        "producer": "referral",
        "consumers": ["client-timeline", "notify", "indicators"],
        "contracts": referral_contracts.PUBLISHED,
        "partitions": 3,
        "retention": INTERNAL_RETENTION,
    },
    **{
        partner_contracts.topic_for(code): {
            "producer": "referral",
            # the partner itself, or, for a partner with a callback URL, the webhook dispatcher
            "consumers": [f"partner-{code}", WEBHOOKS_GROUP],
            "contracts": partner_contracts.PUBLISHED,
            "partitions": 3,
            "retention": PARTNER_RETENTION,
            "key": "the referral id",
        }
        for code in ("bank-nusantara", "dompet-rakyat")
    },
    training_contracts.TOPIC: {
        "producer": "training",
        "consumers": ["client-timeline", "notify", "referral", "indicators"],
        "contracts": training_contracts.PUBLISHED,
        "partitions": 3,
        "retention": INTERNAL_RETENTION,
    },
    notify_contracts.TOPIC: {
        "producer": "notify",
        # client-timeline also turns `opted_out` into a consent withdrawal
        "consumers": ["client-timeline"],
        "contracts": notify_contracts.PUBLISHED,
        "partitions": 3,
        "retention": INTERNAL_RETENTION,
    },
}

HEADERS = {
    "type": "object",
    "required": ["ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time"],
    "properties": {
        "ce_id": {
            "type": "string",
            "format": "uuid",
            "description": "event id; consumers dedupe on it",
        },
        "ce_type": {"type": "string", "description": "jembatan.<entity>.<action>.v<major>"},
        "ce_source": {"type": "string", "description": "/services/<service>"},
        "ce_subject": {"type": "string", "description": "<entity>/<id>"},
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_time": {"type": "string", "format": "date-time"},
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {"type": "string", "description": "W3C trace context"},
    },
}


def _duration(retention: dict[str, int]) -> str:
    """`retention.ms` in words, with the bound that segments put on it."""
    keep, segment = retention["retention.ms"], retention["segment.ms"]
    if keep % _DAY_MS == 0 and segment % _DAY_MS == 0:
        return f"{keep // _DAY_MS} days (gone within {(keep + segment) // _DAY_MS})"
    return f"{keep // _HOUR_MS} hours (gone within {(keep + segment) // _HOUR_MS})"


def _message_name(contract: type[Contract]) -> str:
    return contract.TYPE.removeprefix("jembatan.").replace(".", "_")


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic, spec in TOPICS.items():
        channel = topic.replace(".", "_")
        names = []
        for contract in spec["contracts"]:
            name = _message_name(contract)
            names.append(name)
            retired = contract in spec.get("retired", ())
            schema = contract.model_json_schema(ref_template="#/components/schemas/{model}")
            messages[name] = {
                "name": contract.TYPE,
                "title": contract.TYPE,
                "summary": ("Retired: no longer published, still read. " if retired else "")
                + (contract.__doc__ or "").strip().splitlines()[0],
                "contentType": "application/json",
                "headers": HEADERS,
                "payload": {k: v for k, v in schema.items() if k != "$defs"},
                "bindings": {
                    "kafka": {
                        "key": {
                            "type": "string",
                            "format": "uuid",
                            "description": spec.get("key", "the client id"),
                        }
                    }
                },
                "examples": [
                    {
                        "name": "example",
                        "headers": {
                            "ce_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                            "ce_type": contract.TYPE,
                            "ce_source": f"/services/{spec['producer']}",
                            "ce_specversion": "1.0",
                            "ce_time": "2026-11-29T03:15:00Z",
                        },
                        "payload": contract.EXAMPLE,
                    }
                ],
            }
            for def_name, definition in schema.get("$defs", {}).items():
                messages.setdefault("__schemas__", {})[def_name] = definition
        kafka: dict[str, Any] = {
            "topicConfiguration": {"cleanup.policy": ["delete"], **spec["retention"]},
            "bindingVersion": "0.5.0",
        }
        description = (
            f"Written by {spec['producer']} through its outbox relay; "
            f"{spec['partitions']} partitions locally; kept {_duration(spec['retention'])}."
        )
        if any(_has_dead_letter_topic(group) for group in spec["consumers"]):
            kafka["x-dead-letters"] = {
                "topic": f"{topic}.dlq",
                "topicConfiguration": {"cleanup.policy": ["delete"], **DEAD_LETTER_RETENTION},
            }
            description += f" Dead letters on {topic}.dlq, kept {_duration(DEAD_LETTER_RETENTION)}."
        channels[channel] = {
            "address": topic,
            "description": description,
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
            "bindings": {"kafka": kafka},
        }
        operations[f"{spec['producer']}_publishes_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"{spec['producer']} publishes (transactional outbox, at least once)",
        }
        for group in spec["consumers"]:
            how = (
                "signed webhooks to the partner's callback URL, at least once"
                if group == WEBHOOKS_GROUP
                else "inbox: each event's effect exactly once"
            )
            operations[f"{group.replace('-', '_')}_consumes_{channel}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"consumer group {group} ({how})",
            }
    schemas = messages.pop("__schemas__", {})
    return {
        "asyncapi": "3.1.0",
        "info": {
            "title": "Jembatan events",
            "version": "1.0.0",
            "description": "Internal topics of the Jembatan services (docs/contract.md §6). "
            "Generated from shared/contracts by `python -m shared.contracts.asyncapi`.",
        },
        "servers": {
            "local-services": {
                "host": "127.0.0.1:9095",
                "protocol": "kafka",
                "description": "make up: the services, each as its own SCRAM-SHA-512 user "
                "(in a cluster over TLS).",
                "security": [{"$ref": "#/components/securitySchemes/service"}],
            },
            "local-partners": {
                "host": "127.0.0.1:9096",
                "protocol": "kafka",
                "description": "make up: partners, SASL OAUTHBEARER with a token of their own "
                "Keycloak client (audience kafka); each reads its own topic only.",
                "security": [{"$ref": "#/components/securitySchemes/partner"}],
            },
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "securitySchemes": {
                "service": {"type": "scramSha512"},
                "partner": {
                    "type": "oauth2",
                    "description": "Client credentials of the partner's Keycloak client, "
                    "the same as for the partner API.",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": LOCAL_TOKEN_URL,
                            "availableScopes": {},
                        }
                    },
                },
            },
        },
    }


def _has_dead_letter_topic(group: str) -> bool:
    """Our workers park what they cannot handle beside the topic (shared/messaging)."""
    return not group.startswith("partner-") and group != WEBHOOKS_GROUP


LOCAL_TOKEN_URL = "http://localhost:8180/realms/jembatan/protocol/openid-connect/token"  # noqa: S105


def render() -> str:
    # JSON is valid YAML; it keeps the generator free of a YAML dependency.
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/asyncapi.yaml")
    target.write_text(render())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
