"""The running realm (infra/keycloak) honours docs/contract.md §4: claims, clients, refusals."""

import subprocess
import sys

import pytest

from support import stack

pytestmark = pytest.mark.integration


def test_the_realm_contract_holds_on_the_running_keycloak() -> None:
    result = subprocess.run(
        [sys.executable, str(stack.ROOT / "infra" / "keycloak" / "verify_realm.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "realm jembatan: all checks passed" in result.stdout
    assert " FAIL " not in result.stdout
