"""Client intake through the gateway against pgbench running the same SQL, in the same run.

    python benchmarks/intake.py [--seconds 10] [--rounds 3] [--connections 16] [--rates 100,200]

What is measured:
- **closed loop**: wrk keeps `--connections` requests in flight against `POST /api/clients`
  through a gateway instance of our own Envoy configuration (the officers' global limit of
  200 requests a second raised, nothing else changed), with siti's real access token (the
  gateway and the client service both verify it) and a new valid NIK in every body
  (`benchmarks/intake.lua`). Only 201 answers count.
- **reference**: pgbench replays the endpoint's transaction statement for statement on
  `client_bench`, which holds as many clients in the region as the service's own database,
  with as many connections as the service's pool. The script is made at each run from the
  service's own code (`benchmarks/intake_sql.py`: one registration through its handler, every
  statement recorded) into `.cache/bench/intake.sql`, so it cannot drift from production.
  Rounds alternate API and pgbench; `intake ratio` is the median of the rounds' ratios.
- **open loop**: requests sent at fixed rates whatever the answers (no coordinated
  omission), latency counted from when each request was due.
- **resources**: CPU-ms per registration of every process of the stack during the closed
  loop (wrk's own CPU beside it), and each process's resident memory.
Prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

BENCH_GATEWAY = common.BENCH_GATEWAY
SERVICE_URL = common.database_url("client", "client")
REFERENCE_URL = common.database_url("client", "client_bench")
POOL_SIZE = 10  # shared.db.async_engine's default, which the client API uses
REGION = "3273"
# The reference's pgbench script, made by `_prepare_reference` (benchmarks/intake_sql.py).
SCRIPT = ROOT / ".cache" / "bench" / "intake.sql"
WRK = "/usr/bin/wrk"  # Debian's; `make bench` installs it


class _Sampler:
    """Samples a CpuMeter every half second while a load runs."""

    def __init__(self, meter: common.CpuMeter) -> None:
        self._meter, self._stop = meter, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._meter.sample()

    def __enter__(self) -> common.CpuMeter:
        self._meter.start()
        self._thread.start()
        return self._meter

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def closed_loop(token: str, seconds: int, connections: int) -> dict[str, Any]:
    processes = common.stack_processes()
    env = {**os.environ, "TOKEN": token, "REGION": REGION}
    env["START"] = str(random.SystemRandom().randrange(1_000_000_000))
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with _Sampler(common.CpuMeter(processes)) as meter:
        wrk = subprocess.Popen(  # noqa: S603
            [
                WRK,
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(ROOT / "benchmarks/intake.lua"),
                f"{BENCH_GATEWAY}/api/clients",
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        out, _ = wrk.communicate(timeout=seconds + 60)
        spent = meter.stop()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, reaped
    wrk_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    result = json.loads(line[4:])
    created = int(result["statuses"].get("201", 0))
    others = {k: v for k, v in result["statuses"].items() if k != "201"}
    return {
        "requests_per_s": round(created / result["seconds"], 1),
        "created": created,
        "other_statuses": others,
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "cpu_ms_per_request": {
            name: round(cpu * 1000 / max(created, 1), 3) for name, cpu in spent.items() if cpu
        },
        "load_generator_cpu_ms_per_request": round(wrk_cpu * 1000 / max(created, 1), 3),
    }


def _prepare_reference() -> None:
    """client_bench: the service's schema, emptied, holding as many clients in the region as
    the service's own database does (the duplicate check reads the region); and pgbench's
    script, recorded from one registration through the service's code on that database."""
    from sqlalchemy import text

    from benchmarks.intake_sql import write_script
    from benchmarks.seed import seed
    from shared.db import sync_engine, upgrade

    service = sync_engine(SERVICE_URL)
    with service.connect() as conn:
        in_region = conn.execute(
            text("SELECT count(*) FROM clients WHERE region_code = :r"), {"r": REGION}
        ).scalar_one()
    service.dispose()
    upgrade("client.migrations", REFERENCE_URL)
    engine = sync_engine(REFERENCE_URL)
    emptied = text("TRUNCATE clients, duplicate_flags, outbox, client_keys CASCADE")
    with engine.begin() as conn:
        conn.execute(emptied)
    write_script(REFERENCE_URL, REGION, SCRIPT)
    with engine.begin() as conn:
        conn.execute(emptied)  # the recorded registration's rows
    seed(engine, int(in_region), tag="intake", regions=(REGION,))
    engine.dispose()


def reference(seconds: int) -> dict[str, Any]:
    processes = {"postgres": common.stack_processes()["postgres"]}
    with _Sampler(common.CpuMeter(processes)) as meter:
        run = subprocess.run(  # noqa: S603
            [
                str(common.PG_BIN / "pgbench"),
                "-n",
                "-M",
                "prepared",
                "-c",
                str(POOL_SIZE),
                "-j",
                "2",
                "-T",
                str(seconds),
                "-f",
                str(SCRIPT),
                "-h",
                "127.0.0.1",
                "-U",
                "client",
                "client_bench",
            ],
            env={**os.environ, "PGPASSWORD": "client-dev"},
            capture_output=True,
            text=True,
            check=True,
        )
        spent = meter.stop()
    tps = float(re.search(r"tps = ([\d.]+)", run.stdout).group(1))  # type: ignore[union-attr]
    transactions = int(re.search(r"processed: (\d+)", run.stdout).group(1))  # type: ignore[union-attr]
    return {
        "tps": round(tps, 1),
        "postgres_cpu_ms_per_transaction": round(spent["postgres"] * 1000 / transactions, 3),
    }


async def open_loop(token: str, rate: int, seconds: int) -> dict[str, Any]:
    """`rate` registrations a second, each sent when due whatever the earlier ones do."""
    import aiohttp

    people = common.People(REGION)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=512)
    cpu_before = time.process_time()
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def send(due: float, body: dict[str, Any]) -> None:
            async with http.post(f"{BENCH_GATEWAY}/api/clients", json=body) as answer:
                await answer.read()
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
            latencies.append((time.perf_counter() - due) * 1000)

        started = time.perf_counter()
        tasks = []
        for i in range(rate * seconds):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(due, next(people))))
        await asyncio.gather(*tasks)
    cpu = time.process_time() - cpu_before
    return {
        "rate_per_s": rate,
        "requests": len(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        **common.percentiles(latencies),
        "load_generator_cpu_ms_per_request": round(cpu * 1000 / max(len(latencies), 1), 3),
    }


def resting_memory() -> dict[str, dict[str, float]]:
    return {
        name: common.memory_mb(pids[0])
        for name, pids in common.stack_processes().items()
        if name != "postgres"
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rates", default="100,200")
    args = parser.parse_args()

    at_rest = resting_memory()
    _prepare_reference()
    with common.bench_gateway():
        rounds = []
        for _ in range(args.rounds):
            token = common.officer_token()  # 5 minutes each; a fresh one per round
            api = closed_loop(token, args.seconds, args.connections)
            ref = reference(args.seconds)
            rounds.append((api, ref))
        latencies = [
            asyncio.run(open_loop(common.officer_token(), int(rate), args.seconds))
            for rate in args.rates.split(",")
        ]
    ratios = [api["requests_per_s"] / ref["tps"] for api, ref in rounds]
    middle = sorted(range(len(rounds)), key=lambda i: ratios[i])[len(rounds) // 2]
    api, ref = rounds[middle]
    common.emit(
        "intake",
        ratio=round(ratios[middle], 3),
        rounds=[round(r, 3) for r in ratios],
        api_requests_per_s=api["requests_per_s"],
        pgbench_tps=ref["tps"],
        connections=args.connections,
        p50_ms=api["p50_ms"],
        p99_ms=api["p99_ms"],
        other_statuses=api["other_statuses"],
    )
    print(f"intake ratio={ratios[middle]:.3f}", flush=True)
    for latency in latencies:
        common.emit("intake_open_loop", **latency)
    common.emit(
        "intake_cpu",
        cpu_ms_per_request=api["cpu_ms_per_request"],
        total_cpu_ms_per_request=round(sum(api["cpu_ms_per_request"].values()), 3),
        pgbench_postgres_cpu_ms_per_transaction=ref["postgres_cpu_ms_per_transaction"],
        load_generator_cpu_ms_per_request=api["load_generator_cpu_ms_per_request"],
    )
    after = resting_memory()
    common.emit(
        "memory",
        processes={
            name: {
                "rest_rss_mb": at_rest[name]["rss_mb"],
                "peak_rss_mb": after[name]["peak_rss_mb"],
            }
            for name in at_rest
            if name in after
        },
    )


if __name__ == "__main__":
    main()
