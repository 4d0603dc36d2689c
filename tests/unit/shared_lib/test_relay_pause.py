"""The relay knows nothing of fault injection: run_relay gives it a pause between the ack and
marking rows sent only when the development setting asks for one."""

from __future__ import annotations

import time

from shared.messaging.relay import _pause


def test_no_pause_unless_the_fault_setting_is_on() -> None:
    assert _pause(0.0) is None


def test_the_pause_waits_as_long_as_the_setting_says() -> None:
    pause = _pause(0.05)
    assert pause is not None
    started = time.monotonic()
    pause()
    assert time.monotonic() - started >= 0.04
