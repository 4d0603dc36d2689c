"""Indicators' test helpers (`indicators_fakes`) import by their own names: every service's
test folder is a package called `unit`, so a relative import would find another service's
modules once that service's tests were collected first."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
