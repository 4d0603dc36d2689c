"""Turn an upstream CustomResourceDefinition into the JSON schema tests/deploy validates with.

    python deploy/k8s/schemas/import_crd.py CRD.yaml VERSION "owner/repo@tag:path"

Writes deploy/k8s/schemas/<group>/<kind>_<version>.json from the CRD's `openAPIV3Schema` for
VERSION. The schema data stays upstream's; only what JSON Schema cannot read the way the API
server does is translated (SOURCES.md lists every rule):

- an object that lists its `properties` accepts no other field (`additionalProperties: false`),
  unless it says `x-kubernetes-preserve-unknown-fields`: the API server's strict field
  validation rejects unknown fields, JSON Schema would silently allow them;
- `nullable: true` adds "null" to the type; `x-kubernetes-int-or-string` becomes integer or
  string; OpenAPI's boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers;
- `description` texts and CEL rules (`x-kubernetes-validations`, which need a CEL engine) are
  dropped, to keep the files small;
- `apiVersion` and `kind` must be this resource's, and `metadata` is held to the fields a
  manifest may set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

SCHEMAS = Path(__file__).resolve().parent
DRAFT = "https://json-schema.org/draft/2020-12/schema"

METADATA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 253},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def translate(node: Any) -> Any:
    """A copy of one OpenAPI v3 schema node, as JSON Schema 2020-12 reads it."""
    if isinstance(node, list):
        return [translate(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "description" and isinstance(value, str):
            continue
        if key == "x-kubernetes-validations":
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: translate(sub) for name, sub in value.items()}
        else:
            out[key] = translate(value)
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if out.get("x-kubernetes-int-or-string") and "type" not in out and "anyOf" not in out:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), bool):
            exclusive = out.pop(bound)
            if exclusive and limit in out:
                out[bound] = out.pop(limit)
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def resource_schema(crd: dict[str, Any], version: str, source: str) -> dict[str, Any]:
    spec = crd["spec"]
    served = {v["name"]: v for v in spec["versions"]}
    if version not in served:
        sys.exit(f"{crd['metadata']['name']} has no version {version}; it has {sorted(served)}")
    schema = translate(served[version]["schema"]["openAPIV3Schema"])
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"const": f"{spec['group']}/{version}"}
    properties["kind"] = {"const": spec["names"]["kind"]}
    properties["metadata"] = METADATA
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
    schema["additionalProperties"] = False
    return {
        "$schema": DRAFT,
        "$comment": f"{spec['names']['kind']} {spec['group']}/{version} from {source} "
        "(openAPIV3Schema; translated by deploy/k8s/schemas/import_crd.py, see SOURCES.md)",
        **schema,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crd", type=Path, help="the CRD manifest (YAML, one or more documents)")
    parser.add_argument("version", help="the served version to take, e.g. v1")
    parser.add_argument("source", help='where the CRD came from: "owner/repo@tag:path"')
    args = parser.parse_args()
    written = 0
    for crd in yaml.safe_load_all(args.crd.read_text(encoding="utf-8")):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        schema = resource_schema(crd, args.version, args.source)
        kind = crd["spec"]["names"]["kind"]
        target = SCHEMAS / crd["spec"]["group"] / f"{kind}_{args.version}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(schema, indent=1, sort_keys=False) + "\n", encoding="utf-8")
        print(f"{target.relative_to(SCHEMAS)}: {len(target.read_bytes()) // 1024} KiB")
        written += 1
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
