import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from shared.telemetry import JsonFormatter, redact

CANARY_NIK = "3273014506900007"


def test_personal_values_are_redacted_from_any_text() -> None:
    line = (
        f"nik={CANARY_NIK} phone=+6281299990001 alt=0812-9999-0002 mail=dedi@example.co.id "
        "auth=Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"
    )
    cleaned = redact(line)
    for secret in (CANARY_NIK, "6281299990001", "0812-9999-0002", "dedi@example.co.id", "eyJhbGci"):
        assert secret not in cleaned
    assert "[nik]" in cleaned and "[phone]" in cleaned and "[email]" in cleaned


def test_ids_and_timestamps_survive_redaction() -> None:
    text = "client 0b8f3c2e-6a51-4c8e-9a57-2f6f1f3c1a10 at 2026-11-29T03:15:00Z took 1234 ms"
    assert redact(text) == text


def test_json_lines_carry_the_trace_id_and_redact_extras() -> None:
    tracer = TracerProvider().get_tracer("test")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "registered %s", (CANARY_NIK,), None)
    record.phone = "+6281299990001"
    with tracer.start_as_current_span("span") as span:
        line = JsonFormatter("svc").format(record)
    entry = json.loads(line)
    assert entry["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert CANARY_NIK not in line and "6281299990001" not in line
    assert entry["service"] == "svc"


def test_a_trace_id_with_sixteen_decimal_digits_is_not_taken_for_a_nik() -> None:
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    trace_id = int("1234567890123456" + "abcdef0123abcdef", 16)
    context = SpanContext(trace_id, 0xABCDEF0123456789, is_remote=False, trace_flags=TraceFlags(1))
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "nik %s", (CANARY_NIK,), None)
    with trace.use_span(NonRecordingSpan(context)):
        entry = json.loads(JsonFormatter("svc").format(record))
    assert entry["trace_id"] == "1234567890123456abcdef0123abcdef"
    assert entry["msg"] == "nik [nik]"
