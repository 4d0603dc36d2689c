"""The dispatcher knows nothing of fault injection: the bootstrap gives it a pause between
sending and recording only when the development setting asks for one."""

from __future__ import annotations

import time

from notify.bootstrap import _pause


def test_no_pause_unless_the_fault_setting_is_on() -> None:
    assert _pause(0.0) is None


async def test_the_pause_waits_as_long_as_the_setting_says() -> None:
    pause = _pause(0.05)
    assert pause is not None
    started = time.monotonic()
    await pause()
    assert time.monotonic() - started >= 0.04
