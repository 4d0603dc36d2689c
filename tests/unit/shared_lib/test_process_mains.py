"""The shared bodies of the services' worker and timers processes: each service declares what
is its own (group, inbox, reactions, jobs), and the process keeps the names, the order of
start-up and the clean-up every entrypoint had before it was shared."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, String, Table

from shared import periodic
from shared.messaging import worker
from shared.settings import ServiceSettings

DATABASE = "postgresql+psycopg://unused@127.0.0.1/unused"


@dataclass
class FakeEngine:
    disposed: int = 0

    async def dispose(self) -> None:
        self.disposed += 1


@dataclass
class FakeContainer:
    settings: ServiceSettings
    engine: Any = field(default_factory=FakeEngine)
    sessions: Any = "the sessions"


def test_a_worker_is_named_after_its_service_and_its_host_unless_told() -> None:
    settings = ServiceSettings(service_name="training", database_url=DATABASE)
    assert settings.worker_instance_id == f"training-{socket.gethostname()}"
    named = ServiceSettings(
        service_name="notify", database_url=DATABASE, worker_instance_id="notify-pod-0"
    )
    assert named.worker_instance_id == "notify-pod-0"


def test_run_worker_configures_telemetry_before_the_container_and_runs_the_declared_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, Any]] = []
    settings = ServiceSettings(
        service_name="referral", database_url=DATABASE, worker_instance_id="referral-pod-1"
    )
    inbox = Table("inbox", MetaData(), Column("consumer", String))
    monkeypatch.setattr(
        worker, "configure_telemetry", lambda name, *a, **kw: calls.append(("telemetry", name))
    )
    monkeypatch.setattr(
        worker, "consumer_app", lambda *args, **kw: calls.append(("app", (args, kw))) or "app"
    )
    monkeypatch.setattr(worker, "run_app", lambda *args: calls.append(("run", args)))

    def build(given: ServiceSettings) -> FakeContainer:
        calls.append(("build", given))
        return FakeContainer(given)

    routing: worker.Reactions = {"client.events": {}}
    worker.run_worker(settings, build, inbox, lambda c: routing)

    assert [kind for kind, _ in calls] == ["telemetry", "build", "app", "run"]
    assert calls[0][1] == "referral-worker"
    args, kwargs = calls[2][1]
    assert args == (
        "referral",
        settings.kafka_bootstrap_servers,
        "referral-pod-1",
        "the sessions",
        inbox,
        routing,
    )
    assert kwargs == {"security": settings.kafka_security}
    assert calls[3][1] == ("app", "referral-worker", "INFO", None)


def test_run_process_logs_as_the_process_serves_the_container_then_disposes_of_its_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names: list[str] = []
    settings = ServiceSettings(service_name="notify", database_url=DATABASE, log_file="x.log")
    monkeypatch.setattr(
        periodic, "configure_logging", lambda name, level, file: names.append(f"{name} {file}")
    )
    monkeypatch.setattr(periodic, "configure_telemetry", lambda name, *a, **kw: names.append(name))
    container = FakeContainer(settings)
    served: list[int] = []

    async def serve(given: FakeContainer) -> None:
        assert given is container
        served.append(given.engine.disposed)

    periodic.run_process(settings, lambda s: container, serve, process="sender")
    assert names == ["notify-sender x.log", "notify-sender"]
    assert served == [0]
    assert container.engine.disposed == 1
