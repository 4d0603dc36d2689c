"""A process of periodic jobs that need only the database: no Kafka, no faust.

Sending what is due and scanning for deadlines must go on while Kafka is away, and must not
depend on a consumer group having started (faust starts its timers only once the app has
fully started). Each job runs in its own loop; a failed round is logged and the next one
tries again, since the jobs keep their state in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_s: float
    run: Callable[[], Awaitable[object]]


async def _loop(job: Job, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await job.run()
        except Exception:
            log.exception("a periodic job failed; the next round retries", extra={"job": job.name})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=job.every_s)


async def run_jobs(jobs: Sequence[Job], stop: asyncio.Event | None = None) -> None:
    """Run every job until `stop` is set (SIGTERM or SIGINT when none is given)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
    await asyncio.gather(*(_loop(job, stop) for job in jobs))
