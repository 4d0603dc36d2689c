"""The intake reference's pgbench script, made from the client service's own code at each run.

    python -m benchmarks.intake_sql      # prints it (the stack's PostgreSQL must be up)

pgbench must replay the transaction of one `POST /api/clients` statement for statement, and a
copy of that SQL kept by hand drifts as soon as the repository changes. So `write_script`
registers one person through the service's own handler (`register_client`, with the unit of
work, the repositories, the data keys and the outbox the API uses, on an engine that scopes
each transaction to the caller's region as the API's does), against the reference database,
records every statement the engine sends with its parameters (SQLAlchemy's
`before_cursor_execute`), and writes them out as one pgbench transaction.

The parameters become SQL literals, but for the values that must differ from one transaction
to the next, which become pgbench expressions of `:n` (a random number) and `:client_id`
(pgbench's connection number): the client's id and NIK index (unique), its name and phone
(so the duplicate check finds nothing, as for a real registration), and every other fresh id
(`gen_random_uuid()`). Each of them must be found where the statements use it, or the script is
refused: a change in what the service writes fails here instead of measuring something else.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from psycopg.types.json import Json, Jsonb
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

# The caller of the captured registration: an officer of the region (the id is a token's `sub`).
OFFICER = "81d717ea-49b8-465c-afbf-86a14452abb1"
UNIQUE_CLIENT_ID = "md5(:n::bigint::text || '/' || :client_id)::uuid"
UNIQUE_NIK_INDEX = "sha256(int8send(:n::bigint) || int8send(:client_id))"
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@dataclass
class Varying:
    """The values of the captured registration that each transaction replaces, as SQL."""

    client_id: uuid.UUID
    nik_index: bytes
    # Text inside strings (names, phone, the id in keys and payloads) -> its SQL expression.
    texts: dict[str, str]
    used: set[str] = field(default_factory=set)

    def uuid(self, value: uuid.UUID) -> str:
        if value == self.client_id:
            self.used.add("client id")
            return f"({UNIQUE_CLIENT_ID})"
        return "gen_random_uuid()"  # any other id the registration made afresh

    def text(self, value: str) -> str:
        """`value` quoted, with each varying text in it spliced in as an expression."""
        if not self.texts:
            return quote(value)
        pattern = "|".join(re.escape(t) for t in sorted(self.texts, key=len, reverse=True))
        parts: list[str] = []
        last = 0
        for found in re.finditer(pattern, value):
            self.used.add(found.group(0))
            if found.start() > last:
                parts.append(quote(value[last : found.start()]))
            parts.append(f"({self.texts[found.group(0)]})")
            last = found.end()
        if last < len(value) or not parts:
            parts.append(quote(value[last:]))
        return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"

    def check(self) -> None:
        missing = {"client id", "nik index", *self.texts} - self.used
        if missing:
            raise AssertionError(
                f"the registration no longer writes {sorted(missing)} where the script expects "
                "them: benchmarks/intake_sql.py must learn what changed"
            )


def quote(text: str) -> str:
    """A standard SQL string literal (standard_conforming_strings is on)."""
    return "'" + text.replace("'", "''") + "'"


def literal(value: Any, varying: Varying) -> str:
    """`value`, a parameter as the engine hands it to psycopg, as SQL text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return varying.uuid(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if raw == varying.nik_index:
            varying.used.add("nik index")
            return f"({UNIQUE_NIK_INDEX})"
        return f"'\\x{raw.hex()}'::bytea"
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz" if value.tzinfo else f"'{value}'::timestamp"
    if isinstance(value, date):
        return f"'{value.isoformat()}'::date"
    if isinstance(value, Json | Jsonb):
        dumped = (value.dumps or json.dumps)(value.obj)
        return varying.text(dumped.decode() if isinstance(dumped, bytes) else dumped)
    if isinstance(value, str):
        return varying.text(value)
    if isinstance(value, Sequence):
        return "ARRAY[" + ", ".join(literal(v, varying) for v in value) + "]"
    raise TypeError(f"no SQL literal for a parameter of type {type(value).__name__}")


def render(statement: str, parameters: Any, varying: Varying) -> str:
    """The statement with its `%(name)s` parameters written in (psycopg's pyformat)."""
    if not isinstance(parameters, Mapping):
        if parameters:
            raise TypeError("positional parameters: the engine's paramstyle changed")
        return statement.replace("%%", "%")

    def written(match: re.Match[str]) -> str:
        name = match.group(1)
        return "%" if name is None else literal(parameters[name], varying)

    return PLACEHOLDER.sub(written, statement)


async def _capture(url: str, region: str) -> tuple[list[tuple[str, Any]], Varying]:
    """Register one person through the client service's handler, as the API does, and record
    every statement sent to PostgreSQL."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    from client import bootstrap
    from client.domain.model import normalized_name
    from client.entrypoints.schemas import NewClient
    from client.service_layer import commands, handlers
    from client.settings import ClientSettings
    from shared import db
    from shared.auth import Principal

    container = bootstrap.build(ClientSettings(database_url=url), rows="caller")
    async with container.engine.connect():
        pass  # the dialect's own first queries, before anything is recorded
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(container.engine.sync_engine, "before_cursor_execute", record)
    person = next(common.People(region))
    officer = Principal(
        subject=OFFICER,
        username="siti",
        client_id="officer-portal",
        roles=frozenset({"officer"}),
        region=region,
        partner_code=None,
    )
    command = commands.RegisterClient(actor=officer, **NewClient(**person).model_dump())
    # A request's span, so the outbox row carries a `traceparent` as the API's do.
    tracer = TracerProvider(sampler=ALWAYS_OFF).get_tracer("benchmarks.intake_sql")
    try:
        db.rows_of(region)  # what the API's authentication does for the caller
        with tracer.start_as_current_span("POST /api/clients"):
            client = await handlers.register_client(command, container.uow(), container.context())
    finally:
        await container.engine.dispose()
    number = person["full_name"].rsplit(" ", 1)[1]
    texts = {str(client.id): f"({UNIQUE_CLIENT_ID})::text"}
    for name in (client.full_name, normalized_name(client.full_name)):
        assert name.endswith(number), name
        texts[name] = f"{quote(name.removesuffix(number))} || :n::bigint"
    last8 = f"{int(number) % 100_000_000:08d}"
    assert client.phone.endswith(last8), client.phone
    texts[client.phone] = (
        f"{quote(client.phone.removesuffix(last8))} || lpad((:n::bigint % 100000000)::text, 8, '0')"
    )
    nik_index = container.nik.index.digest(client.nik_value)
    return sent, Varying(client_id=client.id, nik_index=nik_index, texts=texts)


def lines(sent: list[tuple[str, Any]], varying: Varying) -> Iterator[str]:
    yield "-- Generated by benchmarks/intake_sql.py from the client service's code: the"
    yield "-- statements of one `POST /api/clients`, as its engine sent them. Do not edit."
    yield r"\set n random(1, 9000000000000000)"
    yield "BEGIN;"
    for statement, parameters in sent:
        yield render(statement.strip(), parameters, varying) + ";"
    yield "COMMIT;"
    varying.check()


def script(url: str, region: str) -> str:
    """The pgbench script of one registration in `region` (registered, for real, in `url`)."""
    sent, varying = asyncio.run(_capture(url, region))
    return "\n".join(lines(sent, varying)) + "\n"


def write_script(url: str, region: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script(url, region), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(script(common.database_url("client", "client_bench"), "3273"), end="")
