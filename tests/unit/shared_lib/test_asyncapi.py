"""docs/asyncapi.yaml is generated from the contracts, current, and valid AsyncAPI 3."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.contracts import registry
from shared.contracts.asyncapi import render

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "asyncapi.yaml"


def test_the_committed_document_is_what_the_contracts_generate() -> None:
    assert DOC.read_text() == render(), "run `python -m shared.contracts.asyncapi` and commit"


def test_every_published_type_is_documented_with_its_example() -> None:
    messages = json.loads(DOC.read_text())["components"]["messages"]
    documented = {m["name"]: m for m in messages.values()}
    for event_type, contract in registry().items():
        assert event_type in documented
        assert documented[event_type]["examples"][0]["payload"] == contract.EXAMPLE


def test_the_document_is_valid_for_the_asyncapi_parser() -> None:
    validator = ROOT / "tools" / "asyncapi"
    if not (validator / "node_modules").exists():
        pytest.fail("run `make install` (it installs the AsyncAPI parser with npm)")
    node = shutil.which("node")
    assert node, "Node.js is required for this check"
    result = subprocess.run(
        [node, str(validator / "validate.mjs"), str(DOC)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
