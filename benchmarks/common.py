"""What every benchmark needs: the stack's addresses, real tokens, unique valid people, the
processes of the stack with their CPU time and memory, percentiles, and the figure lines.

Each benchmark prints one JSON line per figure (`emit`) and `benchmarks/run.py` gathers them
into one results file per run.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from shared.kafka_security import local_admin

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / ".cache" / "run"
GATEWAY = "http://127.0.0.1:8080"
KEYCLOAK = "http://localhost:8180"
REALM = "jembatan"
# As the local broker's admin, on the services' listener (infra/kafka/server.properties.in).
KAFKA = "127.0.0.1:9095"
ADMIN = local_admin()
PG_BIN = Path("/usr/lib/postgresql/15/bin")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The benchmarks' own gateway: our Envoy configuration with the officers' global limit (200
# requests a second in the local stack) lifted; JWT checks, routes and body limits as they are.
BENCH_GATEWAY = "http://127.0.0.1:8090"
_BENCH_GATEWAY_ENV = {
    "GATEWAY_NAME": "gateway-bench",
    "GATEWAY_PORT": "8090",
    "GATEWAY_ADMIN_PORT": "9902",
    "GATEWAY_RL_BURST": "1000000",
    "GATEWAY_RL_PER_SECOND": "1000000",
}
FIGURES: list[dict[str, Any]] = []  # what this process emitted, for the results file


def emit(figure: str, **values: Any) -> dict[str, Any]:
    line = {"figure": figure, **values}
    FIGURES.append(line)
    print(json.dumps(line), flush=True)
    return line


@contextmanager
def bench_gateway() -> Iterator[str]:
    def run(action: str) -> None:
        subprocess.run(  # noqa: S603
            [str(ROOT / "infra/gateway/run.sh"), action],
            env={**os.environ, **_BENCH_GATEWAY_ENV},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    run("start")
    try:
        yield BENCH_GATEWAY
    finally:
        run("stop")


def database_url(service: str, database: str, *, driver: str = "psycopg") -> str:
    scheme = f"postgresql+{driver}" if driver else "postgresql"
    return f"{scheme}://{service}:{service}-dev@127.0.0.1:5432/{database}"


def officer_token(username: str = "siti") -> str:
    """A real access token through Keycloak's authorization code + PKCE flow (5 min)."""
    from shared.oidc import login_with_pkce

    tokens = login_with_pkce(
        KEYCLOAK, REALM, "jembatan-cli", username, "jembatan-dev", "http://127.0.0.1/callback"
    )
    return str(tokens["access_token"])


def partner_token(partner: str = "bank-nusantara") -> str:
    from shared.oidc import client_credentials

    client = f"partner-{partner}"
    return str(client_credentials(KEYCLOAK, REALM, client, f"{partner}-dev-secret")["access_token"])


class People:
    """Unique, valid registrations: a NIK whose district, birth date and sex agree with the
    body, never the same twice in a run and, from a random start among a billion (of 8.9
    billion), rarely one an earlier run registered (a repeat is answered 409 and counted)."""

    def __init__(self, region_code: str = "3273", seed: int | None = None) -> None:
        self._region = region_code
        self._next = random.Random(seed).randrange(1_000_000_000)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        # Birth dates vary fastest, so that no two people of a run share a name and birth
        # date (the duplicate check would flag them).
        n = k = self._next
        self._next += 1
        day, k = k % 28 + 1, k // 28
        month, k = k % 12 + 1, k // 12
        year, k = 1961 + k % 44, k // 44
        sex, k = "FM"[k % 2], k // 2
        district, k = k % 30 + 1, k // 30
        serial = k % 9999 + 1
        nik = (
            f"{self._region}{district:02d}{day + (40 if sex == 'F' else 0):02d}{month:02d}"
            f"{year % 100:02d}{serial:04d}"
        )
        return {
            "kind": "worker",
            "nik": nik,
            "full_name": f"Peserta Uji {n}",
            "birth_date": date(year, month, day).isoformat(),
            "sex": sex,
            "phone": f"+62812{n % 100_000_000:08d}",
            "region_code": self._region,
        }


# The stack's processes


def pid_of(name: str) -> int | None:
    try:
        pid = int((RUN / f"{name}.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


def children(pid: int) -> list[int]:
    """`pid` and its direct children (PostgreSQL's backends, a JVM's launcher)."""
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a backend that ended
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return {"rss_mb": round(values["VmRSS"], 1), "peak_rss_mb": round(values["VmHWM"], 1)}


def stack_processes() -> dict[str, list[int]]:
    """Every running process of the stack by name; PostgreSQL with all its backends."""
    found = {}
    for pidfile in sorted(RUN.glob("*.pid")):
        pid = pid_of(pidfile.stem)
        if pid is not None:
            found[pidfile.stem] = children(pid) if pidfile.stem == "postgres" else [pid]
    return found


class CpuMeter:
    """CPU seconds each process of the stack spent between `start` and `stop`.

    PostgreSQL's backends come and go (pgbench's end with it), so its children are read at
    every `sample` too: a backend born during the run counts whole, one that ended counts up
    to its last sample. Call `sample` every second or so while something runs.
    """

    def __init__(self, processes: dict[str, list[int]]) -> None:
        self._processes = processes
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._names: dict[int, str] = {}
        self._started = False

    def _pids(self) -> Iterator[tuple[str, int]]:
        for name, pids in self._processes.items():
            for pid in children(pids[0]) if name == "postgres" else pids:
                yield name, pid

    def sample(self) -> None:
        for name, pid in self._pids():
            seconds = cpu_seconds([pid])
            if pid not in self._names:  # there at the start: from now; born later: whole
                self._names[pid] = name
                self._first[pid] = 0.0 if self._started else seconds
            if seconds:
                self._last[pid] = seconds

    def start(self) -> CpuMeter:
        self.sample()
        self._started = True
        return self

    def stop(self) -> dict[str, float]:
        self.sample()
        spent: dict[str, float] = dict.fromkeys(self._processes, 0.0)
        for pid, last in self._last.items():
            spent[self._names[pid]] += max(last - self._first.get(pid, 0.0), 0.0)
        return spent


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {}

    def at(q: float) -> float:
        return round(ordered[min(int(q * len(ordered)), len(ordered) - 1)], 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))
