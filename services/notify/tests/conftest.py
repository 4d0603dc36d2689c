"""Notify's test helpers (`unit/notify_fakes.py`) import by their own names: every service's
test folder is a package called `unit`, so a relative import would find another service's
modules once that service's tests were collected first. This conftest sits above `unit`
(training's sits inside its own): two conftests would both be `unit.conftest` to pytest."""

from __future__ import annotations

import sys
from pathlib import Path

UNIT = str(Path(__file__).parent / "unit")
if UNIT not in sys.path:
    sys.path.insert(0, UNIT)
