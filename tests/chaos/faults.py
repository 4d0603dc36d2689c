"""The faults the chaos suite inflicts on the local stack, and their seeded schedule.

Every fault acts on the real processes `make up` started: `kill -9` of a worker, a relay or
the notify sender (a relay is held between the broker's acknowledgement and marking its
rows sent, so its kill lands in exactly that window), SIGSTOP of a consumer until its group
gave its partitions to a second consumer (a zombie), `kill -9` of the Kafka broker and an
immediate stop of PostgreSQL (both restarted by the project's scripts), and a cut of one
service's connection to Kafka (faultproxy.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from chaos.faultproxy import FaultProxy
from support import stack

WORKERS = ("client-worker", "referral-worker", "training-worker", "notify-worker")
RELAYS = ("client-relay", "referral-relay", "training-relay", "notify-relay")
SENDER = "notify-sender"
ZOMBIE = "notify-worker"  # paused while notify-worker-b (the chaos suite's) takes over
CUT_OFF = "indicators-worker"  # reaches Kafka through the fault proxy
SESSION_TIMEOUT_S = 10  # shared.messaging.worker: broker_session_timeout


@dataclass
class Fault:
    at: float  # the share of the traffic sent when it strikes (0 to 1)
    kind: str
    target: str
    hold_s: float = 0.0


@dataclass
class FaultLog:
    done: list[dict[str, Any]] = field(default_factory=list)
    last_healed: float = 0.0  # time.monotonic() when the last fault was over


def schedule(seed: int, *, scale: int) -> list[Fault]:
    """`scale` rounds of every fault kind, in a seeded order, spread over the traffic.

    A round is: each worker and the sender killed, each relay killed in its hold window, a
    zombie pause, a broker kill, a PostgreSQL crash and a network cut.
    """
    rng = random.Random(seed)
    faults: list[Fault] = []
    for _ in range(scale):
        faults += [Fault(0, "kill", t) for t in (*WORKERS, SENDER, CUT_OFF)]
        faults += [Fault(0, "kill", t) for t in RELAYS]
        faults.append(Fault(0, "pause", ZOMBIE, SESSION_TIMEOUT_S + rng.uniform(4, 8)))
        faults.append(Fault(0, "broker", "kafka"))
        faults.append(Fault(0, "postgres", "postgres"))
        faults.append(Fault(0, "cut", CUT_OFF, rng.uniform(10, 30)))
    rng.shuffle(faults)
    # Spread by the traffic's progress (not the clock: faults slow it down), the last one
    # near its end, so "converged within N s of the last fault" measures the platform
    # catching up, not the traffic still arriving.
    shares = [*sorted(rng.uniform(0.02, 0.95) for _ in faults[:-1]), 0.95]
    for fault, share in zip(faults, shares, strict=True):
        fault.at = share
    return faults


def _pid(process: str) -> int:
    return int((stack.CACHE / "run" / f"{process}.pid").read_text().strip())


async def _run(*args: str, env: dict[str, str] | None = None, timeout_s: float = 240) -> None:
    process = await asyncio.create_subprocess_exec(
        *args,
        env=os.environ | (env or {}),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    code = await asyncio.wait_for(process.wait(), timeout_s)
    if code != 0:
        raise RuntimeError(f"{args} exited with {code}")


class Nemesis:
    """Carries out a schedule; `env` is what the stack's processes were started with."""

    def __init__(self, env: dict[str, str], proxy: FaultProxy) -> None:
        self._env = env
        self._proxy = proxy
        self.log = FaultLog()

    async def revive(self) -> None:
        """Start whichever of the stack's processes are not running (with the run's settings)."""
        await _run(str(stack.ROOT / "infra" / "services.sh"), "revive", env=self._env)

    async def run(self, faults: list[Fault], progress: Callable[[], float]) -> None:
        """Carry out `faults` as the traffic's `progress` (0 to 1) reaches each."""
        actions: dict[str, Callable[[Fault], Awaitable[None]]] = {
            "kill": self._kill,
            "pause": self._pause,
            "broker": self._broker,
            "postgres": self._postgres,
            "cut": self._cut,
        }
        started = time.monotonic()
        for fault in faults:
            while progress() < fault.at:  # noqa: ASYNC110 (a share of requests, polled)
                await asyncio.sleep(0.2)
            began = time.monotonic()
            await actions[fault.kind](fault)
            self.log.last_healed = time.monotonic()
            self.log.done.append(
                {
                    "kind": fault.kind,
                    "target": fault.target,
                    "at_s": round(began - started, 1),
                    "took_s": round(self.log.last_healed - began, 1),
                }
            )

    async def _kill(self, fault: Fault) -> None:
        # Already down when killed by an earlier fault and not yet revived.
        with contextlib.suppress(ProcessLookupError, FileNotFoundError):
            os.kill(_pid(fault.target), signal.SIGKILL)
        await asyncio.sleep(0.5)
        await self.revive()

    async def _pause(self, fault: Fault) -> None:
        pid = _pid(fault.target)
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(fault.hold_s)  # past the session timeout: the group moves on
        finally:
            os.kill(pid, signal.SIGCONT)  # and the zombie wakes up with its old partitions

    async def _broker(self, fault: Fault) -> None:
        os.kill(_pid("kafka"), signal.SIGKILL)
        await asyncio.sleep(1)
        await _run(str(stack.ROOT / "infra" / "kafka" / "run.sh"), "start")

    async def _postgres(self, fault: Fault) -> None:
        data = stack.CACHE / "postgres" / "data"
        pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl"
        owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        await _run(*owner, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
        await asyncio.sleep(1)
        await _run(str(stack.ROOT / "infra" / "postgres" / "run.sh"), "start")

    async def _cut(self, fault: Fault) -> None:
        self._proxy.cut()
        try:
            await asyncio.sleep(fault.hold_s)
        finally:
            self._proxy.heal()
