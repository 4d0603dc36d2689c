"""Schemathesis hooks for tests/security/test_api_fuzzing.py (`SCHEMATHESIS_HOOKS`).

- A real token of the caller named in `JEMBATAN_FUZZ_CALLER` (a demo person through the
  authorization code flow, or a service account), fetched again before it expires.
- A check that no refusal repeats a personal value the request carried.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

from support import stack

PERSONAL_FIELDS = {"nik", "full_name", "name", "phone", "email", "from", "sender", "q", "text"}
SERVICE_ACCOUNTS = {
    "ministry": "ministry-integration",
    "bank-nusantara": "partner-bank-nusantara",
}


@schemathesis.auth(refresh_interval=120)
class RealmToken:
    """A token of the caller, as the gateway and the services verify every request's."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        caller = os.environ["JEMBATAN_FUZZ_CALLER"]
        if caller in SERVICE_ACCOUNTS:
            return stack.service_token(SERVICE_ACCOUNTS[caller])
        return stack.user_token(caller)

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _personal_values(value: Any, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [v for k, item in value.items() for v in _personal_values(item, str(k))]
    if isinstance(value, list):
        return [v for item in value for v in _personal_values(item, key)]
    if key in PERSONAL_FIELDS and isinstance(value, str) and len(value.strip()) >= 5:
        return [value]
    return []


@schemathesis.check
def no_personal_value_echoed(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A refusal never repeats a NIK, name, phone or email the caller sent (docs/contract.md §5)."""
    if response.status_code < 400:
        return None
    sent = _personal_values(case.body) + _personal_values(dict(case.query or {}))
    echoed = [v for v in sent if v in response.text or json.dumps(v)[1:-1] in response.text]
    if echoed:
        raise AssertionError(f"a {response.status_code} answer repeats a personal value sent")
    return None
