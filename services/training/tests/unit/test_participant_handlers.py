"""Enrolment, attendance, scores, sheets and certificates through the bus, on the fake unit of
work: the rules, the answers and the integration events that would go to the outbox."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from training_fakes import FakeTrainingUow
from training_scenario import (
    BUDI,
    DAYS,
    EKO,
    NOW,
    SITI,
    WIB,
    bus_over,
    client,
    programme,
    session,
    types,
)

from shared.contracts import training as contracts
from shared.errors import Conflict, InvalidField, NotFound
from training.service_layer import commands


async def test_enrol_a_client_then_the_waiting_list_keyed_by_client() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus, capacity=1)
    dedi, rina = client(uow), client(uow)
    types(uow)
    assert await bus.handle(commands.Enrol(SITI, session_id, dedi)) == "enrolled"
    assert await bus.handle(commands.Enrol(SITI, session_id, rina)) == "waiting"
    first, second = (e for _, e in uow.published)
    assert first.key == dedi.partition(":")[2] and second.key == rina.partition(":")[2]
    changed = contracts.EnrolmentChanged.model_validate(second.data)
    assert changed.change == "waitlisted" and changed.changed_at == NOW
    assert changed.programme_title == "QRIS untuk UMKM" and changed.participant_kind == "client"


async def test_enrol_refuses_strangers_the_wrong_audience_and_cancelled_sessions() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    with pytest.raises(NotFound, match=r"No such session or client\."):
        await bus.handle(commands.Enrol(SITI, session_id, client(uow, region_code="3578")))
    with pytest.raises(NotFound, match=r"No such session or client\."):
        await bus.handle(commands.Enrol(EKO, session_id, "me"))
    with pytest.raises(InvalidField) as kind:
        await bus.handle(commands.Enrol(SITI, session_id, "partner:bank"))
    assert kind.value.field == "participant"
    await programme(bus, audience="clients")  # the session's programme is now for clients only
    with pytest.raises(InvalidField, match="for clients only"):
        await bus.handle(commands.Enrol(SITI, session_id, "me"))
    await bus.handle(commands.CancelSession(SITI, session_id))
    with pytest.raises(Conflict, match="the session was cancelled"):
        await bus.handle(commands.Enrol(SITI, session_id, client(uow)))


async def test_cancel_enrolment_promotes_the_first_waiting() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus, capacity=1)
    dedi, rina = client(uow), client(uow)
    await bus.handle(commands.Enrol(SITI, session_id, dedi))
    await bus.handle(commands.Enrol(SITI, session_id, rina))
    types(uow)
    answer = await bus.handle(commands.CancelEnrolment(SITI, session_id, dedi))
    assert answer == (dedi, rina)
    assert types(uow) == ["training.enrolment_changed"] * 2
    assert uow.training_sessions.rows[session_id].enrolled == [rina]  # type: ignore[attr-defined]
    with pytest.raises(NotFound, match=r"No such enrolment\."):
        await bus.handle(commands.CancelEnrolment(SITI, session_id, dedi))


async def test_record_attendance_completes_and_certifies_with_the_clients_initials() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)  # programme: half the days, post-test 70
    dedi = client(uow, initials="D. K.")
    await bus.handle(commands.Enrol(SITI, session_id, dedi))
    await bus.handle(commands.RecordScores(SITI, session_id, dedi, 40, 85))
    types(uow)
    done = await bus.handle(commands.RecordAttendance(SITI, session_id, dedi, DAYS[0]))
    assert done.participant == dedi and done.enrolment.certificate_code is not None
    assert types(uow) == ["training.attendance_recorded", "training.completed"]
    [certificate] = uow.certificates.rows.values()  # type: ignore[attr-defined]
    assert certificate["initials"] == "D. K." and certificate["completed_on"] == date(2026, 12, 1)
    with pytest.raises(InvalidField) as off_day:
        await bus.handle(commands.RecordAttendance(SITI, session_id, dedi, date(2026, 12, 9)))
    assert off_day.value.field == "day"


async def test_record_attendance_times_events_in_the_sessions_zone() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    await bus.handle(commands.Enrol(SITI, session_id, "me"))
    types(uow)
    await bus.handle(commands.RecordAttendance(SITI, session_id, "me", DAYS[1]))
    [(_, envelope)] = uow.published
    assert envelope.key == str(session_id)  # an officer's events go by the session
    assert envelope.data["recorded_at"] == NOW.astimezone(WIB).isoformat()
    assert envelope.data["officer_id"] == "siti-sub" and envelope.data["days_total"] == 2


async def test_record_scores_for_the_enrolled_only() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    dedi = client(uow)
    with pytest.raises(NotFound, match=r"No such enrolment\."):
        await bus.handle(commands.RecordScores(SITI, session_id, dedi, 10, 20))
    await bus.handle(commands.Enrol(SITI, session_id, dedi))
    types(uow)
    done = await bus.handle(commands.RecordScores(SITI, session_id, dedi, 10, 60))
    assert (done.enrolment.pre_score, done.enrolment.post_score) == (10, 60)
    assert uow.published == []  # scores alone announce nothing until they complete


async def test_record_session_scores_all_or_none() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    dedi, rina = client(uow), client(uow)
    for who in (dedi, rina):
        await bus.handle(commands.Enrol(SITI, session_id, who))
        await bus.handle(commands.RecordAttendance(SITI, session_id, who, DAYS[0]))
    types(uow)
    stranger = client(uow)
    lines = (commands.ScoreLine(dedi, 40, 90), commands.ScoreLine(stranger, 10, 20))
    with pytest.raises(InvalidField) as bad:
        await bus.handle(commands.RecordSessionScores(SITI, session_id, lines))
    assert (bad.value.field, bad.value.message) == ("scores.1.participant", "is not enrolled here")
    stored = uow.training_sessions.rows[session_id]  # type: ignore[attr-defined]
    assert stored.participation(dedi).post_score is None and uow.published == []
    lines = (commands.ScoreLine(dedi, 40, 90), commands.ScoreLine(rina, None, 65))
    shown = await bus.handle(commands.RecordSessionScores(SITI, session_id, lines))
    assert shown.participation(dedi).completed_at is not None
    assert shown.participation(rina).completed_at is None
    assert types(uow) == ["training.completed"]


async def test_import_attendance_applies_good_rows_and_recognises_the_same_file() -> None:
    uow = FakeTrainingUow()
    bus = bus_over(uow)
    session_id = await session(bus)
    dedi = client(uow)
    await bus.handle(commands.Enrol(SITI, session_id, dedi))
    types(uow)
    sheet = f"participant,day,post_score\n{dedi},2026-12-07,80\n{dedi},2026-13-01,\n".encode()
    report = await bus.handle(commands.ImportAttendance(SITI, session_id, "a.csv", sheet))
    assert (report.rows, report.recorded, report.rejected_total) == (2, 1, 1)
    assert report.rejected == [{"row": 3, "field": "day", "message": report.rejected[0]["message"]}]
    assert types(uow) == ["training.attendance_recorded", "training.completed"]
    again = await bus.handle(commands.ImportAttendance(SITI, session_id, "b.csv", sheet))
    assert again.repeated_upload and again.id == report.id and uow.published == []
    with pytest.raises(InvalidField, match="larger than 2 MB"):
        await bus.handle(commands.ImportAttendance(SITI, session_id, "c.csv", b"x" * 2**22))
    with pytest.raises(NotFound, match=r"No such session\."):
        await bus.handle(commands.ImportAttendance(EKO, session_id, "d.csv", sheet + b"\n"))


async def _completed(uow: FakeTrainingUow, who: str = "me") -> tuple[UUID, str]:
    bus = bus_over(uow)
    session_id = await session(bus)
    await bus.handle(commands.Enrol(SITI, session_id, who))
    done = await bus.handle(commands.RecordScores(SITI, session_id, who, 20, 90))
    await bus.handle(commands.RecordAttendance(SITI, session_id, who, DAYS[0]))
    code = uow.training_sessions.rows[session_id].participation(done.participant).certificate_code  # type: ignore[attr-defined]
    assert code is not None
    return session_id, code


async def test_session_certificates_of_the_region_or_not_found() -> None:
    uow = FakeTrainingUow()
    session_id, code = await _completed(uow)
    bus = bus_over(uow)
    [found] = await bus.handle(commands.SessionCertificates(SITI, session_id))
    assert found["code"] == code and found["initials"] == "-"  # an officer's shows no initials
    with pytest.raises(NotFound, match=r"No such certificate\."):
        await bus.handle(commands.SessionCertificates(EKO, session_id))


async def test_verify_certificate_by_its_code_in_any_case() -> None:
    uow = FakeTrainingUow()
    _, code = await _completed(uow, client(uow, initials="R. S."))
    bus = bus_over(uow)
    found = await bus.handle(commands.VerifyCertificate(code.lower()))
    assert found["initials"] == "R. S." and found["valid"]
    with pytest.raises(NotFound, match=r"No such certificate\."):
        await bus.handle(commands.VerifyCertificate("AAAAA-BBBBB"))


async def test_officers_records_for_the_supervisors_region() -> None:
    uow = FakeTrainingUow()
    await _completed(uow)
    bus = bus_over(uow)
    [record] = await bus.handle(commands.OfficersRecords(BUDI))
    assert record["participant"] == "officer:siti-sub" and record["completed_at"] == NOW.astimezone(
        WIB
    )
    assert await bus.handle(commands.OfficersRecords(EKO)) == []


async def test_training_records_of_a_client_of_the_region_or_ones_own() -> None:
    uow = FakeTrainingUow()
    dedi = client(uow)
    await _completed(uow, dedi)
    bus = bus_over(uow)
    [record] = await bus.handle(commands.TrainingRecords(SITI, dedi))
    assert record["certificate_code"] and record["attended"] == ["2026-12-07"]
    assert await bus.handle(commands.TrainingRecords(SITI, "me")) == []
    with pytest.raises(NotFound, match=r"No such client\."):
        await bus.handle(commands.TrainingRecords(EKO, dedi))
    with pytest.raises(NotFound, match=r"No such client\."):
        await bus.handle(commands.TrainingRecords(SITI, f"client:{uuid4()}"))
