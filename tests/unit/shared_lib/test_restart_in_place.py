"""The local stack's stand-in for a restart policy: a stalled worker starts itself afresh as
the same process (same pid, same command line), so the stack's scripts still know it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os, sys
from pathlib import Path
from shared.messaging.worker import _restart_in_place
starts = Path(sys.argv[1])
with starts.open("a") as f:
    f.write(f"{os.getpid()} {sys.argv[2]}\\n")
if len(starts.read_text().splitlines()) < 2:
    _restart_in_place(75)
"""


def test_a_stalled_worker_starts_again_in_the_same_process(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(starts), "same-arguments"], timeout=60, check=False
    )
    assert done.returncode == 0
    first, second = starts.read_text().splitlines()
    assert first == second  # one pid, one command line, started twice
    assert first.endswith(" same-arguments")
