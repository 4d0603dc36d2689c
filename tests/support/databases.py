"""Every row of a service's database as pg_dump writes it, to search for a person's values."""

from __future__ import annotations

import subprocess
from collections import defaultdict

DATABASES = ("client", "referral", "training", "notify", "indicators", "portal")
PG_DUMP = "/usr/lib/postgresql/15/bin/pg_dump"


def dump(database: str) -> dict[str, str]:
    """Each table's rows (`COPY ... FROM stdin` lines), every region's (decision 0011)."""
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
        env={
            "PGPASSWORD": f"{database}-dev",
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


def where_found(needles: dict[str, str]) -> dict[str, set[tuple[str, str]]]:
    """For each kind of value (nik, name, ...), the (database, table) pairs that hold it."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for database in DATABASES:
        for table, rows in dump(database).items():
            for kind, value in needles.items():
                if value and value in rows:
                    found[kind].add((database, table))
    return dict(found)
