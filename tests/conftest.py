"""Fixtures for tests against the real local stack (started by `make test`)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from support import stack


@pytest.fixture(scope="session")
def tokens() -> dict[str, str]:
    """Access tokens for the demo people (code + PKCE) and service accounts (client credentials)."""
    people = {name: stack.user_token(name) for name in ("siti", "budi", "rina", "admin")}
    services = {
        "ministry": stack.service_token("ministry-integration"),
        "bank-nusantara": stack.service_token("partner-bank-nusantara"),
    }
    return people | services


@pytest.fixture(scope="session")
def gateway() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.GATEWAY, timeout=20) as client:
        yield client
