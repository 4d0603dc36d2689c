"""Training's message bus: which handler answers each command, which reacts to each event."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.messagebus import AnyHandler, MessageBus
from shared.sealing import Opener
from training.service_layer import attendance_sheet, commands, handlers
from training.service_layer.handlers import Clock, utc_now
from training.service_layer.reactions import REACTIONS
from training.service_layer.unit_of_work import TrainingUnitOfWork

COMMAND_HANDLERS: Mapping[type, AnyHandler] = {
    commands.PutProgramme: handlers.put_programme,
    commands.ListProgrammes: handlers.list_programmes,
    commands.ScheduleSession: handlers.schedule_session,
    commands.ListSessions: handlers.list_sessions,
    commands.ViewSession: handlers.view_session,
    commands.RescheduleSession: handlers.reschedule_session,
    commands.CancelSession: handlers.cancel_session,
    commands.Enrol: handlers.enrol,
    commands.CancelEnrolment: handlers.cancel_enrolment,
    commands.RecordAttendance: handlers.record_attendance,
    commands.RecordScores: handlers.record_scores,
    commands.RecordSessionScores: handlers.record_session_scores,
    commands.ImportAttendance: attendance_sheet.import_attendance,
    commands.SessionCertificates: handlers.session_certificates,
    commands.OfficersRecords: handlers.officers_records,
    commands.TrainingRecords: handlers.training_records,
    commands.VerifyCertificate: handlers.verify_certificate,
}


def message_bus(
    sessions: async_sessionmaker[AsyncSession], keys: Opener, clock: Clock = utc_now
) -> MessageBus[TrainingUnitOfWork]:
    """The bus of the training API (and of anything else that sends training commands)."""
    return MessageBus(
        commands=COMMAND_HANDLERS,
        events=REACTIONS,
        uow=lambda: TrainingUnitOfWork(sessions),
        joining=TrainingUnitOfWork.joining,
        dependencies={"clock": clock, "keys": keys},
    )
