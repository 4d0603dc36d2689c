"""Fixtures for tests against the real local stack (started by `make test`)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import ClassVar

import httpx
import pytest

from support import stack


class FreshTokens(Mapping[str, str]):
    """Access tokens for the demo people (code + PKCE) and service accounts (client
    credentials), fetched again when older than two minutes: Keycloak's access tokens live
    five, and a whole `make test` takes longer than that."""

    PEOPLE: ClassVar[tuple[str, ...]] = ("siti", "budi", "rina", "admin")
    SERVICES: ClassVar[dict[str, str]] = {
        "ministry": "ministry-integration",
        "bank-nusantara": "partner-bank-nusantara",
        "dompet-rakyat": "partner-dompet-rakyat",
    }
    MAX_AGE_S = 120.0

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, str]] = {}

    def __getitem__(self, who: str) -> str:
        fetched = self._cache.get(who)
        if fetched is None or time.monotonic() - fetched[0] > self.MAX_AGE_S:
            if who in self.PEOPLE:
                token = stack.user_token(who)
            elif who in self.SERVICES:
                token = stack.service_token(self.SERVICES[who])
            else:
                raise KeyError(who)
            fetched = (time.monotonic(), token)
            self._cache[who] = fetched
        return fetched[1]

    def __iter__(self) -> Iterator[str]:
        return iter((*self.PEOPLE, *self.SERVICES))

    def __len__(self) -> int:
        return len(self.PEOPLE) + len(self.SERVICES)


@pytest.fixture(scope="session")
def tokens() -> FreshTokens:
    return FreshTokens()


@pytest.fixture(scope="session")
def gateway() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.GATEWAY, timeout=20) as client:
        yield client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from support import report

    figures = report.lines()
    if figures:
        terminalreporter.section("figures")
        for line in figures:
            terminalreporter.write_line(line)
