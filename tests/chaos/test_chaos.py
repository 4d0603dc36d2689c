"""The chaos suite's smaller run, in `make test`: every kind of fault once, under traffic.

`make chaos` runs the CI size (20,000 requests, three rounds of faults); this run is the same
code with 2,500 requests and one round, so that every change is checked against the faults.
"""

from __future__ import annotations

import json

import pytest

from chaos.run import HISTORY, run_chaos
from support import report

pytestmark = pytest.mark.integration


async def test_under_faults_nothing_is_lost_or_duplicated_and_the_platform_converges() -> None:
    figures = await run_chaos(requests=2_500, seed=20261206, rate=60.0, scale=1)
    HISTORY.mkdir(parents=True, exist_ok=True)
    (HISTORY / "make-test.json").write_text(json.dumps(figures, indent=1))
    summary = {
        k: figures[k]
        for k in (
            "accepted",
            "ambiguous",
            "effects_expected",
            "lost",
            "duplicated",
            "redeliveries_on_topics",
            "redeliveries_absorbed_by_inboxes",
            "converged_s",
        )
    }
    report.figure(f"chaos (make test size): {json.dumps(summary)}")
    assert figures["lost"] == 0, figures["lost_by_effect"]
    assert figures["duplicated"] == 0, figures["duplicated_by_effect"]
    assert figures["redeliveries_on_topics"] + figures["redeliveries_absorbed_by_inboxes"] > 0
    assert figures["converged_s"] <= 60
    assert sum(figures["faults"].values()) == 14  # every fault of the round struck
    assert figures["effects_expected"] > 1_000
