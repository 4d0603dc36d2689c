"""A process of periodic jobs that need only the database: no Kafka, no faust.

Sending what is due and scanning for deadlines must go on while Kafka is away, and must not
depend on a consumer group having started (faust starts its timers only once the app has
fully started). Each job runs in its own loop; a failed round is logged and the next one
tries again, since the jobs keep their state in the database. `run_timers` is the whole
body of such a process; a service's entrypoint declares only its jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from shared.process import Build, ContainerT, SettingsT, process_name
from shared.telemetry import configure_logging, configure_telemetry

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


def run_timers(
    settings: SettingsT,
    build: Build[SettingsT, ContainerT],
    jobs: Callable[[ContainerT], Sequence[Job]],
    *,
    process: str = "timers",
) -> None:
    """The body of a service's process of periodic jobs (`<service>-timers`), until SIGTERM.

    The entrypoint declares its jobs, built from the container inside the running event loop
    (so they may open clients bound to it); the engine is disposed of once they stopped.
    """

    async def serve(container: ContainerT) -> None:
        await run_jobs(jobs(container))

    run_process(settings, build, serve, process=process)


def run_process(
    settings: SettingsT,
    build: Build[SettingsT, ContainerT],
    serve: Callable[[ContainerT], Awaitable[object]],
    *,
    process: str,
) -> None:
    """An asyncio process of the service named `<service>-<process>`: JSON logs and telemetry
    first (before the container's engine exists, so its statements are traced), then `serve`
    with the container, then the engine disposed of."""
    name = process_name(settings, process)
    configure_logging(name, settings.log_level, settings.log_file)
    configure_telemetry(name, settings.otlp_endpoint, trace_dir=settings.trace_dir)
    asyncio.run(_serve(build(settings), serve))


async def _serve(container: ContainerT, serve: Callable[[ContainerT], Awaitable[object]]) -> None:
    await serve(container)
    await container.engine.dispose()
