"""The body of every service's Alembic `env.py`, and the row-level security of migrations."""

from __future__ import annotations

from alembic import context, op
from sqlalchemy import MetaData, create_engine, pool, text

from shared.db import ALL_REGIONS, PARTNER_SETTING, REGION_SETTING


def run(target_metadata: MetaData) -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        # Migrations work on every region's rows (the tables force row-level security).
        connection.execute(text(f"SELECT set_config('{REGION_SETTING}', '{ALL_REGIONS}', false)"))
        connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


# Row-level security (decision 0011), a second line under the services' own region checks.
_FUNCTIONS = (
    f"""
CREATE OR REPLACE FUNCTION jembatan_all_regions() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(current_setting('{REGION_SETTING}', true) = '{ALL_REGIONS}', false)
$$""",
    f"""
CREATE OR REPLACE FUNCTION jembatan_region_visible(region_code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN current_setting('{REGION_SETTING}', true) = '{ALL_REGIONS}' THEN true
    WHEN current_setting('{REGION_SETTING}', true) ~ '^[0-9]{{2}}([0-9]{{2}})?$'
      THEN starts_with(region_code, current_setting('{REGION_SETTING}', true))
    ELSE false
  END
$$""",
)


def create_region_visibility() -> None:
    """`jembatan_region_visible(region_code)`: whether this transaction may see the row;
    `jembatan_all_regions()`: whether it works for every region (a worker)."""
    for function in _FUNCTIONS:
        op.execute(function)


def drop_region_visibility() -> None:
    op.execute("DROP FUNCTION IF EXISTS jembatan_region_visible(text)")
    op.execute("DROP FUNCTION IF EXISTS jembatan_all_regions()")


def through_client(table: str) -> str:
    """A row about a client the transaction may see (or any, for a worker: events may
    arrive before the client's own row, or about a client merged away)."""
    subquery = f"SELECT 1 FROM clients WHERE clients.id = {table}.client_id"  # noqa: S608 (a table name of the migration's own)
    return f"jembatan_all_regions() OR EXISTS ({subquery})"


def scope_rows(table: str, visible: str = "jembatan_region_visible(region_code)") -> None:
    """Let a transaction read and write only the rows of `table` for which `visible` holds;
    forced, so the tables' owner (the service itself) is held to it too."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY region_scope ON {table} USING ({visible}) WITH CHECK ({visible})")


def unscope_rows(table: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS region_scope ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def partner_visible(region_column: str = "region_code") -> str:
    """A row of the caller's region, or addressed to the calling partner."""
    return (
        f"jembatan_region_visible({region_column}) "
        f"OR partner_code = current_setting('{PARTNER_SETTING}', true)"
    )


# The relay's wake-up call (shared.messaging.relay): rows committed into the outbox notify
# the channel `outbox` once per transaction (PostgreSQL folds a transaction's identical
# notifications into one and delivers them at commit, never for a rolled-back insert).
OUTBOX_CHANNEL = "outbox"


def create_outbox_wakeup() -> None:
    op.execute(
        f"""
CREATE OR REPLACE FUNCTION jembatan_outbox_wakeup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{OUTBOX_CHANNEL}', '');
  RETURN NULL;
END
$$"""
    )
    op.execute(
        "CREATE TRIGGER outbox_wakeup AFTER INSERT ON outbox"
        " FOR EACH STATEMENT EXECUTE FUNCTION jembatan_outbox_wakeup()"
    )


def drop_outbox_wakeup() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_wakeup ON outbox")
    op.execute("DROP FUNCTION IF EXISTS jembatan_outbox_wakeup()")


# A row the relay cannot publish (its topic is missing, or refused to the service) waits with
# a growing delay and is then parked with its reason (shared.messaging.relay); the other rows
# keep flowing. `ix_outbox_held` is empty while every destination accepts what it is sent.
def add_outbox_retries() -> None:
    op.execute(
        "ALTER TABLE outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0,"
        " ADD COLUMN retry_at timestamptz, ADD COLUMN parked_at timestamptz,"
        " ADD COLUMN last_error text"
    )
    op.execute(
        "CREATE INDEX ix_outbox_held ON outbox (topic, msg_key, id)"
        " WHERE published_at IS NULL AND retry_at IS NOT NULL"
    )


def drop_outbox_retries() -> None:
    op.execute("DROP INDEX IF EXISTS ix_outbox_held")
    op.execute(
        "ALTER TABLE outbox DROP COLUMN attempts, DROP COLUMN retry_at,"
        " DROP COLUMN parked_at, DROP COLUMN last_error"
    )
