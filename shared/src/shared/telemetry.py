"""Traces, metrics and JSON logs, configured once per process by its entrypoint.

Logs are JSON lines carrying the trace and span ids. A redaction filter scrubs anything shaped
like a NIK, a phone number, an e-mail address or a token before a line is written, as a last
line of defence: code must not log personal values in the first place.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opentelemetry import metrics, propagate, trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider, sampling
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"), "[token]"),
    (re.compile(r"(?i)bearer\s+\S+"), "Bearer [token]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"(?<!\d)\d{16}(?!\d)"), "[nik]"),
    (re.compile(r"(?<![\w])(?:\+?62|0)8[\d\s-]{7,14}\d"), "[phone]"),
)

# uvicorn adds `color_message`, a copy of the message with terminal colours.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {
    "message",
    "asctime",
    "color_message",
}


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        line = redact(json.dumps(entry, default=str, ensure_ascii=False))
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            # Added after redaction: 16 decimal digits in a hex trace id are not a NIK.
            ids = f'"trace_id": "{span.trace_id:032x}", "span_id": "{span.span_id:016x}"'
            line = f"{line[:-1]}, {ids}}}"
        return line


def json_log_handler(service: str, log_file: str | None = None) -> logging.Handler:
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(JsonFormatter(service))
    return handler


def configure_logging(service: str, level: str = "INFO", log_file: str | None = None) -> None:
    handler = json_log_handler(service, log_file)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log prints query strings, which may hold a NIK: we log requests ourselves.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("kafka", "aiokafka", "faust", "mode", "httpx"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # kafka-python warns of SASL without TLS on every connection. Only the local broker's
    # loopback listeners allow that, and the settings refuse it elsewhere (shared.settings).
    logging.getLogger("kafka.net.sasl").setLevel(logging.ERROR)


def _file_exporter(path: Path) -> SpanExporter:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = path.open("a", encoding="utf-8", buffering=1)  # for the process's lifetime
    return ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")


def configure_telemetry(
    service: str,
    otlp_endpoint: str | None = None,
    exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
    trace_dir: str | None = None,
) -> TracerProvider:
    """Install tracer and meter providers; both export over OTLP/HTTP when an endpoint is set.

    Spans also go to `exporter`, and metrics to `metric_reader`, when given (tests), and with
    `trace_dir` to a JSON-lines file of this process there (local debugging; the security
    suite searches them for personal data). Call this before any engine is created.
    """
    # With nowhere to send spans, none is recorded: trace ids still reach logs and Kafka
    # headers, but building and dropping every span cost a tenth of a request's CPU. With a
    # destination, OTEL_TRACES_SAMPLER (default: parent-based, always on) decides.
    if trace_dir:
        exporter = _file_exporter(Path(trace_dir) / f"{service}-{os.getpid()}.jsonl")
    keep = exporter is not None or bool(otlp_endpoint)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        sampler=None if keep else sampling.ALWAYS_OFF,
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces"))
        )
    trace.set_tracer_provider(provider)
    readers: list[MetricReader] = [metric_reader] if metric_reader is not None else []
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        readers.append(
            PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint=f"{otlp_endpoint}/v1/metrics")
            )
        )
    if readers:
        # Request-latency histograms come from the FastAPI instrumentation, connection-pool
        # usage from SQLAlchemy's, and our own counters (consumer outcomes, outbox backlog,
        # notification attempts); all record into this provider.
        metrics.set_meter_provider(
            MeterProvider(resource=provider.resource, metric_readers=readers)
        )
    # Every engine created from now on is traced (statements without parameter values).
    SQLAlchemyInstrumentor().instrument()
    return provider


def current_trace_headers() -> dict[str, str]:
    """The W3C trace context of the current span, to store beside an outbox row."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier
