"""A worker that stopped receiving records while its topics hold unread ones exits; a busy,
a merely quiet, or a cut-off worker does not."""

from __future__ import annotations

from shared.messaging.watchdog import EXIT_STALLED, Liveness, Watchdog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _watch(liveness: Liveness, unread: int | Exception) -> tuple[Watchdog, list[int]]:
    exits: list[int] = []

    def count() -> int:
        if isinstance(unread, Exception):
            raise unread
        return unread

    return Watchdog(liveness, count, stall_after_s=30, exit=exits.append), exits


def test_no_record_for_30_s_then_unread_records_for_30_s_is_a_stall() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    watchdog, exits = _watch(liveness, unread=12)
    clock.now += 29
    assert not watchdog.check() and exits == []
    clock.now += 2
    assert not watchdog.check()  # unread seen: watched from now on
    clock.now += 29
    assert not watchdog.check() and exits == []
    clock.now += 2
    assert watchdog.check() and exits == [EXIT_STALLED]


def test_a_broker_back_from_a_restart_has_time_to_hand_over_its_records() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    answers: list[int | Exception] = [ConnectionError("no broker")] * 8 + [10, 10, 10]

    def unread() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    exits: list[int] = []
    watchdog = Watchdog(liveness, unread, stall_after_s=30, exit=exits.append)
    clock.now += 30
    for _ in range(8):  # the broker is away for 40 s
        assert not watchdog.check()
        clock.now += 5
    for _ in range(3):  # back, with records the worker has not fetched yet
        assert not watchdog.check()
        clock.now += 5
    liveness.took()  # the worker fetched again
    liveness.done()
    assert not watchdog.check() and exits == []


def test_a_quiet_topic_is_no_stall_and_is_asked_about_again_only_a_period_later() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    asked = []
    watchdog = Watchdog(liveness, lambda: asked.append(clock.now) or 0, stall_after_s=30)
    clock.now += 600
    assert not watchdog.check() and asked == [clock.now]
    clock.now += 10
    assert not watchdog.check() and len(asked) == 1  # vouched for: no broker round trip
    clock.now += 25
    assert not watchdog.check() and len(asked) == 2


def test_a_worker_busy_with_a_batch_is_no_stall_for_five_minutes() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    watchdog, exits = _watch(liveness, unread=500)
    liveness.took()  # e.g. waiting out a database outage
    clock.now += 290
    assert not watchdog.check()
    liveness.done()
    clock.now += 10
    assert not watchdog.check() and exits == []  # the clock starts again when it is done


def test_a_batch_that_never_ends_is_a_stall() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    watchdog, exits = _watch(liveness, unread=500)
    liveness.took()
    clock.now += 301
    assert watchdog.check() and exits == [EXIT_STALLED]


def test_kafka_out_of_reach_is_no_stall() -> None:
    clock = Clock()
    watchdog, exits = _watch(Liveness(clock=clock), unread=ConnectionError("no broker"))
    clock.now += 600
    assert not watchdog.check() and exits == []
