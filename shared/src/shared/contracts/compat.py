"""Stored JSON schemas of every published contract, one file per event type.

`python -m shared.contracts.compat` writes the schema of any type that has none yet; a stored
schema is never rewritten, because consumers were built against it. Tests compare each model
with its stored schema and fail on an incompatible change.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from shared.contracts import registry


def stored(event_type: str) -> dict[str, Any] | None:
    path = resources.files("shared.contracts").joinpath("schemas", f"{event_type}.json")
    return json.loads(path.read_text()) if path.is_file() else None


def incompatibilities(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """What a consumer built against `old` would trip over in `new`."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{where}{name}: removed")
            continue
        new_prop = new_props[name]
        if old_prop.get("type") != new_prop.get("type"):
            problems.append(f"{where}{name}: type changed")
        if "enum" in old_prop and set(new_prop.get("enum", [])) - set(old_prop["enum"]):
            problems.append(f"{where}{name}: new enum values")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"{where}{name}: newly required")
    for name, old_def in old.get("$defs", {}).items():
        if name in new.get("$defs", {}):
            problems += incompatibilities(old_def, new["$defs"][name], f"{where}{name}.")
    return problems


def main() -> None:
    folder = Path(__file__).parent / "schemas"
    for event_type, contract in registry().items():
        path = folder / f"{event_type}.json"
        if not path.exists():
            path.write_text(json.dumps(contract.model_json_schema(), indent=2) + "\n")
            print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
