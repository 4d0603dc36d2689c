"""Codes the APIs answer with, and the words officers read for them (msgids of the
catalogues; `N_` marks them for extraction, the templates translate them)."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


PURPOSES = {
    "case_management": N_("Case management"),
    "referral": N_("Referral to a partner"),
    "notifications": N_("Messages to the client"),
}

REFERRAL_STATES = {
    "sent": N_("sent, waiting for the partner"),
    "acknowledged": N_("acknowledged by the partner"),
    "declined": N_("declined by the partner"),
    "withdrawn": N_("withdrawn"),
    "completed": N_("completed"),
    "escalated": N_("past its deadline"),
    "erased": N_("ended: the client's data was erased"),
}

# What a partner's staff reads of its own referrals (the inbox), and the answers it gives.
INBOX_STATES = {
    "sent": N_("new: acknowledge it"),
    "acknowledged": N_("acknowledged: report the outcome"),
    "completed": N_("completed"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn: stop and erase"),
    "expired": N_("expired: not acknowledged in time"),
    "erased": N_("client erased: erase and confirm"),
}
OUTCOMES = {
    "account_opened": N_("account opened"),
    "loan_disbursed": N_("loan disbursed"),
    "merchant_active": N_("merchant active (QRIS)"),
    "wallet_activated": N_("e-wallet activated"),
}
DECLINE_REASONS = {
    "not_eligible": N_("not eligible"),
    "duplicate_account": N_("already has an account"),
    "unreachable": N_("could not be reached"),
    "documents_missing": N_("documents missing"),
    "other": N_("another reason"),
}

PLACES = {
    "enrolled": N_("enrolled"),
    "waiting": N_("on the waiting list"),
}

CHANNELS = {"sms": N_("SMS"), "whatsapp": N_("WhatsApp"), "email": N_("E-mail")}

MESSAGE_STATES = {
    "scheduled": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
    "suppressed": N_("not sent"),
}

MESSAGE_REASONS = {
    "no_consent": N_("no consent for this channel"),
    "no_phone_number": N_("no phone number"),
    "no_email_address": N_("no e-mail address"),
    "no_address": N_("no address"),
}

MESSAGE_KINDS = {
    "client_registered": N_("Welcome"),
    "referral_sent": N_("Referral sent"),
    "referral_acknowledged": N_("Partner acknowledged"),
    "referral_declined": N_("Partner declined"),
    "referral_withdrawn": N_("Referral withdrawn"),
    "referral_account_opened": N_("Account opened"),
    "sla_breach": N_("Deadline passed"),
    "erasure_overdue": N_("Partner's erasure not confirmed"),
    "training_enrolled": N_("Training place"),
    "training_waitlisted": N_("Training waiting list"),
    "training_promoted": N_("Training place from the waiting list"),
    "training_session_changed": N_("Training moved"),
    "training_session_cancelled": N_("Training cancelled"),
    "training_completed": N_("Training certificate"),
    "training_reminder": N_("Training reminder"),
    "breach_notice": N_("Data incident notice"),
    "breach_escalated": N_("Data incident past its deadline"),
}

DUPLICATE_REASONS = {
    "same_phone": N_("the same phone number"),
    "same_name_and_birth_date": N_("the same name and birth date"),
}

READ_PURPOSES = {
    "case_management": N_("case work"),
    "search": N_("search"),
    "reveal_nik": N_("full NIK shown"),
    "referral": N_("sent to a partner"),
    "reveal_to_partner": N_("read by the partner, full NIK included"),
    "profile_to_partner": N_("read by the partner"),
    "export": N_("a copy given to the client"),
}

DATA_REQUESTS = {
    "access": N_("A copy of their data"),
    "correction": N_("A correction"),
    "restriction": N_("To restrict processing"),
    "lift_restriction": N_("To lift the restriction"),
    "erasure": N_("To be erased"),
    "breach": N_("listed as affected by a data incident"),
}

READ_PARTS = {
    "client": N_("Client record"),
    "consents": N_("Consents"),
    "timeline": N_("Timeline"),
    "cases": N_("Cases and notes"),
}

FEES = {
    "opening": N_("opening"),
    "monthly": N_("monthly"),
    "transfer_out": N_("transfer out"),
    "top_up_bank": N_("top-up from a bank"),
    "admin": N_("administration"),
    "provision": N_("provision"),
}

LICENCE_STATES = {
    "active": N_("active"),
    "suspended": N_("suspended"),
    "revoked": N_("revoked"),
}
# A partner's onboarding (the referral service makes its Keycloak client and its topic).
PARTNER_STATES = {
    "provisioning": N_("being set up: no referrals yet"),
    "active": N_("set up"),
    "offboarding": N_("being removed: no referrals"),
    "offboarded": N_("removed: no referrals, no access"),
}
PRODUCT_KINDS = {
    "savings": N_("savings account"),
    "payroll": N_("payroll account"),
    "credit": N_("credit (KUR)"),
    "ewallet": N_("e-wallet"),
    "qris": N_("QRIS for merchants"),
}
CLIENT_KINDS = {"worker": N_("independent workers"), "business": N_("small businesses (UMKM)")}

SCOPES = {
    "contact": N_("name and phone"),
    "identity": N_("NIK, birth date and sex"),
    "business": N_("the business"),
}
SCALES = {"mikro": N_("micro"), "kecil": N_("small"), "menengah": N_("medium")}

FINANCIAL_PROFILE = {
    "has_bank_account": N_("Has a bank account"),
    "has_ewallet": N_("Has an e-wallet"),
    "wages_paid_digitally": N_("Wages paid into an account"),
    "uses_qris": N_("Takes QRIS payments"),
}

CASE_STATES = {
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "closed": N_("closed"),
}

EVENTS = {
    "jembatan.client.registered.v1": N_("Registered"),
    "jembatan.client.registered.v2": N_("Registered"),
    "jembatan.client.updated.v1": N_("Details changed"),
    "jembatan.client.updated.v2": N_("Details changed"),
    "jembatan.client.merged.v1": N_("Merged with a duplicate record"),
    "jembatan.client.duplicate_suspected.v1": N_("Possible duplicate flagged"),
    "jembatan.consent.granted.v1": N_("Consent given"),
    "jembatan.consent.withdrawn.v1": N_("Consent withdrawn"),
    "jembatan.case.opened.v1": N_("Case opened"),
    "jembatan.case.assigned.v1": N_("Case assigned"),
    "jembatan.case.closed.v1": N_("Case closed"),
    "jembatan.case.reopened.v1": N_("Case reopened"),
    "jembatan.follow_up.answered.v1": N_("Account follow-up answered"),
    "jembatan.task.due.v1": N_("Follow-up due"),
    "jembatan.referral.sent.v1": N_("Referred to a partner"),
    "jembatan.referral.acknowledged.v1": N_("The partner acknowledged the referral"),
    "jembatan.referral.declined.v1": N_("The partner declined the referral"),
    "jembatan.referral.withdrawn.v1": N_("Referral withdrawn"),
    "jembatan.referral.completed.v1": N_("The partner reported the outcome"),
    "jembatan.referral.escalated.v1": N_("Referral past its deadline"),
    "jembatan.referral.erasure_requested.v1": N_("The partner was told to erase the data"),
    "jembatan.referral.erasure_confirmed.v1": N_("The partner confirmed the erasure"),
    "jembatan.referral.erasure_overdue.v1": N_("The partner's erasure is overdue"),
    "jembatan.notification.scheduled.v1": N_("Message planned"),
    "jembatan.notification.delivered.v1": N_("Message delivered"),
    "jembatan.notification.opted_out.v1": N_("The client replied STOP"),
    "jembatan.training.enrolment_changed.v1": N_("Training place changed"),
    "jembatan.training.attendance_recorded.v1": N_("Training attendance recorded"),
    "jembatan.training.completed.v1": N_("Training completed"),
    "jembatan.breach.notice_approved.v1": N_("Data incident notice approved"),
}
OTHER_EVENT = N_("Other event")


def event(event_type: str) -> str:
    return EVENTS.get(event_type, OTHER_EVENT)


# Personal-data breaches (UU 27/2022 Pasal 46): what happened, in the law's own terms.
BREACH_CATEGORIES = {
    "unauthorised_access": N_("unauthorised access to personal data"),
    "disclosure": N_("disclosure to someone not entitled"),
    "alteration": N_("unauthorised alteration"),
    "loss": N_("loss"),
    "destruction": N_("destruction"),
}

BREACH_SYSTEMS = {
    "client": N_("client registration"),
    "referral": N_("referrals"),
    "training": N_("training"),
    "notify": N_("messages"),
    "indicators": N_("ministry indicators"),
    "portal": N_("officers' portal"),
    "gateway": N_("API gateway"),
    "keycloak": N_("sign-in (Keycloak)"),
    "kafka": N_("event queue (Kafka)"),
    "backups": N_("backups"),
    "other": N_("another system"),
}

BREACH_DATA = {
    "nik": N_("NIK"),
    "name": N_("name"),
    "birth_date_and_sex": N_("birth date and sex"),
    "contact": N_("phone number and e-mail"),
    "disability": N_("disability"),
    "financial_profile": N_("financial profile"),
    "business": N_("business details"),
    "case_notes": N_("cases and notes"),
}

BREACH_PENDING = {
    "people": N_("the people affected"),
    "authority": N_("the authority"),
}
