"""The intake reference's pgbench script is written from the statements the client service's
engine sends (benchmarks/intake_sql.py). Recording them needs the stack; writing them out does
not: here the service's own statements, compiled as its engine compiles them, are written with
parameters as psycopg receives them."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.dialects.postgresql import psycopg as pg

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from benchmarks.intake_sql import UNIQUE_CLIENT_ID, UNIQUE_NIK_INDEX, Varying, render  # noqa: E402
from client.adapters import orm  # noqa: E402
from shared.db import _Packed  # noqa: E402
from shared.messaging import outbox  # noqa: E402

DIALECT = pg.dialect()
CLIENT = uuid.uuid4()
NIK_INDEX = bytes(range(32))
PHONE_EXPR = "'+62812' || lpad((:n::bigint % 100000000)::text, 8, '0')"


def varying() -> Varying:
    return Varying(
        client_id=CLIENT,
        nik_index=NIK_INDEX,
        texts={
            str(CLIENT): f"({UNIQUE_CLIENT_ID})::text",
            "Peserta Uji 4321": "'Peserta Uji ' || :n::bigint",
            "+6281200004321": PHONE_EXPR,
        },
    )


def compiled(statement: Any) -> tuple[str, dict[str, Any]]:
    """The SQL and the parameters the engine hands psycopg for `statement`."""
    done = statement.compile(dialect=DIALECT)
    values = done.construct_params()
    parameters = {}
    for bind, name in done.bind_names.items():
        process = bind.type._cached_bind_processor(DIALECT)
        parameters[name] = process(values[name]) if process else values[name]
    return done.string, parameters


def test_the_client_row_varies_where_it_must_and_keeps_every_other_value() -> None:
    sql, parameters = compiled(
        insert(orm.clients).values(
            id=CLIENT,
            kind="worker",
            nik_index=NIK_INDEX,
            nik_ciphertext=b"\x01\xff",
            full_name="Peserta Uji 4321",
            phone="+6281200004321",
            birth_date=date(1970, 1, 2),
            financial_profile={"uses_qris": False},
            nik_warnings=[],
            registered_at=datetime(2026, 12, 6, 2, 47, tzinfo=UTC),
        )
    )
    written = render(sql, parameters, v := varying())
    assert "%(" not in written
    assert f"({UNIQUE_CLIENT_ID})::UUID" in written
    assert f"({UNIQUE_NIK_INDEX})" in written
    assert "'\\x01ff'::bytea" in written
    assert "('Peserta Uji ' || :n::bigint)::VARCHAR" in written
    assert f"({PHONE_EXPR})::VARCHAR" in written
    assert "'1970-01-02'::date" in written and "'2026-12-06T02:47:00+00:00'::timestamptz" in written
    assert """'{"uses_qris": false}'::JSONB""" in written and "'[]'::JSONB" in written
    assert v.used == {"client id", "nik index", "Peserta Uji 4321", "+6281200004321"}


def test_the_outbox_row_takes_the_id_inside_its_strings_and_a_fresh_event_id() -> None:
    sql, _ = outbox._queue(orm.outbox)._compile(DIALECT)
    columns = ("topic", "msg_key", "event_type", "source", "subject", "payload", "trace_headers")
    texts = ("client.events", str(CLIENT), "t", "/s", f"client/{CLIENT}", '{"n": "it\'s"}', "{}")
    parameters = {f"rows_{c}": _Packed([v]) for c, v in zip(columns, texts, strict=True)}
    parameters["rows_event_id"] = _Packed([uuid.uuid4()])
    parameters["rows_created_at"] = _Packed([datetime(2026, 12, 6, tzinfo=UTC)])
    written = render(sql, parameters, varying())
    assert "ARRAY[gen_random_uuid()]::UUID[]" in written
    assert f"ARRAY[(({UNIQUE_CLIENT_ID})::text)]::TEXT[]" in written
    assert f"ARRAY[('client/' || (({UNIQUE_CLIENT_ID})::text))]::TEXT[]" in written
    assert """ARRAY['{"n": "it''s"}']::TEXT[]""" in written


def test_driver_sql_is_written_with_percent_signs_unescaped() -> None:
    written = render(
        "SELECT set_config(%(rk)s, %(region)s, true) WHERE 3 %% 2 = 1",
        {"rk": "jembatan.region", "region": "3273"},
        varying(),
    )
    assert written == "SELECT set_config('jembatan.region', '3273', true) WHERE 3 % 2 = 1"


def test_a_varying_value_the_statements_no_longer_hold_refuses_the_script() -> None:
    v = varying()
    render("SELECT %(id)s::UUID", {"id": CLIENT}, v)
    with pytest.raises(AssertionError, match="nik index"):
        v.check()
