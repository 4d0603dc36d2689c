"""Canary personal values, planted through the API, turn up nowhere they should not.

One client is registered with values no other test uses (NIK, name, phone, email) and taken
through the workflows, failures included: registration, a duplicate (409), bad input (422),
searches by NIK, phone and name (query strings), consent for SMS and email, a referral with
the `contact` and `identity` scopes that the bank reads over HTTPS, the messages sent; plus a
request carrying a canary bearer token.
Every process runs meanwhile with its spans written to files. Then every sink is searched:

- every process's log, the gateway's access log, and every exported span: nothing;
- every error body the API answered: nothing;
- every Kafka record of every topic, read from the beginning: no canary in a key, a header or
  a value (a person's values travel sealed under their own key; offers carry none);
- every service database, dumped once every relay has published: the NIK nowhere in plain
  text (it is stored encrypted and masked), the name, phone and e-mail only in the client's
  own row (the outboxes keep no payload after publishing).
"""

from __future__ import annotations

import random
import string
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from support import report, stack
from support.people import new_worker, nik_for

pytestmark = pytest.mark.integration

TRACES = stack.CACHE / "traces" / "canary"
PROCESSES = tuple(
    line.split()[0]
    for line in (stack.ROOT / "infra" / "services.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
SETTINGS_PREFIXES = ("CLIENT", "REFERRAL", "TRAINING", "NOTIFY", "INDICATORS", "PORTAL")
TOPICS = tuple(
    line.split()[0]
    for line in (stack.ROOT / "infra" / "kafka" / "topics.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
DATABASES = ("client", "referral", "training", "notify", "indicators", "portal")
PG_DUMP = "/usr/lib/postgresql/15/bin/pg_dump"
# Where the design keeps a client's name, phone and email in plain text (database, table):
# the client's own row (searchable), and nowhere else.
PLAIN_TEXT_HOMES = {
    "name": {("client", "clients")},
    "phone": {("client", "clients")},
    "email": {("client", "clients")},
}
OUTBOX_DATABASES = ("client", "referral", "training", "notify")
SINKS = ("logs and spans", "error bodies", "topics", "databases")
sinks = report.Cells(SINKS)  # each searched and found clean


@report.at_end
def _searched() -> str | None:
    if not sinks.ran:
        return None
    if sinks.complete:
        return (
            f"canary: {len(PROCESSES)} processes' logs and spans, error bodies, "
            f"{len(TOPICS)} topics and {len(DATABASES)} databases searched"
        )
    clean = [sink for sink in SINKS if sink in sinks.passed]
    return f"canary: only {', '.join(clean) or 'no sink'} searched and found clean"


def _listed(path: str) -> list[list[str]]:
    """The lines of an infra list file, split into words, comments and blanks left out."""
    lines = (stack.ROOT / path).read_text().splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def _letters(n: int) -> str:
    return "".join(random.choices(string.ascii_lowercase, k=n))


@pytest.fixture(scope="module")
def canary() -> dict[str, str]:
    tag = _letters(8)
    body = new_worker(
        full_name=f"Kanarisari Ujicoba {tag.capitalize()}",
        birth_date="1999-08-15",
        sex="F",
        nik=nik_for(date(1999, 8, 15), "F"),
        phone=f"+6281299{random.randrange(100_000, 999_999)}",
        email=f"canary+{tag}@example.test",
    )
    return {
        "body": body,
        "nik": body["nik"],
        "name": body["full_name"],
        "phone": body["phone"],
        "email": body["email"],
        "token": f"canary-token-{uuid.uuid4().hex}",
    }


def _spellings(canary: dict[str, str]) -> dict[str, list[str]]:
    """Each canary value in the ways it could be written down."""
    phone = canary["phone"]
    return {
        "nik": [canary["nik"]],
        "name": [canary["name"], canary["name"].lower()],
        "phone": [phone, phone.removeprefix("+"), "0" + phone.removeprefix("+62")],
        "email": [canary["email"]],
        "token": [canary["token"]],
    }


def _found(text: str, canary: dict[str, str]) -> set[str]:
    return {kind for kind, forms in _spellings(canary).items() if any(f in text for f in forms)}


def test_the_search_covers_every_sink_and_every_canary_value(canary: dict[str, str]) -> None:
    """What the search will cover, known before anything runs: every process (and its
    settings, for its spans), every topic, every service's database, every outbox, and each
    canary value in every spelling it could take."""
    assert PROCESSES and TOPICS
    assert {process.split("-")[0].upper() for process in PROCESSES} <= set(SETTINGS_PREFIXES)
    assert set(DATABASES) == {
        words[0] for words in _listed("infra/postgres/databases.txt") if words[0] == words[1]
    }
    relays = {p.removesuffix("-relay") for p in PROCESSES if p.endswith("-relay")}
    assert set(OUTBOX_DATABASES) == relays
    assert {f"{service}.events" for service in relays} <= set(TOPICS)
    spellings = _spellings(canary)
    assert set(spellings) == {"nik", "name", "phone", "email", "token"}
    assert all(forms and all(forms) for forms in spellings.values())
    assert set(PLAIN_TEXT_HOMES) <= set(spellings)
    assert {database for homes in PLAIN_TEXT_HOMES.values() for database, _ in homes} <= set(
        DATABASES
    )


@pytest.fixture(scope="module")
def traced_stack() -> Iterator[None]:
    """Every process writes its spans to files; notify sends at any hour."""
    for old in TRACES.glob("*.jsonl"):
        old.unlink()
    env = {f"{prefix}_TRACE_DIR": str(TRACES) for prefix in SETTINGS_PREFIXES}
    with stack.restarted_with(PROCESSES, {**env, "NOTIFY_QUIET_HOURS": "false"}):
        yield


@pytest.fixture(scope="module")
def workflow(
    traced_stack: None,
    canary: dict[str, Any],
    gateway: httpx.Client,
    tokens: dict[str, str],
) -> dict[str, Any]:
    """The canary's way through the platform; returns what every sink is compared with."""
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    answers: list[httpx.Response] = []

    def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        answer = gateway.request(method, path, **{"headers": siti, **kwargs})
        answers.append(answer)
        return answer

    body = canary["body"]
    created = call("POST", "/api/clients", json=body)
    assert created.status_code == 201, created.text
    client_id = created.json()["id"]
    assert call("POST", "/api/clients", json=body).status_code == 409
    assert (
        call("POST", "/api/clients", json={**body, "birth_date": "1999-08-16"}).status_code == 422
    )
    assert call("POST", "/api/clients", json={**body, "phone": "12345"}).status_code == 422
    assert (
        call("PATCH", f"/api/clients/{client_id}", json={"email": "not-an-address"}).status_code
        == 422
    )
    for params in ({"nik": body["nik"]}, {"phone": body["phone"]}, {"q": body["full_name"]}):
        assert call("GET", "/api/clients", params=params).status_code == 200
    call("GET", f"/api/clients/{body['nik']}")
    assert call("GET", f"/api/clients/{client_id}").status_code == 200
    bad_token = {"Authorization": f"Bearer {canary['token']}"}
    assert call("GET", "/api/clients", headers=bad_token).status_code == 401
    for consent in (
        {"purpose": "notifications", "channels": ["sms", "email"], "text_version": "ntf-2026-01"},
        {
            "purpose": "referral",
            "partner_code": "bank-nusantara",
            "scope": ["contact", "identity"],
            "text_version": "ref-2026-01",
        },
    ):
        answer = call("POST", f"/api/clients/{client_id}/consents", json=consent)
        assert answer.status_code == 201, answer.text
    referral = {
        "client_id": client_id,
        "partner_code": "bank-nusantara",
        "product_code": "savings-basic",
        "fee_sheet_version": "2026-01",
    }
    sent_referral = stack.eventually(  # the referral service learns the consent from its event
        lambda: (
            (a := gateway.post("/api/referrals", json=referral, headers=siti)).status_code == 201
            and a.json()
        )
    )
    bank = {"Authorization": f"Bearer {tokens['bank-nusantara']}"}
    applicant = gateway.get(f"/api/partner/referrals/{sent_referral['id']}/applicant", headers=bank)
    assert applicant.status_code == 200 and applicant.json()["nik"] == body["nik"]

    def sent() -> bool | None:
        items = gateway.get(
            "/api/notifications", params={"client_id": client_id}, headers=siti
        ).json()["items"]
        done = {n["channel"] for n in items if n["status"] in ("sent", "delivered")}
        return {"sms", "email"} <= done or None

    stack.eventually(sent, timeout_s=60)
    assert call("GET", f"/api/clients/{client_id}/timeline").status_code == 200
    stack.eventually(_every_relay_published, timeout_s=60)
    return {"client_id": client_id, "answers": answers}


def _every_relay_published() -> bool:
    for database in OUTBOX_DATABASES:
        engine = create_engine(stack.database_url(database))
        try:
            with engine.connect() as conn:
                waiting = conn.execute(
                    text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                ).scalar_one()
        finally:
            engine.dispose()
        if waiting:
            return False
    return True


def test_no_canary_in_any_log_or_exported_span(
    workflow: dict[str, Any], canary: dict[str, str]
) -> None:
    with sinks.check("logs and spans"):
        logs = stack.log_files()
        spans = sorted(TRACES.glob("*.jsonl"))
        offenders = {p.name: _found(p.read_text(errors="replace"), canary) for p in logs + spans}
        assert {name: kinds for name, kinds in offenders.items() if kinds} == {}
        assert len(logs) >= len(PROCESSES)  # every process's log was read
        # Spans were exported by the APIs, the workers and the relays, and they follow the canary's
        # requests: the search covers the traces, not empty files.
        exporters = {p.name.rsplit("-", 1)[0] for p in spans if p.stat().st_size}
        assert {"client-api", "client-relay", "notify-worker", "referral-api"} <= exporters
        assert any(workflow["client_id"] in p.read_text() for p in spans)


def test_no_canary_in_any_error_body(workflow: dict[str, Any], canary: dict[str, str]) -> None:
    with sinks.check("error bodies"):
        errors = [a for a in workflow["answers"] if a.status_code >= 400]
        assert {a.status_code for a in errors} >= {401, 409, 422}
        assert [
            (a.status_code, _found(a.text, canary)) for a in errors if _found(a.text, canary)
        ] == []


def _records(since: dict[str, dict[Any, int]]) -> Iterator[tuple[str, Any]]:
    """Every record of every topic from the given offsets to the end."""
    for topic, offsets in since.items():
        end = stack.topic_end_offsets(topic)
        with stack.reading(topic, offsets) as consumer:
            remaining = {tp for tp in end if end[tp] > offsets.get(tp, 0)}
            deadline = time.monotonic() + 180
            while remaining and time.monotonic() < deadline:
                for tp, batch in consumer.poll(timeout_ms=1000).items():
                    yield from ((topic, record) for record in batch)
                    if consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
            assert not remaining, (topic, remaining)


def test_no_topic_holds_a_canary_in_clear_read_from_the_beginning(
    workflow: dict[str, Any], canary: dict[str, str]
) -> None:
    with sinks.check("topics"):
        in_keys, in_values = set(), defaultdict(set)
        seen = 0
        beginning = {topic: stack.topic_begin_offsets(topic) for topic in TOPICS}
        for topic, record in _records(beginning):
            seen += 1
            key = (record.key or b"").decode(errors="replace")
            headers = " ".join(f"{k}={v.decode(errors='replace')}" for k, v in record.headers or [])
            in_keys |= _found(key + " " + headers, canary)
            in_values[topic] |= _found((record.value or b"").decode(errors="replace"), canary)
        assert seen > 0
        assert in_keys == set()
        # Sealed under the client's own key, or (offers) never there: nothing in clear anywhere.
        assert {topic: kinds for topic, kinds in in_values.items() if kinds} == {}


def _dump(database: str) -> dict[str, str]:
    """Each table's rows as pg_dump writes them (`COPY ... FROM stdin`)."""
    password = f"{database}-dev"
    out = subprocess.run(
        [
            PG_DUMP,
            "-h",
            "127.0.0.1",
            "-U",
            database,
            "--data-only",
            "--enable-row-security",
            database,
        ],
        # Every region's rows (decision 0011): a dump under row-level security shows none.
        env={
            "PGPASSWORD": password,
            "PGOPTIONS": "-c jembatan.region=all",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    tables: dict[str, list[str]] = defaultdict(list)
    current = None
    for line in out.splitlines():
        if line.startswith("COPY "):
            current = line.split()[1].removeprefix("public.")
        elif line == "\\.":
            current = None
        elif current is not None:
            tables[current].append(line)
    return {table: "\n".join(rows) for table, rows in tables.items()}


def test_databases_keep_the_nik_encrypted_and_the_rest_only_in_the_client_s_own_row(
    workflow: dict[str, Any], canary: dict[str, str]
) -> None:
    with sinks.check("databases"):
        homes: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for database in DATABASES:
            for table, rows in _dump(database).items():
                for kind in _found(rows, canary):
                    homes[kind].add((database, table))
        assert "nik" not in homes, homes["nik"]  # only ciphertext, the keyed index and the mask
        assert "token" not in homes
        for kind, allowed in PLAIN_TEXT_HOMES.items():
            assert homes[kind] <= allowed, (kind, homes[kind] - allowed)
        assert ("client", "clients") in homes["name"]  # the search found the canary at all
