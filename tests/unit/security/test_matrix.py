"""The authorization checks' pure parts, and the matrices held to the services' OpenAPI
documents built in-process: what the stack-bound checks will cover is known before they run
(`tests/security/test_authz_matrix.py`, `test_tokens.py`, the `tests/e2e/*authorization*`
modules)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from support import matrix

TESTS = Path(__file__).resolve().parents[2]
SERVICES = ("client", "referral", "training", "notify", "indicators")
DOCUMENT = {
    "paths": {
        "/api/things": {"get": {"security": [{"bearer": []}]}, "post": {}},
        "/api/things/{thing_id}": {"delete": {"security": [{"bearer": []}]}, "parameters": []},
    }
}


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document, from its app built in-process (no stack needed)."""
    return {
        service: importlib.import_module(f"{service}.entrypoints.app")
        .create(configure_process=False)
        .openapi()
        for service in SERVICES
    }


def test_operations_and_the_protected_ones_are_read_from_a_document() -> None:
    assert matrix.published_operations([DOCUMENT]) == {
        "GET /api/things",
        "POST /api/things",
        "DELETE /api/things/{thing_id}",
    }
    assert matrix.protected_operations([DOCUMENT]) == {
        "GET /api/things",
        "DELETE /api/things/{thing_id}",
    }


def test_a_path_with_values_calls_the_operation_whose_template_it_fills() -> None:
    assert matrix.calls("GET /api/things/{thing_id}", "GET", "/api/things/{id}")
    assert matrix.calls("GET /api/things/{thing_id}", "get", "/api/things/42?full=1")
    assert matrix.calls("GET /api/things", "GET", "/api/things?nik={nik}")
    assert not matrix.calls("GET /api/things/{thing_id}", "DELETE", "/api/things/42")
    assert not matrix.calls("GET /api/things/mine", "GET", "/api/things/{id}")
    assert not matrix.calls("GET /api/things/{thing_id}", "GET", "/api/things/42/parts")
    published = matrix.published_operations([DOCUMENT])
    assert matrix.unpublished([("POST", "/api/things"), ("PUT", "/api/things")], published) == {
        "PUT /api/things"
    }


def test_a_row_without_every_caller_is_undefined() -> None:
    expected = {"read": {"siti": 200, "budi": 404}, "write": {"siti": 201}}
    assert matrix.undefined_cells(expected, ["siti", "budi"]) == {"write": {"budi"}}


def test_the_authz_matrix_names_every_operation_the_services_publish_for_every_caller(
    documents: dict[str, dict[str, Any]],
) -> None:
    authz = yaml.safe_load((TESTS / "security" / "authz_matrix.yaml").read_text())
    operations = [entry["op"] for entry in authz["operations"]]
    assert len(set(operations)) == len(operations)
    assert set(operations) == matrix.published_operations(documents.values())
    expected = {entry["op"]: entry["expect"] for entry in authz["operations"]}
    assert matrix.undefined_cells(expected, authz["callers"]) == {}


def test_the_negative_token_check_covers_every_operation_that_asks_for_a_token(
    documents: dict[str, dict[str, Any]],
) -> None:
    authz = yaml.safe_load((TESTS / "security" / "authz_matrix.yaml").read_text())
    protected = matrix.protected_operations(documents.values())
    assert protected == matrix.token_guarded(authz)
    for service, document in documents.items():
        assert matrix.protected_operations([document]), service


def _module(relative: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(Path(relative).stem, TESTS / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("relative", "service"),
    [
        ("e2e/test_authorization_matrix.py", "client"),
        ("e2e/test_referral_authorization.py", "referral"),
        ("e2e/test_training_authorization.py", "training"),
    ],
)
def test_each_service_matrix_has_every_cell_and_calls_only_published_operations(
    relative: str, service: str, documents: dict[str, dict[str, Any]]
) -> None:
    module = _module(relative)
    assert set(module.EXPECTED) == set(module.ENDPOINTS)
    assert matrix.undefined_cells(module.EXPECTED, module.CALLERS) == {}
    assert sorted(module.CELLS) == sorted(
        (endpoint, caller) for endpoint in module.ENDPOINTS for caller in module.CALLERS
    )
    endpoints = [(spec[0], spec[1]) for spec in module.ENDPOINTS.values()]
    published = matrix.published_operations([documents[service]])
    assert matrix.unpublished(endpoints, published) == set()
