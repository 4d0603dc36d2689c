"""The example partner consumer in examples/ prints an offer made while it runs."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid

import httpx
import pytest

from support import stack
from support.referrals import consenting_client, referral_sent, savings_referral

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
        client, _ = consenting_client(gateway, siti)
        referral = referral_sent(gateway, siti, savings_referral(client["id"])).json()
        line = stack.eventually(
            lambda: next((x for x in list(lines) if referral["id"] in x), None), timeout_s=30
        )
    finally:
        example.terminate()
        example.wait(timeout=10)
    assert line.startswith(f"OFFER {referral['id']} product=savings-basic")
    assert "applicant_fields=full_name,kind,phone" in line
