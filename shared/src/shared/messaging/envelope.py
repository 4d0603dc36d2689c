"""CloudEvents 1.0 in Kafka binary mode: attributes in `ce_*` headers, the JSON data as value."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

_FORMAT = JSONFormat()
TRACE_HEADERS = ("traceparent", "tracestate")


class UndecodableMessage(Exception):
    """A record that is not a binary-mode CloudEvent with JSON data."""


@dataclass(frozen=True)
class Envelope:
    """One event as it travels: identity, type, routing key and data."""

    type: str
    source: str
    subject: str
    key: str
    data: dict[str, Any]
    id: UUID = field(default_factory=uuid4)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    trace_headers: Mapping[str, str] = field(default_factory=dict)
    # Our own `x-…` headers (e.g. a dead letter's reason); they travel through the outbox too.
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    def to_kafka(self) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """Key, value and headers for a producer; trace headers ride beside `ce_*`."""
        event = CloudEvent(
            attributes={
                "id": str(self.id),
                "source": self.source,
                "type": self.type,
                "subject": self.subject,
                "time": self.time,
                "datacontenttype": "application/json",
            },
            data=self.data,
        )
        message = to_binary(event, _FORMAT)
        headers = list(message.headers.items())
        headers += [(k, v.encode()) for k, v in self.trace_headers.items() if k in TRACE_HEADERS]
        headers += [(k, v.encode()) for k, v in self.extra_headers.items() if k.startswith("x-")]
        return self.key.encode(), message.value, headers

    @classmethod
    def from_kafka(
        cls, key: bytes | None, value: bytes | None, headers: Iterable[tuple[str, bytes]]
    ) -> Envelope:
        header_map = {k: v for k, v in headers}
        try:
            event = from_binary(
                KafkaMessage(headers=header_map, key=key, value=value or b""), _FORMAT
            )
            data = event.get_data()
            if isinstance(data, (bytes, str)):
                data = json.loads(data)
            if not isinstance(data, dict):
                raise UndecodableMessage("data is not a JSON object")
            attributes = event.get_attributes()
            return cls(
                type=str(attributes["type"]),
                source=str(attributes["source"]),
                subject=str(attributes.get("subject", "")),
                key=(key or b"").decode(),
                data=data,
                id=UUID(str(attributes["id"])),
                time=attributes.get("time") or datetime.now(UTC),
                trace_headers={k: header_map[k].decode() for k in TRACE_HEADERS if k in header_map},
            )
        except UndecodableMessage:
            raise
        except Exception as exc:
            raise UndecodableMessage(type(exc).__name__) from exc
