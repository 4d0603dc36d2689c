"""Schemathesis against every service's OpenAPI document, through the gateway, every phase.

Each run generates requests from the document (examples, coverage of boundaries, random
fuzzing, stateful sequences that follow the links between operations) as a real caller with
a real token, and holds every answer to these checks:

- `not_a_server_error`: no 5xx;
- `status_code_conformance`, `content_type_conformance`, `response_schema_conformance`,
  `response_headers_conformance`: the answer is one the document promises (integrators
  build against it);
- `ignored_auth`: an operation that asks for a token refuses a request without one;
- `use_after_free`: nothing deleted answers as if it still existed;
- `no_personal_value_echoed` (tests/support/fuzz_hooks.py): no refusal repeats a NIK,
  name, phone or email the request carried.

Left out on purpose: `negative_data_rejection` and `positive_data_acceptance` judge by the
schema alone, while the services check more than a schema can say (a NIK's checksum against
the birth date, a region within the caller's); `unsupported_method` (Envoy answers an unknown
method such as QUERY before any route).

Budget: `JEMBATAN_FUZZ_EXAMPLES` examples per operation and phase (10 in `make test`; `make
fuzz` runs 100 with a random seed), seed `JEMBATAN_FUZZ_SEED` (42 unless set).
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from support import report, stack

pytestmark = pytest.mark.integration

# Each service as the callers whose operations it has (the others only meet 403s).
RUNS = [
    ("client", "siti"),
    ("client", "rina"),
    ("referral", "siti"),
    ("referral", "admin"),
    ("referral", "bank-nusantara"),
    ("training", "siti"),
    ("training", "admin"),
    ("notify", "siti"),
    ("indicators", "siti"),
    ("indicators", "ministry"),
]
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
    "use_after_free",
    "no_personal_value_echoed",
)
EXAMPLES = int(os.environ.get("JEMBATAN_FUZZ_EXAMPLES", "10"))
SEED = os.environ.get("JEMBATAN_FUZZ_SEED", "42")
REPORTS = stack.CACHE / "test-artefacts" / "fuzz"
generated: dict[str, int] = {}
runs = report.Cells(RUNS)


@report.at_end
def _fuzzing() -> str | None:
    if not runs.ran:
        return None
    return (
        f"schemathesis: {len(runs.passed)}/{len(RUNS)} runs without a failure, "
        f"{sum(generated.values())} test cases, {EXAMPLES} examples per operation and phase, "
        f"seed {SEED}"
    )


def test_the_runs_cover_every_service_as_callers_the_tests_have_tokens_for(
    tokens: dict[str, str],
) -> None:
    assert len(set(RUNS)) == len(RUNS)
    assert {service for service, _ in RUNS} == set(stack.SERVICE_PORTS)
    assert {caller for _, caller in RUNS} <= set(tokens)


@pytest.mark.parametrize(("service", "caller"), RUNS, ids=[f"{s}-{c}" for s, c in RUNS])
def test_schemathesis_finds_no_failure(service: str, caller: str) -> None:
    with runs.check((service, caller)):
        REPORTS.mkdir(parents=True, exist_ok=True)
        command = [
            str(stack.ROOT / ".venv" / "bin" / "st"),
            "--config-file",
            str(stack.ROOT / "tests" / "security" / "schemathesis.toml"),
            "run",
            f"{stack.GATEWAY}/api/{service}/openapi.json",
            "--url",
            stack.GATEWAY,
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            str(EXAMPLES),
            "--rate-limit",
            "150/s",  # under the officers' shared bucket at the gateway (200/s)
            "--workers",
            "1",
            "--report",
            "junit",
            "--report-junit-path",
            str(REPORTS / f"{service}-{caller}.xml"),
            "--no-color",
        ]
        if SEED != "random":
            command += ["--seed", SEED]
        env = {
            **os.environ,
            "PYTHONPATH": f"{stack.ROOT / 'tests'}:{stack.ROOT}",
            "SCHEMATHESIS_HOOKS": "support.fuzz_hooks",
            "JEMBATAN_FUZZ_CALLER": caller,
        }
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-6000:]
        cases = re.search(r"(\d+) generated", output)
        assert cases and int(cases.group(1)) > 0, output[-2000:]
        generated[f"{service}-{caller}"] = int(cases.group(1))
        assert "Selected:" in output
