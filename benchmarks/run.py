"""`make bench`: every benchmark, one after another, against the running local stack.

    python benchmarks/run.py [--quick]

Each benchmark runs in its own process and prints its figures as JSON lines, each with the
reference measured in the same run; this prints them as they come and writes them, with
the machine they ran on, to `.cache/bench/<UTC time>.json`. `--quick` shortens every
benchmark (a check that they run, not figures to quote).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / ".cache" / "bench"

FULL = [
    ["intake.py", "--seconds", "10", "--rounds", "3", "--rates", "100,200"],
    ["relay.py", "--events", "20000", "--rounds", "3"],
    ["consumers.py", "--consumer", "notify", "--events", "20000", "--rounds", "3"],
    ["consumers.py", "--consumer", "timeline", "--events", "20000", "--rounds", "3"],
    ["latency.py", "--rate", "100", "--seconds", "10"],
    ["search.py", "--rows", "1000000", "--runs", "200"],
]
QUICK = [
    ["intake.py", "--seconds", "3", "--rounds", "1", "--rates", "50"],
    ["relay.py", "--events", "2000", "--rounds", "1"],
    ["consumers.py", "--consumer", "notify", "--events", "2000", "--rounds", "1"],
    ["consumers.py", "--consumer", "timeline", "--events", "2000", "--rounds", "1"],
    ["latency.py", "--rate", "20", "--seconds", "3"],
]


def machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": commit,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    started = datetime.now(UTC)
    figures: list[dict[str, object]] = []
    for command in QUICK if args.quick else FULL:
        began = time.monotonic()
        run = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "benchmarks" / command[0]), *command[1:]],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert run.stdout is not None
        for line in run.stdout:
            print(line, end="", flush=True)
            if line.startswith("{"):
                figures.append({"benchmark": command[0], **json.loads(line)})
        if run.wait() != 0:
            sys.exit(f"{command[0]} failed")
        print(f"# {command[0]} took {time.monotonic() - began:.0f} s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{started:%Y-%m-%dT%H%M%SZ}.json"
    out.write_text(
        json.dumps(
            {"started": started.isoformat(), "machine": machine(), "figures": figures}, indent=2
        )
    )
    print(f"# results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
