"""`make chaos`: realistic traffic while a seeded schedule of faults hits the stack.

    PYTHONPATH=tests .venv/bin/python -m chaos.run [--requests 20000] [--seed N] [--scale 3]

The stack must be up (`make up`). The run restarts some processes with fault settings (the
relays hold each batch between the broker's acknowledgement and marking it sent, so a kill
lands there; notify sends at any hour; the indicators worker reaches Kafka through the fault
proxy), starts a second notify worker (the zombie's rival) and a supervisor that restarts
whatever exits (as Kubernetes would), sends `--requests` HTTP requests at up to `--rate`
while `--scale` rounds of every fault kind strike as the traffic progresses, then compares
every effect with every accepted input (verify.py) until they agree. It prints one JSON line
of figures and keeps the whole history, lag samples included, in `.cache/chaos/<UTC
time>.json`; everything it changed is put back afterwards.

`converged_s` is the time from the end of the traffic, every fault healed (the last strikes
at 95 % of the requests), to every effect being there. The run fails on a loss, a duplicate,
no redelivery at all (the faults did not bite) or a convergence over 60 s.

Sizes: CI 20,000 requests and 3 rounds (about 15 minutes on the 2-core machine); nightly
100,000 requests and 15 rounds; `make test` runs 2,500 and one round (tests/chaos).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from chaos.faultproxy import FaultProxy
from chaos.faults import CUT_OFF, RELAYS, SENDER, ZOMBIE, Nemesis, schedule
from chaos.verify import TOPICS, Findings, Journal, compare, log_positions
from chaos.workload import Traffic
from support import stack

PROXY_PORT, CHAOS_LISTENER = 29094, ("127.0.0.1", 9094)
RELAY_HOLD_S = "0.3"
RIVAL = "notify-worker-b"
HISTORY = stack.CACHE / "chaos"


def fault_settings() -> dict[str, str]:
    prefixes = ("CLIENT", "REFERRAL", "TRAINING", "NOTIFY")
    return {
        **{f"{p}_FAULT_RELAY_HOLD_AFTER_ACK_SECONDS": RELAY_HOLD_S for p in prefixes},
        "NOTIFY_QUIET_HOURS": "false",
        "INDICATORS_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{PROXY_PORT}",
    }


AFFECTED = (*RELAYS, ZOMBIE, SENDER, CUT_OFF)


def _start_rival(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A second notify worker in the same group: it takes the zombie's partitions."""
    log = stack.CACHE / "logs" / f"{RIVAL}.log"
    return subprocess.Popen(
        [str(stack.ROOT / ".venv" / "bin" / "python"), "-m", "notify.entrypoints.worker"],
        env=os.environ
        | env
        | {
            "NOTIFY_WORKER_INSTANCE_ID": "notify-chaos-rival",
            "NOTIFY_LOG_FILE": str(log),
            "JEMBATAN_WORKER_RESTART": "in-place",  # as infra/services.sh starts the others
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def run_chaos(
    *, requests: int, seed: int, rate: float = 60.0, scale: int = 3, converge_s: float = 180.0
) -> dict[str, Any]:
    since = {topic: stack.topic_end_offsets(topic) for topic in TOPICS}
    logs_since = log_positions()
    env = fault_settings()
    proxy = FaultProxy(PROXY_PORT, CHAOS_LISTENER)
    await proxy.start()
    nemesis = Nemesis(env, proxy)
    stack.stop(*AFFECTED)
    await nemesis.revive()
    rival = _start_rival(env)
    traffic = Traffic(budget=requests, rate=rate, seed=seed)
    try:
        await asyncio.sleep(8)  # the restarted workers join their groups
        await traffic.prepare()
        faults = schedule(seed, scale=scale)
        started = time.monotonic()
        supervisor = asyncio.create_task(_supervise(nemesis))
        lag: list[dict[str, Any]] = []
        sampler = asyncio.create_task(_sample_lag(lag, started))
        await asyncio.gather(traffic.run(), nemesis.run(faults, traffic.progress))
        traffic_done = time.monotonic()
        journal = Journal(since)
        quiet_since = max(nemesis.log.last_healed, traffic_done)
        findings = compare(traffic.ledger, journal, logs_since)
        while sum(findings.lost.values()) and time.monotonic() - quiet_since < converge_s:
            await asyncio.sleep(2)
            findings = compare(traffic.ledger, journal, logs_since)
        converged = time.monotonic()
        supervisor.cancel()
        sampler.cancel()
        report = _report(seed, requests, rate, traffic, findings, nemesis, traffic_done - started)
        report["converged_s"] = round(converged - quiet_since, 1)
        report["last_fault_to_converged_s"] = round(converged - nemesis.log.last_healed, 1)
        report["max_lag"] = {
            g: max((s[g] for s in lag if s.get(g) is not None), default=0) for g in GROUPS
        }
        report["lag_series"] = lag
        return report
    finally:
        await traffic.close()
        rival.send_signal(signal.SIGTERM)
        try:
            rival.wait(15)
        except subprocess.TimeoutExpired:
            rival.kill()
        stack.stop(*AFFECTED)
        stack.run_infra("services.sh", "revive")
        await proxy.stop()


GROUPS = {
    "client-timeline": ("client.events", "referral.events", "training.events", "notify.events"),
    "referral": ("client.events", "training.events"),
    "training": ("client.events",),
    "notify": ("client.events", "referral.events", "training.events"),
    "indicators": ("client.events", "referral.events", "training.events"),
}


class LagMeter:
    """Each consumer group's unread records, through one admin client and one reader."""

    def __init__(self) -> None:
        from kafka import KafkaAdminClient, KafkaConsumer

        self._admin = KafkaAdminClient(bootstrap_servers=[stack.KAFKA], **stack.AS_ADMIN)
        self._reader = KafkaConsumer(
            bootstrap_servers=[stack.KAFKA], **stack.AS_ADMIN, group_id=None
        )

    def sample(self) -> dict[str, int]:
        from kafka import TopicPartition

        topics = {t for group_topics in GROUPS.values() for t in group_topics}
        partitions = [
            TopicPartition(t, p) for t in topics for p in self._reader.partitions_for_topic(t) or ()
        ]
        ends = self._reader.end_offsets(partitions)
        committed = self._admin.list_group_offsets({g: None for g in GROUPS})
        return {
            group: sum(
                max(
                    0,
                    ends[tp]
                    - (
                        committed.get(group, {}).get(tp).offset  # type: ignore[union-attr]
                        if tp in committed.get(group, {})
                        else 0
                    ),
                )
                for tp in partitions
                if tp.topic in GROUPS[group]
            )
            for group in GROUPS
        }

    def close(self) -> None:
        self._reader.close()
        self._admin.close()


async def _sample_lag(series: list[dict[str, Any]], started: float, every_s: float = 2.0) -> None:
    """Each consumer group's unread records every couple of seconds, for the history."""
    meter: LagMeter | None = None
    try:
        while True:
            sample: dict[str, Any] = {"t": round(time.monotonic() - started, 1)}
            try:
                meter = meter or await asyncio.to_thread(LagMeter)
                sample |= await asyncio.to_thread(meter.sample)
            except Exception:
                if meter is not None:
                    meter.close()
                meter = None  # Kafka away: a new one next time
            series.append(sample)
            await asyncio.sleep(every_s)
    finally:
        if meter is not None:
            meter.close()


async def _supervise(nemesis: Nemesis, every_s: float = 3.0) -> None:
    """Start again whatever exited (a worker's watchdog, say), as Kubernetes would."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await nemesis.revive()
        except Exception:  # noqa: S112 (the next round tries again)
            continue


def _report(
    seed: int,
    requests: int,
    rate: float,
    traffic: Traffic,
    findings: Findings,
    nemesis: Nemesis,
    traffic_s: float,
) -> dict[str, Any]:
    ledger = traffic.ledger
    faults: dict[str, int] = {}
    for fault in nemesis.log.done:
        name = f"{fault['kind']} {fault['target']}" if fault["kind"] == "kill" else fault["kind"]
        faults[name] = faults.get(name, 0) + 1
    lost, duplicated = sum(findings.lost.values()), sum(findings.duplicated.values())
    return {
        "figure": "chaos",
        "seed": seed,
        "requests_sent": ledger.requests,
        "requests_budget": requests,
        "rate_per_s": rate,
        "traffic_s": round(traffic_s, 1),
        "operations": len(ledger.operations),
        "accepted": ledger.count(status="ok"),
        "refused": ledger.count(status="failed"),
        "ambiguous": ledger.count(status="ambiguous"),
        "effects_expected": sum(findings.expected.values()),
        "lost": lost,
        "duplicated": duplicated + findings.ambiguous_twice,
        "redeliveries_on_topics": findings.topic_redeliveries,
        "redeliveries_absorbed_by_inboxes": findings.inbox_redeliveries,
        "faults": faults,
        "expected_by_effect": dict(findings.expected),
        "lost_by_effect": dict(findings.lost),
        "duplicated_by_effect": dict(findings.duplicated),
        "refused_by_kind": _refused(ledger.operations),
        "seconds_per_operation": _durations(ledger.operations),
        "fault_log": nemesis.log.done,
    }


def _durations(operations: list[Any]) -> dict[str, dict[str, float]]:
    """p50 and p99 seconds from the first attempt to the answer, by kind of operation."""
    by_kind: dict[str, list[float]] = {}
    for o in operations:
        by_kind.setdefault(o.kind, []).append(o.took_s)
    return {
        kind: {
            "p50": round(sorted(times)[len(times) // 2], 2),
            "p99": round(sorted(times)[min(len(times) - 1, int(len(times) * 0.99))], 2),
        }
        for kind, times in by_kind.items()
    }


def _refused(operations: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in operations:
        if o.status != "ok":
            name = f"{o.kind} {o.status} {o.http_status}"
            counts[name] = counts.get(name, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--rate", type=float, default=60.0)
    parser.add_argument("--scale", type=int, default=3, help="rounds of every fault kind")
    args = parser.parse_args(argv)
    report = asyncio.run(
        run_chaos(requests=args.requests, seed=args.seed, rate=args.rate, scale=args.scale)
    )
    HISTORY.mkdir(parents=True, exist_ok=True)
    path = HISTORY / f"{datetime.now(UTC).strftime('%Y-%m-%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report, indent=1))
    summary = {k: v for k, v in report.items() if k not in ("fault_log", "lag_series")}
    print(json.dumps(summary))
    print(f"history: {path}", file=sys.stderr)
    ok = (
        report["lost"] == 0
        and report["duplicated"] == 0
        and report["redeliveries_on_topics"] + report["redeliveries_absorbed_by_inboxes"] > 0
        and report["converged_s"] <= 60
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
