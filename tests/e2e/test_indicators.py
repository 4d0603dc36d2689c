"""Ministry indicators through the gateway: counts that match the test's own inputs after
every event arrived twice, a replay that rebuilds them identically, no small cell and no
person in JSON or CSV, and the ministry kept to aggregates."""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from kafka import KafkaProducer

from indicators.entrypoints.schemas import Indicators
from shared.contracts import Contract
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts
from shared.messaging.envelope import Envelope
from support import stack

pytestmark = pytest.mark.integration

# A month no other test writes to: the read model is shared with the rest of the suite.
YEAR = random.SystemRandom().randrange(2060, 2099)
PERIOD = f"{YEAR}-03"
AT = datetime(YEAR, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 WIB
NAME = "Kenari Indikator"


def _envelope(data: Contract, key: uuid.UUID, source: str) -> Envelope:
    return Envelope(
        type=data.TYPE, source=source, subject=f"x/{key}", key=str(key), data=data.to_data()
    )


def _client(region: str, sex: str, kind: str, born: date, disability: bool) -> Any:
    return client_contracts.ClientRegistered(
        client_id=uuid.uuid4(),
        kind=kind,  # type: ignore[arg-type]
        region_code=region,
        registered_at=AT,
        registered_by="test",
        full_name=NAME,
        sex=sex,  # type: ignore[arg-type]
        birth_date=born,
        disability=disability,
        preferred_language="id",
        contact=client_contracts.Contact(phone="+6281234500000"),
    )


@pytest.fixture(scope="module")
def inputs() -> dict[str, Any]:
    """The test's own events: 16 clients in Kota Bandung (3273), 6 in Garut (3205); 12
    referrals from Bandung, some answered; 7 trainings completed in Bandung."""
    clients = (
        [_client("3273", "F", "worker", date(1995, 5, 5), False) for _ in range(7)]
        + [_client("3273", "F", "business", date(1980, 1, 1), True) for _ in range(3)]
        + [_client("3273", "M", "worker", date(1990, 2, 2), False) for _ in range(6)]
        + [_client("3205", "F", "worker", date(2001, 3, 3), False) for _ in range(4)]
        + [_client("3205", "M", "worker", date(1970, 4, 4), False) for _ in range(2)]
    )
    bandung = [c for c in clients if c.region_code == "3273"]
    events: list[tuple[str, Envelope]] = []
    for c in clients:
        events.append((client_contracts.TOPIC, _envelope(c, c.client_id, client_contracts.SOURCE)))
    referrals = []
    for i, c in enumerate(bandung[:12]):
        partner, kind = ("bank-nusantara", "bank") if i < 7 else ("dompet-rakyat", "e-money")
        ids = {
            "referral_id": uuid.uuid4(),
            "client_id": c.client_id,
            "region_code": "3273",
            "partner_code": partner,
            "product_code": "savings-basic" if kind == "bank" else "ewallet-account",
        }
        sent = referral_contracts.ReferralSent(
            **ids,
            fee_sheet_version="2026-01",
            options_shown=[partner],
            sent_at=AT,
            respond_by=AT.date() + timedelta(days=2),
            partner_kind=kind,
        )
        steps: list[Contract] = [sent]
        state = "sent"
        if i < 9:
            steps.append(referral_contracts.ReferralAcknowledged(**ids, acknowledged_at=AT))
            state = "acknowledged"
        if i < 6:
            steps.append(
                referral_contracts.ReferralCompleted(
                    **ids, outcome="account_opened", completed_at=AT + timedelta(days=3)
                )
            )
            state = "completed"
        referrals.append(
            {"sex": c.sex, "kind": kind, "state": state, "product": ids["product_code"]}
        )
        events += [
            (referral_contracts.TOPIC, _envelope(e, c.client_id, referral_contracts.SOURCE))
            for e in steps
        ]
    gains = [10, 20, 25, 30, 35, 40, 50]
    for c, gain in zip(bandung, gains, strict=False):
        done = training_contracts.TrainingCompleted(
            session_id=uuid.uuid4(),
            programme_code="literasi-keuangan-digital",
            participant_kind="client",
            client_id=c.client_id,
            officer_id=None,
            region_code="3273",
            knowledge_gain=gain,
            certificate_code="AAAAA-BBBBB",
            completed_at=AT,
        )
        events.append(
            (training_contracts.TOPIC, _envelope(done, c.client_id, training_contracts.SOURCE))
        )

    producer = KafkaProducer(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN, acks="all")
    for _ in range(2):  # every event delivered twice, exactly as it was
        for topic, envelope in events:
            key, value, headers = envelope.to_kafka()
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush()
    producer.close()
    return {"clients": clients, "referrals": referrals, "gains": gains}


@pytest.fixture(scope="module")
def ministry(tokens: Any) -> Callable[[], dict[str, str]]:
    """The ministry's Authorization header, with a token fresh enough (a replay outlasts one)."""
    return lambda: {"Authorization": f"Bearer {tokens['ministry']}"}


def _report(
    gateway: httpx.Client, ministry: Callable[[], dict[str, str]], region: str = "32"
) -> Any:
    answer = gateway.get(
        "/api/ministry/indicators", params={"period": PERIOD, "region": region}, headers=ministry()
    )
    assert answer.status_code == 200, answer.text
    # Every real answer is what the OpenAPI document says, key for key (unknown keys refused).
    Indicators.model_validate(answer.json())
    return answer.json()


def _settled(gateway: httpx.Client, ministry: Callable[[], dict[str, str]], trainings: int) -> Any:
    """The report once every input arrived (a new worker first reads the topics' history)."""

    def complete() -> Any:
        total = _report(gateway, ministry)["total"]
        arrived = (
            total["trainings"]["completed"] == trainings
            and total["clients_registered"]["total"] == 22
            and total["referrals"]["sent"] == 12
            and total["referrals"]["by_state"]["completed"] == 6
        )
        return _report(gateway, ministry) if arrived else None

    return stack.eventually(complete, timeout_s=300, every_s=1)


def test_indicators_equal_the_inputs_counted_independently_after_double_delivery(
    gateway: httpx.Client, ministry: Callable[[], dict[str, str]], inputs: dict[str, Any]
) -> None:
    report = _settled(gateway, ministry, len(inputs["gains"]))
    clients, referrals = inputs["clients"], inputs["referrals"]
    total = report["total"]
    assert total["clients_registered"]["total"] == len(clients) == 22
    by_sex = Counter(c.sex for c in clients)
    assert total["clients_registered"]["by_sex"] == dict(by_sex)  # F 14, M 8
    # business 3 < 5, and worker hidden with it, or 22 - 19 would give the 3 away
    assert total["clients_registered"]["by_kind"] == {"worker": None, "business": None}
    assert total["referrals"]["sent"] == len(referrals) == 12
    states = Counter(r["state"] for r in referrals)
    assert total["referrals"]["by_state"]["completed"] == states["completed"] == 6
    assert total["referrals"]["by_state"]["sent"] is None  # 3 sent, 3 acknowledged: both hidden
    assert total["referrals"]["by_partner_type"] == {"bank": 7, "e-money": 5}
    assert total["referrals"]["conversion"] == round(states["completed"] / len(referrals), 4)
    # per partner type, in the total row: for every type or none (each completed 0 or >= 5)
    completed = Counter(r["kind"] for r in referrals if r["state"] == "completed")
    sent = Counter(r["kind"] for r in referrals)
    printable = all(completed[k] == 0 or completed[k] >= 5 for k in sent)
    assert total["referrals"]["conversion_by_partner_type"] == {
        k: round(completed[k] / sent[k], 4) if printable else None for k in ("bank", "e-money")
    }
    # 7 bank referrals and 2 e-money ones acknowledged the day they were sent: 2 are too few
    by_type = total["referrals"]["median_working_days_to_acknowledge_by_partner_type"]
    assert by_type == {"bank": 0.0, "e-money": None}
    opened_by_women = sum(1 for r in referrals if r["state"] == "completed" and r["sex"] == "F")
    assert total["accounts_opened_by_women"] == opened_by_women == 6
    assert total["trainings"]["completed"] == 7
    assert total["trainings"]["mean_knowledge_gain"] == round(
        sum(inputs["gains"]) / len(inputs["gains"]), 2
    )
    garut = next(a for a in report["areas"] if a["region_code"] == "3205")
    bandung = next(a for a in report["areas"] if a["region_code"] == "3273")
    assert (
        bandung["clients_registered"]["total"] == 16 and garut["clients_registered"]["total"] == 6
    )
    assert garut["clients_registered"]["by_sex"] == {"F": None, "M": None}  # 2 men, 4 women


def test_no_cell_under_five_and_no_person_in_json_or_csv(
    gateway: httpx.Client, ministry: Callable[[], dict[str, str]], inputs: dict[str, Any]
) -> None:
    _settled(gateway, ministry, len(inputs["gains"]))
    as_json = gateway.get(
        "/api/ministry/indicators", params={"period": PERIOD, "region": "32"}, headers=ministry()
    )
    as_csv = gateway.get(
        "/api/ministry/indicators",
        params={"period": PERIOD, "region": "32"},
        headers=ministry() | {"Accept": "text/csv"},
    )
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows and {r["period"] for r in rows} == {PERIOD}
    for row in rows:
        if row["value"] != "" and "." not in row["value"] and row["indicator"] != "min_cell":
            assert int(row["value"]) == 0 or int(row["value"]) >= 5, row  # zeros are printed
        assert (row["value"] == "") == (row["suppressed"] == "True"), row

    def counts(node: Any) -> list[int]:
        if isinstance(node, dict):
            return [
                n
                for k, v in node.items()
                if k
                not in (
                    "conversion",
                    "mean_knowledge_gain",
                    "median_working_days_to_outcome",
                    "min_cell",
                )
                for n in counts(v)
            ]
        if isinstance(node, list):
            return [n for item in node for n in counts(item)]
        return [node] if isinstance(node, int) and not isinstance(node, bool) else []

    assert all(n == 0 or n >= 5 for n in counts(as_json.json()))
    for body in (as_json.text, as_csv.text):
        assert not re.search(r"\d{16}", body)
        assert not re.search(r"(\+?62|\b0)8\d{7,11}", body)
        assert NAME not in body and "Kenari" not in body
        for c in inputs["clients"]:
            assert str(c.client_id) not in body


def test_a_replay_from_the_beginning_rebuilds_identical_indicators(
    gateway: httpx.Client, ministry: Callable[[], dict[str, str]], inputs: dict[str, Any]
) -> None:
    before = _settled(gateway, ministry, len(inputs["gains"]))
    regency_before = _report(gateway, ministry, region="3273")
    stack.stop("indicators-worker")
    try:
        stack.run_python("-m", "indicators.entrypoints.replay")
        emptied = _report(gateway, ministry)
        assert emptied["total"]["clients_registered"]["total"] == 0  # really rebuilt
    finally:
        stack.run_infra("services.sh", "start")
    after = stack.eventually(
        lambda: (r := _report(gateway, ministry)) == before and r, timeout_s=600, every_s=2
    )
    assert after == before and _report(gateway, ministry, region="3273") == regency_before


PERSON_LEVEL = [
    ("GET", "/api/clients"),
    ("GET", "/api/clients/{client_id}"),
    ("GET", "/api/clients/{client_id}/timeline"),
    ("GET", "/api/clients/{client_id}/consents"),
    ("GET", "/api/referrals?client_id={client_id}"),
    ("GET", "/api/training/sessions"),
    ("GET", "/api/training/clients/{client_id}/trainings"),
    ("GET", "/api/notifications?client_id={client_id}"),
    ("GET", "/api/partner/referrals"),
    ("POST", "/api/notifications/preview"),
]
CALLERS = {"siti": 403, "rina": 403, "bank-nusantara": 403, "admin": 403, "ministry": 200}


def test_only_the_ministry_reads_indicators_and_it_reads_no_person(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    tested = 0
    for who, expected in CALLERS.items():
        answer = gateway.get(
            "/api/ministry/indicators",
            params={"period": PERIOD},
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )
        assert answer.status_code == expected, (who, answer.text)
        tested += 1
    assert gateway.get("/api/ministry/indicators", params={"period": PERIOD}).status_code == 401
    bad = gateway.get(
        "/api/ministry/indicators",
        params={"period": "2026-13"},
        headers={"Authorization": f"Bearer {tokens['ministry']}"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    someone = str(uuid.uuid4())
    for method, path in PERSON_LEVEL:
        answer = gateway.request(
            method,
            path.format(client_id=someone),
            json={"template": "client_registered"} if method == "POST" else None,
            headers={"Authorization": f"Bearer {tokens['ministry']}"},
        )
        assert answer.status_code == 403, (path, answer.status_code)
        tested += 1
    print(f"\nauthorization (ministry): {tested} cells tested / {len(CALLERS) + len(PERSON_LEVEL)}")
    assert tested == len(CALLERS) + len(PERSON_LEVEL)


def test_officers_and_supervisors_read_their_own_area_only(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    expected = {
        "siti": (200, "3273"),
        "budi": (200, "3578"),
        "rina": (200, "32"),
        "ministry": (403, None),
        "bank-nusantara": (403, None),
        "admin": (403, None),
    }
    for who, (status, area) in expected.items():
        answer = gateway.get(
            "/api/indicators/my-region",
            params={"period": PERIOD},
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )
        assert answer.status_code == status, (who, answer.text)
        if area is not None:
            body = answer.json()
            Indicators.model_validate(body)
            assert body["region"] == area and body["total"]["region_code"] == area
            assert all(a["region_code"].startswith(area) for a in body["areas"])
    anonymous = gateway.get("/api/indicators/my-region", params={"period": PERIOD})
    assert anonymous.status_code == 401
