"""Search latency at 1 million clients: exact NIK, phone and name, within one region.

    python benchmarks/search.py [--rows 1000000] [--runs 200]

Seeds the client service's test database (client_test) up to --rows synthetic clients once,
then times the very statements the API runs (ClientRepository.search_query) and prints one
JSON line per figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.seed import seed
from client.adapters.repositories.clients import ClientRepository
from client.bootstrap import nik_protector
from client.settings import ClientSettings
from shared.auth import RegionScope
from shared.db import sync_engine, upgrade

URL = "postgresql+psycopg://client:client-dev@127.0.0.1:5432/client_test"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    upgrade("client.migrations", URL)
    engine = sync_engine(URL)
    with engine.connect() as conn:
        present = conn.execute(text("SELECT count(*) FROM clients")).scalar_one()
    if present < args.rows:
        started = time.perf_counter()
        seed(engine, args.rows, tag="bench")
        print(
            json.dumps(
                {
                    "figure": "seed",
                    "rows": args.rows,
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
        )

    repository = ClientRepository(AsyncSession(), nik_protector(ClientSettings()))
    scope = RegionScope("3273")
    cases = {
        "nik": {"nik": "3273014506900007"},
        "phone": {"phone": "+6281200001234"},
        "name": {"q": "c4ca423 5f2b9c4b"},  # a near miss of a seeded name (one typo)
    }
    with engine.connect() as conn:
        for name, criteria in cases.items():
            compiled = repository.search_query(scope, limit=50, after=None, **criteria).compile(
                dialect=engine.dialect
            )
            sql, params = str(compiled), compiled.params
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                conn.exec_driver_sql(sql, params).all()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            print(
                json.dumps(
                    {
                        "figure": f"search_by_{name}",
                        "rows": max(present, args.rows),
                        "runs": args.runs,
                        "p50_ms": round(statistics.median(timings), 3),
                        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3),
                    }
                )
            )
    engine.dispose()


if __name__ == "__main__":
    main()
