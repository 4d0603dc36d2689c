"""Referral's test helpers (`referral_fakes`, `referral_scenario`) import by their own names:
every service's test folder is a package called `unit`, so a relative import would find
another service's modules once that service's tests were collected first. (This conftest sits
outside that package: a second `unit/conftest.py` would be registered under training's name.)"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).parent / "unit")
if HERE not in sys.path:
    sys.path.insert(0, HERE)
