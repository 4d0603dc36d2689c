"""Referral's message bus: which handler answers each command the routes send, and which
reaction takes each event the worker consumes (`reactions.REACTIONS`)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from referral.service_layer import catalogue, commands, handlers, partner_side, summaries
from referral.service_layer.handlers import Context
from referral.service_layer.onboarding import Provisioning
from referral.service_layer.reactions import REACTIONS
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from shared.messagebus import AnyHandler, MessageBus
from shared.sealing import Opener

COMMAND_HANDLERS: Mapping[type, AnyHandler] = {
    commands.SendReferral: handlers.send_referral,
    commands.ListReferrals: handlers.list_referrals,
    commands.ViewReferral: handlers.view_referral,
    commands.WithdrawReferral: handlers.withdraw_referral,
    commands.SummariseMonth: summaries.summarise_month,
    commands.PartnerReferrals: partner_side.partner_referrals,
    commands.PartnerReferral: partner_side.partner_referral,
    commands.AnswerReferral: partner_side.answer_referral,
    commands.ReadApplicant: partner_side.read_applicant,
    commands.ConfirmErasure: partner_side.confirm_erasure,
    commands.ListPartners: catalogue.list_partners,
    commands.PutPartner: catalogue.put_partner,
    commands.OffboardPartner: catalogue.offboard_partner,
    commands.NewPartnerSecret: catalogue.new_partner_secret,
    commands.ChangeLicence: catalogue.change_licence,
}


def message_bus(
    sessions: async_sessionmaker[AsyncSession],
    ctx: Context,
    provisioning: Provisioning,
    keys: Opener,
) -> MessageBus[ReferralUnitOfWork]:
    """The bus of the referral API (and of anything else that sends referral commands)."""
    return MessageBus(
        commands=COMMAND_HANDLERS,
        events=REACTIONS,
        uow=lambda: ReferralUnitOfWork(sessions),
        joining=ReferralUnitOfWork.joining,
        dependencies={"ctx": ctx, "provisioning": provisioning, "keys": keys},
    )
