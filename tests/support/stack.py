"""The local stack as tests see it: addresses, tokens, processes, Kafka and databases."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from shared.kafka_security import local_admin
from shared.oidc import client_credentials, login_with_pkce

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
GATEWAY = "http://127.0.0.1:8080"
KEYCLOAK = "http://localhost:8180"
REALM = "jembatan"
ISSUER = f"{KEYCLOAK}/realms/{REALM}"
# The broker's admin, on the listener the services use (infra/kafka/server.properties.in):
# tests read and write every topic. The anonymous listener (9092) may do nothing.
KAFKA = "127.0.0.1:9095"
ADMIN = local_admin()
AS_ADMIN = ADMIN.kafka_python()  # kafka-python's and aiokafka's keyword arguments
DEMO_PASSWORD = "jembatan-dev"
CLI_REDIRECT = "http://127.0.0.1/callback"
SERVICE_PORTS = {
    "client": 8101,
    "referral": 8102,
    "training": 8103,
    "notify": 8104,
    "indicators": 8105,
}
SECRETS = {
    "ministry-integration": "ministry-dev-secret",
    "partner-bank-nusantara": "bank-nusantara-dev-secret",
    "partner-dompet-rakyat": "dompet-rakyat-dev-secret",
    **{
        f"service-{s}": f"dev-only-service-{s}-secret"
        for s in ("referral", "notify", "training", "indicators")
    },
}

T = TypeVar("T")


def user_token(username: str) -> str:
    """An access token for a demo user, through the real authorization code + PKCE flow."""
    tokens = login_with_pkce(KEYCLOAK, REALM, "jembatan-cli", username, DEMO_PASSWORD, CLI_REDIRECT)
    return str(tokens["access_token"])


def service_token(client_id: str) -> str:
    return str(client_credentials(KEYCLOAK, REALM, client_id, SECRETS[client_id])["access_token"])


def database_url(service: str, *, test: bool = False) -> str:
    """The service's own database, or its `_test` twin for in-process tests."""
    database = f"{service}_test" if test else service
    return f"postgresql+psycopg://{service}:{service}-dev@127.0.0.1:5432/{database}"


def all_rounds(scan: Callable[[], Awaitable[int]]) -> int:
    """Run a timer's scan in rounds, as its process would, until a round finds nothing (each
    round takes a bounded batch); how many it handled in all."""
    total = 0
    while handled := asyncio.run(scan()):
        total += handled
    return total


def eventually(check: Callable[[], T | None], timeout_s: float = 30.0, every_s: float = 0.2) -> T:
    """Poll `check` until it returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")


def pid_of(process: str) -> int:
    return int((CACHE / "run" / f"{process}.pid").read_text().strip())


def run_infra(*args: str, timeout_s: float = 240, env: dict[str, str] | None = None) -> None:
    """Drive the stack with the project's own scripts (the same ones `make up` uses); `env`
    adds settings to the processes they start."""
    subprocess.run(
        [str(ROOT / "infra" / args[0]), *args[1:]],
        check=True,
        timeout=timeout_s,
        env=os.environ | (env or {}),
    )


def run_python(*args: str, timeout_s: float = 120) -> None:
    """A command of the project's own, e.g. `run_python("-m", "indicators.entrypoints.replay")`."""
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), *args], check=True, timeout=timeout_s)


def kill_hard(process: str) -> None:
    os.kill(pid_of(process), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid_of(process), 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def stop(*processes: str) -> None:
    """SIGTERM to each, then wait for them to end (SIGKILL after 15 s)."""
    running = []
    for process in processes:
        try:
            os.kill(pid_of(process), signal.SIGTERM)
            running.append(process)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 15
    while running and time.monotonic() < deadline:
        for process in list(running):
            try:
                os.kill(pid_of(process), 0)
            except ProcessLookupError:
                running.remove(process)
        time.sleep(0.1)
    for process in running:
        kill_hard(process)


@contextmanager
def restarted_with(processes: tuple[str, ...], env: dict[str, str]) -> Iterator[None]:
    """Run some of the stack's processes with extra settings, and restore them afterwards.
    Only those are started again (`revive`: no migration, which `start` runs and which
    costs about 25 s here), and an API is waited for until it is ready."""
    stop(*processes)
    run_infra("services.sh", "revive", env=env)
    _ready(processes)
    try:
        yield
    finally:
        stop(*processes)
        run_infra("services.sh", "revive")
        _ready(processes)


def _ready(processes: tuple[str, ...]) -> None:
    import httpx

    for process in processes:
        service = process.removesuffix("-api")
        if service == process:
            continue  # a worker, relay or timer: it has no readiness to ask
        port = 8100 if service == "portal" else SERVICE_PORTS[service]

        def ready(port: int = port) -> bool | None:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).is_success or None
            except httpx.HTTPError:
                return None

        eventually(ready, timeout_s=180, every_s=0.3)


def log_files() -> list[Path]:
    return sorted((CACHE / "logs").glob("*"))


def topic_end_offsets(topic: str) -> dict[Any, int]:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=KAFKA, **AS_ADMIN, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def topic_begin_offsets(topic: str) -> dict[Any, int]:
    """Where each partition of `topic` starts now (retention may have deleted the first)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=KAFKA, **AS_ADMIN, enable_auto_commit=False, group_id=None
    )
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return dict(consumer.beginning_offsets(partitions))
    finally:
        consumer.close()


@contextmanager
def reading(topic: str, since: dict[Any, int] | None = None) -> Iterator[Any]:
    """A consumer outside any group, positioned at `since` (or the current end) of `topic`."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=KAFKA, **AS_ADMIN, enable_auto_commit=False, group_id=None
    )
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        offsets = since if since is not None else consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, offsets[tp])
        yield consumer
    finally:
        consumer.close()


def drain_until(
    consumer: Any, found: Callable[[list[Any]], bool], timeout_s: float = 60
) -> list[Any]:
    records: list[Any] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
        if found(records):
            return records
    raise AssertionError(
        f"expected records did not arrive within {timeout_s}s ({len(records)} seen)"
    )


def keycloak_admin() -> Any:
    from keycloak import KeycloakAdmin

    return KeycloakAdmin(
        server_url=KEYCLOAK + "/",
        username="admin",
        password="admin",  # the local master admin of `make up` (infra/keycloak/run.sh)
        realm_name=REALM,
        user_realm_name="master",
    )


@contextmanager
def throwaway_client(
    *, with_api_audience: bool, lifespan_s: int | None = None, with_kafka_audience: bool = False
) -> Iterator[tuple[str, str]]:
    """A service-account client created for one test and deleted after it."""
    admin = keycloak_admin()
    client_id = f"test-{int(time.time() * 1000)}"
    secret = "throwaway-" + client_id
    audiences = ["jembatan-api"] if with_api_audience else []
    audiences += ["kafka"] if with_kafka_audience else []
    mappers = [
        {
            "name": f"{audience} audience",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-audience-mapper",
            "config": {
                "included.custom.audience": audience,
                "access.token.claim": "true",
                "id.token.claim": "false",
            },
        }
        for audience in audiences
    ]
    attributes = {"access.token.lifespan": str(lifespan_s)} if lifespan_s else {}
    internal_id = admin.create_client(
        {
            "clientId": client_id,
            "publicClient": False,
            "secret": secret,
            "serviceAccountsEnabled": True,
            "standardFlowEnabled": False,
            "directAccessGrantsEnabled": False,
            "protocolMappers": mappers,
            "attributes": attributes,
        }
    )
    try:
        yield client_id, secret
    finally:
        admin.delete_client(internal_id)


def throwaway_token(*, with_api_audience: bool, lifespan_s: int | None = None) -> str:
    with throwaway_client(with_api_audience=with_api_audience, lifespan_s=lifespan_s) as (cid, sec):
        return str(client_credentials(KEYCLOAK, REALM, cid, sec)["access_token"])


def jembatan(*args: str) -> Any:
    """The operator's command line, as the engineer on call runs it; its JSON answer."""
    import json

    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "jembatan"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
