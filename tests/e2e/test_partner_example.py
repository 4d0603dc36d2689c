"""The example partner consumer in examples/ prints an offer made while it runs."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid

import httpx
import pytest

from support import stack
from support.people import new_worker

pytestmark = pytest.mark.integration


def test_the_example_consumer_prints_offers_as_they_arrive(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    siti = {"Authorization": f"Bearer {tokens['siti']}"}
    example = subprocess.Popen(
        [
            sys.executable,
            str(stack.ROOT / "examples" / "partner_consumer.py"),
            "--partner",
            "bank-nusantara",
            "--group",
            f"partner-bank-nusantara.test-{uuid.uuid4().hex[:8]}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(example.stdout.readline, "")), daemon=True
    )  # type: ignore[union-attr]
    reader.start()
    try:
        stack.eventually(lambda: "LISTENING\n" in lines, timeout_s=60)  # joined its group
        client = gateway.post("/api/clients", json=new_worker(), headers=siti).json()
        gateway.post(
            f"/api/clients/{client['id']}/consents",
            json={
                "purpose": "referral",
                "partner_code": "bank-nusantara",
                "scope": ["contact"],
                "text_version": "ref-2026-01",
            },
            headers=siti,
        )
        body = {
            "client_id": client["id"],
            "partner_code": "bank-nusantara",
            "product_code": "savings-basic",
            "fee_sheet_version": "2026-01",
        }
        referral = stack.eventually(
            lambda: (
                (a := gateway.post("/api/referrals", json=body, headers=siti)).status_code == 201
                and a.json()
            ),
            timeout_s=30,
        )
        line = stack.eventually(
            lambda: next((x for x in list(lines) if referral["id"] in x), None), timeout_s=30
        )
    finally:
        example.terminate()
        example.wait(timeout=10)
    assert line.startswith(f"OFFER {referral['id']} product=savings-basic")
    assert "applicant_fields=full_name,kind,phone" in line
