"""Every effect the platform produced, compared with every input it accepted.

Inputs are the operations the traffic saw succeed. For each, the events it must have caused
(read back from Kafka, counted by distinct `ce_id`: the same event delivered twice is a
redelivery, two events for one input a duplicate) and the effects of the consumers that
react to them (read from their databases). Missing is lost; more than one is duplicated.
Ambiguous operations (no answer before their deadline) may have one effect or none, never two.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from chaos.workload import Ledger
from shared.db import sync_engine
from support import stack

TOPICS = (
    "client.events",
    "referral.events",
    "training.events",
    "notify.events",
    "partner.bank-nusantara.referrals",
)
REGISTERED = "jembatan.client.registered.v2"
CONSENTED = "jembatan.consent.granted.v1"
OFFERED = "jembatan.partner.referral.offered.v2"
SENT = "jembatan.referral.sent.v1"
ACKNOWLEDGED = "jembatan.referral.acknowledged.v1"
COMPLETED = "jembatan.training.completed.v1"
SKIPPED = re.compile(r'"msg": "events already handled; skipped".*?"events": (\d+)')


@dataclass
class Event:
    topic: str
    id: str
    type: str
    key: str
    data: dict[str, Any]


@dataclass
class Findings:
    expected: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    ambiguous_twice: int = 0
    topic_redeliveries: int = 0
    inbox_redeliveries: int = 0

    def add(self, what: str, count: int) -> None:
        """One input's `what`, found `count` times."""
        self.expected[what] += 1
        if count == 0:
            self.lost[what] += 1
        elif count > 1:
            self.duplicated[what] += count - 1


class Journal:
    """Every record written to the topics since the run began, read incrementally."""

    def __init__(self, since: dict[str, dict[Any, int]]) -> None:
        self._position = {t: dict(offsets) for t, offsets in since.items()}
        self.records: list[Event] = []

    def catch_up(self) -> None:
        for topic, position in self._position.items():
            end = stack.topic_end_offsets(topic)
            if all(end[tp] <= position.get(tp, 0) for tp in end):
                continue
            with stack.reading(topic, position) as consumer:
                remaining = {tp for tp in end if end[tp] > position.get(tp, 0)}
                while remaining:
                    polled = consumer.poll(timeout_ms=2000)
                    if not polled:
                        break
                    for tp, batch in polled.items():
                        self.records += [_event(topic, r) for r in batch]
                        position[tp] = consumer.position(tp)
                        if position[tp] >= end[tp]:
                            remaining.discard(tp)


def _event(topic: str, record: Any) -> Event:
    headers = {k: v.decode() for k, v in record.headers or []}
    try:
        data = json.loads(record.value) if record.value else {}
    except ValueError:
        data = {}
    return Event(
        topic,
        headers.get("ce_id", ""),
        headers.get("ce_type", ""),
        (record.key or b"").decode(),
        data if isinstance(data, dict) else {},
    )


def _effects(
    found: Findings,
    what: str,
    database: str,
    table: str,
    column: str,
    ids: list[str],
    condition: str = "true",
) -> None:
    """Each of `ids` must have exactly one row in `table` (by `column`) of `database`."""
    rows = _counts(
        database,
        f"SELECT CAST({column} AS text), count(*) FROM {table}"  # noqa: S608 (our own names)
        f" WHERE {condition} AND CAST({column} AS text) = ANY(:ids) GROUP BY {column}",
        ids,
    )
    for one in ids:
        found.add(what, rows[one])


def _counts(database: str, query: str, ids: Iterable[str]) -> Counter[str]:
    engine = sync_engine(stack.database_url(database))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(query), {"ids": list(ids)}).all()
    finally:
        engine.dispose()
    return Counter({str(key): int(count) for key, count in rows})


def compare(ledger: Ledger, journal: Journal, logs_since: dict[str, int]) -> Findings:
    journal.catch_up()
    found = Findings()
    distinct: dict[str, Event] = {}
    delivered: Counter[str] = Counter()
    for event in journal.records:
        delivered[event.id] += 1
        distinct.setdefault(event.id, event)
    found.topic_redeliveries = sum(n - 1 for n in delivered.values())
    found.inbox_redeliveries = _skipped_in_logs(logs_since)

    by_type: dict[str, list[Event]] = defaultdict(list)
    for event in distinct.values():
        by_type[event.type].append(event)

    def events_of(kind: str, field_name: str) -> Counter[str]:
        return Counter(str(e.data.get(field_name)) for e in by_type[kind])

    clients = [
        o.result["id"] for o in ledger.operations if o.kind == "register" and o.status == "ok"
    ]
    registered = Counter(e.key for e in by_type[REGISTERED])
    for client_id in clients:
        found.add("client registered event", registered[client_id])
    consents = events_of(CONSENTED, "consent_id")
    for o in ledger.operations:
        if o.kind.startswith("consent") and o.status == "ok":
            found.add("consent granted event", consents[o.result["id"]])
    offered = events_of(OFFERED, "referral_id")
    acknowledged = events_of(ACKNOWLEDGED, "referral_id")
    referrals = [
        o.result["id"] for o in ledger.operations if o.kind == "refer" and o.status == "ok"
    ]
    for referral_id in referrals:
        found.add("partner offer", offered[referral_id])
    for o in ledger.operations:
        if o.kind == "acknowledge" and o.status == "ok":
            found.add("acknowledgement event", acknowledged[o.result["referral_id"]])
    completed = events_of(COMPLETED, "client_id")
    trained = [
        o.result["client_id"] for o in ledger.operations if o.kind == "attend" and o.status == "ok"
    ]
    for client_id in trained:
        found.add("training completed event", completed[client_id])

    # The consumers' effects of those events.
    run_clients = set(ledger.clients)
    on_timeline = [
        e.id
        for e in distinct.values()
        if e.topic in ("client.events", "referral.events") and e.key in run_clients
    ]
    _effects(found, "timeline entry", "client", "timeline_entries", "event_id", on_timeline)
    notifying = [
        e.id
        for e in by_type[CONSENTED]
        if e.data.get("purpose") == "notifications" and e.key in run_clients
    ]
    _effects(
        found, "SMS planned", "notify", "notifications", "event_id", notifying, "channel = 'sms'"
    )
    _effects(found, "indicators client", "indicators", "clients", "client_id", clients)
    _effects(found, "indicators referral", "indicators", "referrals", "referral_id", referrals)
    _effects(found, "referral's client facts", "referral", "client_facts", "client_id", clients)

    # Each client had at most one consent of each kind, one referral, one acknowledgement,
    # one completion asked for (retries share a key): whatever became of an ambiguous one,
    # two events for a client are a duplicate. (A NIK is unique: two clients cannot exist.)
    per_client: Counter[tuple[str, str]] = Counter()
    for event in by_type[CONSENTED]:
        per_client[(event.key, f"consent {event.data.get('purpose')}")] += 1
    for kind in (SENT, ACKNOWLEDGED, COMPLETED):  # internal topics: keyed by the client
        for event in by_type[kind]:
            per_client[(event.key, kind)] += 1
    found.ambiguous_twice = sum(
        n - 1 for (client, _), n in per_client.items() if client in run_clients and n > 1
    )
    return found


def _skipped_in_logs(logs_since: dict[str, int]) -> int:
    """Redeliveries the consumers' inboxes absorbed since the run began (their log lines)."""
    total = 0
    for path in sorted((stack.CACHE / "logs").glob("*-worker*.log")):
        with path.open("rb") as log:
            log.seek(logs_since.get(path.name, 0))
            for line in log:
                match = SKIPPED.search(line.decode(errors="replace"))
                if match:
                    total += int(match.group(1))
    return total


def log_positions() -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (stack.CACHE / "logs").glob("*-worker*.log")}
