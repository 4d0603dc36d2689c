"""Completion at its exact boundaries, the waiting list, certificates' codes and initials."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from training.domain.certificate import initials, verification_code
from training.domain.programme import CompletionRule, Programme, knowledge_gain
from training.domain.training_session import (
    InvalidTrainingSession,
    NotEnrolled,
    TrainingSession,
    TrainingSessionCancelled,
)
from training.entrypoints.schemas import describe, local_start

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
RULE = CompletionRule()  # 80 % attendance, post-test 70
QRIS = Programme("qris-umkm", "QRIS untuk UMKM", ("QRIS",), 4, "clients", "id")


@pytest.mark.parametrize(
    ("attended", "total", "post", "completed"),
    [
        (4, 5, 70, True),  # exactly 80 %, exactly the threshold
        (79, 100, 100, False),  # 79 %
        (80, 100, 70, True),  # 80 %
        (80, 100, 69, False),  # one point short
        (5, 5, None, False),  # no post-test yet
        (0, 0, 90, False),  # a session without days
    ],
)
def test_completion_follows_the_rule_exactly_at_its_boundaries(
    attended: int, total: int, post: int | None, completed: bool
) -> None:
    assert RULE.completed(attended, total, post) is completed


def test_knowledge_gain_is_post_minus_pre() -> None:
    assert knowledge_gain(40, 85) == 45
    assert knowledge_gain(None, 85) is None


def _session(capacity: int = 2) -> TrainingSession:
    return TrainingSession.schedule(
        programme=QRIS,
        region_code="3273",
        days=(date(2026, 12, 8), date(2026, 12, 7)),
        starts_at=datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")),
        trainer="officer:siti",
        capacity=capacity,
        venue="Aula Kelurahan Sukasari",
        now=NOW,
    )


def test_a_full_session_waitlists_and_a_cancellation_promotes_the_first_waiting() -> None:
    session = _session(capacity=2)
    assert [session.enrol(p, NOW) for p in ("client:a", "client:b", "client:c", "officer:d")] == [
        "enrolled",
        "enrolled",
        "waiting",
        "waiting",
    ]
    assert session.enrol("client:a", NOW) == "enrolled"  # enrolling twice changes nothing
    assert session.cancel_enrolment("client:a", NOW) == "client:c"
    assert session.enrolled == ["client:b", "client:c"] and session.waiting == ["officer:d"]
    assert [e.kind for e in session.events][-2:] == ["enrolment_cancelled", "promoted"]
    assert session.cancel_enrolment("officer:d", NOW) is None  # a waiting seat frees nothing
    with pytest.raises(NotEnrolled):
        session.cancel_enrolment("client:zz", NOW)


def test_a_session_needs_an_aware_time_and_a_place() -> None:
    with pytest.raises(InvalidTrainingSession):
        TrainingSession.schedule(
            programme=QRIS,
            region_code="3273",
            days=(date(2026, 12, 7),),
            starts_at=datetime(2026, 12, 7, 9, 0),
            trainer="t",
            capacity=10,
            venue="Aula",
            now=NOW,
        )
    assert _session().days == (date(2026, 12, 7), date(2026, 12, 8))


def test_certificates_show_initials_and_carry_an_unambiguous_code() -> None:
    assert initials("Ratna Sari Dewi") == "R. S. D."
    assert initials("  dedi   kurniawan ") == "D. K."
    codes = {verification_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 11 and c[5] == "-" and not set(c) & set("01OIL") for c in codes)


def test_attendance_counts_each_day_once_and_completion_waits_for_the_rule() -> None:
    session = _session()
    session.enrol("client:a", NOW)
    first, second = session.days
    session.record_attendance("client:a", first, now=NOW)
    session.record_attendance("client:a", first, now=NOW)  # marked twice: still one day
    session.record_scores("client:a", 40, 85)
    codes = iter(["AAAAA-BBBBB", "CCCCC-DDDDD"])
    assert not session.complete_if_due("client:a", RULE, NOW, lambda: next(codes))  # 1 of 2
    session.record_attendance("client:a", second, now=NOW)
    assert session.complete_if_due("client:a", RULE, NOW, lambda: next(codes))
    assert session.participation("client:a").certificate_code == "AAAAA-BBBBB"
    # completed once: a later mark never issues a second certificate
    session.record_attendance("client:a", second, present=False, now=NOW)
    assert not session.complete_if_due("client:a", RULE, NOW, lambda: next(codes))
    kinds = [e.kind for e in session.events]
    assert kinds.count("attendance_recorded") == 1 and kinds.count("completed") == 1


def test_attendance_is_for_the_enrolled_on_the_session_days() -> None:
    session = _session(capacity=1)
    session.enrol("client:a", NOW)
    session.enrol("client:b", NOW)  # waiting
    with pytest.raises(InvalidTrainingSession) as bad_day:
        session.record_attendance("client:a", date(2026, 12, 9), now=NOW)
    assert bad_day.value.field == "day"
    with pytest.raises(NotEnrolled):
        session.record_attendance("client:b", date(2026, 12, 7), now=NOW)
    with pytest.raises(InvalidTrainingSession) as bad_score:
        session.record_scores("client:a", None, 101)
    assert bad_score.value.field == "post_score"


def test_rescheduling_moves_the_days_until_attendance_was_recorded() -> None:
    session = _session()
    session.enrol("client:a", NOW)
    later = datetime(2026, 12, 14, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    session.reschedule((date(2026, 12, 14),), later, now=NOW)
    assert session.days == (date(2026, 12, 14),) and session.starts_at == later
    with pytest.raises(InvalidTrainingSession) as off_day:
        session.reschedule((date(2026, 12, 15),), later, now=NOW)
    assert off_day.value.field == "starts_at"
    session.record_attendance("client:a", date(2026, 12, 14), now=NOW)
    with pytest.raises(InvalidTrainingSession):
        session.reschedule((date(2026, 12, 21),), later.replace(day=21), now=NOW)
    session.cancel(now=NOW)
    session.cancel(now=NOW)  # once is enough
    assert [e.kind for e in session.events].count("cancelled") == 1
    with pytest.raises(TrainingSessionCancelled):
        session.enrol("client:c", NOW)


def test_a_session_reads_in_its_own_region_s_time_zone() -> None:
    bali = TrainingSession.schedule(
        programme=QRIS,
        region_code="5171",  # Kota Denpasar, WITA
        days=(date(2026, 12, 7),),
        starts_at=datetime(2026, 12, 7, 1, 0, tzinfo=UTC),
        trainer="officer:x",
        capacity=5,
        online_link="https://meet.example/qris",
        now=NOW,
    )
    shown = describe(bali)
    assert shown.time_zone == "WITA" and shown.programme_title == "QRIS untuk UMKM"
    assert shown.starts_at_local == "2026-12-07T09:00:00+08:00"
    papua = local_start("9171", datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    assert papua == "2026-12-07T10:00:00+09:00"
