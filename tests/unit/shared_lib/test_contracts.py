"""Published contracts: examples valid, stored schemas honoured, incompatible changes caught."""

import pytest

from shared.contracts import Contract, registry
from shared.contracts.compat import incompatibilities, stored

CONTRACTS = sorted(registry().items())


@pytest.mark.parametrize(("event_type", "contract"), CONTRACTS)
def test_each_type_name_follows_the_convention(event_type: str, contract: type[Contract]) -> None:
    parts = event_type.split(".")
    assert parts[0] == "jembatan" and parts[-1].startswith("v") and parts[-1][1:].isdigit()
    assert len(parts) >= 4


@pytest.mark.parametrize(("event_type", "contract"), CONTRACTS)
def test_each_example_is_a_valid_message(event_type: str, contract: type[Contract]) -> None:
    assert contract.model_validate(contract.EXAMPLE).to_data()


@pytest.mark.parametrize(("event_type", "contract"), CONTRACTS)
def test_each_model_stays_compatible_with_its_stored_schema(
    event_type: str, contract: type[Contract]
) -> None:
    schema = stored(event_type)
    assert schema is not None, "run `python -m shared.contracts.compat` and commit the file"
    assert incompatibilities(schema, contract.model_json_schema()) == []


def test_the_compatibility_check_catches_breaking_changes() -> None:
    old = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]}
    assert incompatibilities(old, old) == []
    assert incompatibilities(old, {"properties": {"a": {"type": "string"}}, "required": ["a"]}) == [
        "b: removed"
    ]
    renamed_type = {"properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}
    assert "a: type changed" in incompatibilities(old, renamed_type)
    stricter = {**old, "required": ["a", "b"]}
    assert incompatibilities(old, stricter) == ["b: newly required"]
