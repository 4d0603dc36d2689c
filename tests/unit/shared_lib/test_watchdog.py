"""A worker that stopped receiving records while its topics hold unread ones exits; so does
one whose group left unread partitions to nobody; a busy, a merely quiet, or a cut-off worker
does not."""

from __future__ import annotations

from collections.abc import Callable

from shared.messaging.watchdog import EXIT_STALLED, Backlog, Liveness, Watchdog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _watch(
    liveness: Liveness, found: Backlog | Exception | Callable[[], Backlog], **options: object
) -> tuple[Watchdog, list[int]]:
    exits: list[int] = []

    def ask() -> Backlog:
        if isinstance(found, Exception):
            raise found
        return found() if callable(found) else found

    watchdog = Watchdog(liveness, ask, stall_after_s=30, exit=exits.append, **options)  # type: ignore[arg-type]
    return watchdog, exits


def test_no_record_for_30_s_then_unread_records_for_30_s_is_a_stall() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    watchdog, exits = _watch(liveness, Backlog(unread=12, unowned=0))
    clock.now += 29
    assert not watchdog.check() and exits == []
    clock.now += 2
    assert not watchdog.check()  # unread seen: watched from now on
    clock.now += 29
    assert not watchdog.check() and exits == []
    clock.now += 2
    assert watchdog.check() and exits == [EXIT_STALLED]


def test_unread_partitions_that_nobody_owns_for_15_s_are_a_stall() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    watchdog, exits = _watch(liveness, Backlog(unread=369, unowned=369))
    clock.now += 16  # idle long enough to be asked about
    assert not watchdog.check()
    clock.now += 14
    assert not watchdog.check() and exits == []
    clock.now += 1
    assert watchdog.check() and exits == [EXIT_STALLED]


def test_a_quiet_topic_is_no_stall_and_is_asked_about_again_only_a_period_later() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    asked: list[float] = []

    def ask() -> Backlog:
        asked.append(clock.now)
        return Backlog(unread=0, unowned=0)

    watchdog, _ = _watch(liveness, ask)
    clock.now += 600
    assert not watchdog.check() and asked == [clock.now]
    clock.now += 10
    assert not watchdog.check() and len(asked) == 1  # found quiet: no broker round trip
    clock.now += 25
    assert not watchdog.check() and len(asked) == 2


def test_a_broker_back_from_a_restart_has_time_to_hand_over_its_records() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    away: list[Backlog | Exception] = [ConnectionError("no broker") for _ in range(8)]
    answers = away + [Backlog(unread=10, unowned=0) for _ in range(3)]

    def ask() -> Backlog:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    watchdog, exits = _watch(liveness, ask)
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


def test_a_worker_busy_with_a_batch_is_no_stall_for_five_minutes() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    watchdog, exits = _watch(liveness, Backlog(unread=500, unowned=0))
    liveness.took()  # e.g. waiting out a database outage
    clock.now += 290
    assert not watchdog.check()
    liveness.done()
    clock.now += 10
    assert not watchdog.check() and exits == []  # the clock starts again when it is done


def test_a_batch_that_never_ends_is_a_stall() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    watchdog, exits = _watch(liveness, Backlog(unread=500, unowned=0))
    liveness.took()
    clock.now += 301
    assert watchdog.check() and exits == [EXIT_STALLED]


def test_a_stalled_worker_leaves_its_group_before_it_exits() -> None:
    clock = Clock()
    liveness = Liveness(clock=clock)
    steps: list[str] = []

    def leave() -> None:
        steps.append("left")
        raise ConnectionError("and even when the broker cannot be told")

    watchdog = Watchdog(
        liveness,
        lambda: Backlog(unread=3, unowned=0),
        stall_after_s=30,
        exit=lambda code: steps.append(f"exit {code}"),
        leave=leave,
    )
    liveness.took()
    clock.now += 301
    assert watchdog.check()
    assert steps == ["left", f"exit {EXIT_STALLED}"]


def test_kafka_out_of_reach_is_no_stall() -> None:
    clock = Clock()
    watchdog, exits = _watch(Liveness(clock=clock), ConnectionError("no broker"))
    clock.now += 600
    assert not watchdog.check() and exits == []
