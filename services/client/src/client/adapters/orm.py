"""The client service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from client.domain.reference import REGION_CODE_SET
from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.messaging.inbox import inbox_table
from shared.messaging.outbox_table import outbox_table

metadata = new_metadata()

clients = Table(
    "clients",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    # NIK: AES-GCM ciphertext, a keyed HMAC index for exact lookup, and the masked form.
    Column("nik_ciphertext", LargeBinary, nullable=False),
    Column("nik_index", LargeBinary, nullable=False, unique=True),
    Column("nik_masked", Text, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", Text, nullable=False),
    Column("name_normalized", Text, nullable=False),
    Column("phone", Text, nullable=False),
    Column("phone_is_mobile", Boolean, nullable=False, server_default="true"),
    Column("email", Text),
    Column("region_code", Text, nullable=False),
    Column("preferred_language", Text, nullable=False),
    Column("disability", Boolean, nullable=False),
    Column("financial_profile", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("business", JSONB),
    # Warnings about the NIK kept with the record (e.g. a first-issue region since split).
    Column("nik_warnings", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("region_code_set", Text, nullable=False, server_default=REGION_CODE_SET.version),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("registered_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default="1"),
    # A merged duplicate stays, pointing at the client it duplicated (history is kept).
    Column("merged_into", Uuid),
    # The client asked to restrict processing (UU 27/2022 Pasal 41): no referral, no message.
    Column("restricted", Boolean, nullable=False, server_default="false"),
    CheckConstraint("kind IN ('worker', 'business')", name="kind"),
    CheckConstraint("sex IN ('F', 'M')", name="sex"),
    Index(
        "ix_clients_region_code", "region_code", postgresql_ops={"region_code": "text_pattern_ops"}
    ),
    Index("ix_clients_phone", "phone"),
    Index("ix_clients_name_normalized_birth_date", "name_normalized", "birth_date"),
    Index(
        "ix_clients_name_trgm",
        "name_normalized",
        postgresql_using="gin",
        postgresql_ops={"name_normalized": "gin_trgm_ops"},
    ),
)

# Consent history: a withdrawal sets `withdrawn_at`; a row is never deleted or rewritten.
consents = Table(
    "consents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("partner_code", Text),
    Column("scope", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("channels", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("text_version", Text, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("granted_by", Text, nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("withdrawn_by", Text),
    Index("ix_consents_client_id", "client_id"),
)

# The timeline read model: one row per event about a client, from any service.
timeline_entries = Table(
    "timeline_entries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("client_id", Uuid, nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("summary", JSONB, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_timeline_entries_client_id_occurred_at", "client_id", "occurred_at"),
)

# Every read of a person's record by a user: who, when, which record, why (docs/contract.md §7).
record_reads = Table(
    "record_reads",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("actor", Text, nullable=False),
    Column("actor_username", Text),
    Column("record_type", Text, nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # What the read was for, when a purpose alone does not say (a referral's id).
    Column("reference", Text),
    Index("ix_record_reads_record_id", "record_id"),
)

# One random data key per client, wrapped under the service's key-encryption keyring: it seals
# the person's values in the client's events (shared.sealing). Deleting the row erases every
# sealed copy at once (decision 0015). No region and nothing personal: no row-level security.
client_keys = Table(
    "client_keys",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# What a client asked of their data (UU 27/2022: access, correction, restriction, erasure), with
# the legal deadline (3 x 24 hours from receipt). Ids and times only: it outlives an erasure.
subject_requests = Table(
    "subject_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Column("done_by", Text),
    CheckConstraint(
        "kind IN ('access', 'correction', 'restriction', 'lift_restriction', 'erasure')",
        name="kind",
    ),
    Index("ix_subject_requests_open_due_at", "due_at", postgresql_where=text("done_at IS NULL")),
    Index("ix_subject_requests_client_id", "client_id"),
)

# The erasure ledger: which client was erased, when, on which request. It holds no value of
# the person; after a restore from a backup it is replayed so an erased client stays erased.
client_erasures = Table(
    "client_erasures",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("region_code", Text, nullable=False),
    Column("request_id", Uuid, nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)

# Likely duplicates for a supervisor to review: flagged, then merged or dismissed.
duplicate_flags = Table(
    "duplicate_flags",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("candidate_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("region_code", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="open"),
    Column("flagged_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("resolved_by", Text),
    Column("resolved_at", DateTime(timezone=True)),
    UniqueConstraint("client_id", "candidate_id"),
    Index("ix_duplicate_flags_region_code_status", "region_code", "status"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("region_code", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("assigned_to", Text, nullable=False),
    Column("opened_by", Text, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    CheckConstraint("status IN ('open', 'in_progress', 'closed')", name="status"),
    Index("ix_cases_client_id", "client_id"),
    Index("ix_cases_assigned_to", "assigned_to"),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("author", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_notes_case_id", "case_id"),
)

# Officers and supervisors as they last signed in to the portal: the people a supervisor may
# give cases to, by name. Nothing personal of clients; the username is the staff's login.
staff = Table(
    "staff",
    metadata,
    Column("subject", Text, primary_key=True),  # the Keycloak user id cases are assigned to
    Column("username", Text, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_staff_region_code", "region_code"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Column("kind", Text),
    Column("announced_at", DateTime(timezone=True)),
    Column("done_by", Text),
    Column("outcome", Text),  # what came of it, in the officer's words
    Column("account_in_own_name", Boolean),  # an account follow-up's answers
    Column("account_in_use", Boolean),
    Index("ix_tasks_case_id", "case_id"),
    Index("ix_tasks_open_due_on", "due_on", postgresql_where=text("done_at IS NULL")),
)

# Metadata of documents attached to a case; the files themselves live in object storage.
case_attachments = Table(
    "case_attachments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("filename", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_attachments_case_id", "case_id"),
)

# One row per imported sheet; the digest makes a repeated upload answer the first report.
client_imports = Table(
    "client_imports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("file_sha256", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("rows", Integer, nullable=False),
    Column("registered", Integer, nullable=False),
    Column("already_registered", Integer, nullable=False),
    Column("rejected", JSONB, nullable=False),
    UniqueConstraint("file_sha256", "scope"),
)

# A sheet registered in the background (client.service_layer.import_jobs): its content, encrypted,
# only until the timers have registered its rows; then its progress and the import it made.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("scope", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("content", LargeBinary),
    Column("actor", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("rows_total", Integer),
    Column("rows_done", Integer, nullable=False),
    Column("import_id", Uuid),
    Column("repeated_upload", Boolean, nullable=False),
    Column("error", Text),
    Column("attempts", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    Index(
        "ix_import_jobs_waiting",
        "created_at",
        postgresql_where=text("status IN ('queued', 'running')"),
    ),
)

# Suspected personal-data breaches (UU 27/2022 Pasal 46): what happened, when, where, and who
# was told when. Nothing personal: the people it may touch are counted by regency in
# `breach_counts` and listed only from `clients` (the rule named in `affected_rule`).
breaches = Table(
    "breaches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("category", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("handling", Text, nullable=False),
    Column("data_kinds", JSONB, nullable=False),
    Column("systems", JSONB, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("period_from", DateTime(timezone=True), nullable=False),
    Column("period_to", DateTime(timezone=True), nullable=False),
    # Region prefixes (province or regency codes); row-level security reads them.
    Column("regions", ARRAY(Text), nullable=False),
    Column("affected_rule", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("people_notified_at", DateTime(timezone=True)),
    Column("people_notified_by", Text),
    Column("people_told", Integer),
    Column("authority_notified_at", DateTime(timezone=True)),
    Column("authority_notified_by", Text),
    Column("escalated_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    CheckConstraint(
        "category IN ('unauthorised_access', 'disclosure', 'alteration', 'loss', 'destruction')",
        name="category",
    ),
    CheckConstraint("period_from < period_to", name="period"),
    Index("ix_breaches_recorded_at", "recorded_at"),
    Index(
        "ix_breaches_unescalated_due_at", "due_at", postgresql_where=text("escalated_at IS NULL")
    ),
)

breach_counts = Table(
    "breach_counts",
    metadata,
    Column("breach_id", Uuid, ForeignKey("breaches.id"), primary_key=True),
    Column("region_code", Text, primary_key=True),
    Column("clients", Integer, nullable=False),
)

outbox = outbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
inbox = inbox_table(metadata)
