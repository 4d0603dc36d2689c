from uuid import uuid4

import pytest

from shared.messaging.envelope import Envelope, UndecodableMessage


def test_an_envelope_travels_in_binary_mode_and_comes_back_whole() -> None:
    client_id = str(uuid4())
    envelope = Envelope(
        type="jembatan.client.registered.v1",
        source="/services/client",
        subject=f"client/{client_id}",
        key=client_id,
        data={"client_id": client_id, "region_code": "3273"},
        trace_headers={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"},
    )
    key, value, headers = envelope.to_kafka()
    names = [name for name, _ in headers]
    assert key == client_id.encode()
    for required in ("ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_specversion"):
        assert required in names
    assert names.count("traceparent") == 1
    assert dict(headers)["content-type"] == b"application/json"

    decoded = Envelope.from_kafka(key, value, headers)
    assert decoded.id == envelope.id
    assert decoded.type == envelope.type
    assert decoded.data == envelope.data
    assert decoded.key == client_id
    assert decoded.trace_headers == envelope.trace_headers


def test_a_record_that_is_not_a_cloudevent_is_undecodable() -> None:
    with pytest.raises(UndecodableMessage):
        Envelope.from_kafka(b"k", b"{}", [])
    with pytest.raises(UndecodableMessage):
        Envelope.from_kafka(
            b"k",
            b"not json",
            [
                ("ce_id", str(uuid4()).encode()),
                ("ce_type", b"t"),
                ("ce_source", b"/s"),
                ("ce_specversion", b"1.0"),
                ("content-type", b"application/json"),
            ],
        )
