"""The indicators routes answer as they always did, from the bus: the JSON the domain built,
its cells as CSV lines, a 403 for a case worker without a region."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import get_args
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from indicators_fakes import FakeIndicatorsUow, bus_over, deliver, event

from indicators.entrypoints import api
from indicators.entrypoints.app import create
from indicators.entrypoints.schemas import Indicators
from shared.auth import Principal
from shared.contracts import client as client_contracts

MINISTRY = Principal("kemenko-sub", "kemenko", "jembatan-cli", frozenset({"ministry"}), None, None)
SITI = Principal("siti-sub", "siti", "jembatan-cli", frozenset({"officer"}), "3273", None)


@pytest.fixture
def app() -> Iterator[tuple[TestClient, FakeIndicatorsUow, dict[str, Principal]]]:
    created = create(configure_process=False)
    uow = FakeIndicatorsUow()
    created.state.bus = bus_over(uow)
    callers = {"ministry": MINISTRY, "case worker": SITI}
    overrides = created.dependency_overrides
    overrides[get_args(api.Ministry)[1].dependency] = lambda: callers["ministry"]
    overrides[get_args(api.CaseWorker)[1].dependency] = lambda: callers["case worker"]
    yield TestClient(created), uow, callers


async def _six_registered(uow: FakeIndicatorsUow) -> None:
    registered = [
        event(client_contracts.ClientRegistered, client_id=str(uuid4())) for _ in range(6)
    ]
    await deliver(bus_over(uow), *registered)


async def test_the_ministry_reads_json_and_csv(
    app: tuple[TestClient, FakeIndicatorsUow, dict[str, Principal]],
) -> None:
    http, uow, _ = app
    await _six_registered(uow)
    params = {"period": "2026-11", "region": "32"}

    answer = http.get("/api/ministry/indicators", params=params)
    assert answer.status_code == 200
    body = Indicators.model_validate(answer.json())
    assert body.total.clients_registered.total == 6 and body.region == "32"

    sheet = http.get("/api/ministry/indicators", params=params, headers={"Accept": "text/csv"})
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/csv; charset=utf-8"
    assert sheet.headers["content-disposition"] == (
        'attachment; filename="indicators-2026-11-32.csv"'
    )
    lines = list(csv.DictReader(io.StringIO(sheet.text)))
    assert tuple(lines[0]) == api.CSV_FIELDS
    total = next(r for r in lines if r["indicator"] == "clients_registered.total")
    assert total == {
        "period": "2026-11",
        "region_code": "32",
        "level": "province",
        "indicator": "clients_registered.total",
        "value": "6",
        "suppressed": "False",
    }
    national = http.get(
        "/api/ministry/indicators", params={"period": "2026-11"}, headers={"Accept": "text/csv"}
    )
    assert 'filename="indicators-2026-11-ID.csv"' in national.headers["content-disposition"]


async def test_a_case_worker_reads_their_own_region_and_one_without_is_refused(
    app: tuple[TestClient, FakeIndicatorsUow, dict[str, Principal]],
) -> None:
    http, uow, callers = app
    await _six_registered(uow)

    mine = http.get("/api/indicators/my-region", params={"period": "2026-11"})
    assert mine.status_code == 200
    assert mine.json()["region"] == "3273"
    assert mine.json()["total"]["clients_registered"]["total"] == 6

    callers["case worker"] = Principal(
        "x-sub", "x", "jembatan-cli", frozenset({"officer"}), None, None
    )
    refused = http.get("/api/indicators/my-region", params={"period": "2026-11"})
    assert refused.status_code == 403
    assert refused.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "Your account has no region.",
    }
    bad = http.get("/api/ministry/indicators", params={"period": "2026-13"})
    assert bad.status_code == 422
