"""`jembatan`: the operator's command line (docs/operations.md).

Every command answers `--help`, prints JSON with `--json`, and exits 0 when it did what was
asked, 1 when it could not (nothing matched, a database away), 2 on a wrong invocation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, create_engine, pool
from sqlalchemy.exc import OperationalError

from ops.settings import OpsSettings, Service
from shared.messaging.parking import parked_rows, retry_parked

app = typer.Typer(no_args_is_help=True, help="Jembatan's operator command line.")
outbox = typer.Typer(
    no_args_is_help=True,
    help="The services' outboxes: rows their relay parked because the destination refused them.",
)
app.add_typer(outbox, name="outbox")
partners = typer.Typer(
    no_args_is_help=True,
    help="Partners' set-up: their Keycloak client and topic (run where the referral service is).",
)
app.add_typer(partners, name="partners")
webhooks = typer.Typer(
    no_args_is_help=True,
    help="Partner webhooks that failed for good (run where the referral service is).",
)
app.add_typer(webhooks, name="webhooks")

ServiceOption = Annotated[
    Service | None, typer.Option("--service", "-s", help="One service (default: all).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON on stdout instead of a table.")]


@contextmanager
def _database(service: Service) -> Iterator[Connection]:
    engine = create_engine(OpsSettings().database_url(service), poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            yield conn
    except OperationalError as exc:
        # The driver's message may carry the address, never the password; say only whose.
        typer.echo(
            f"{service.value}: cannot reach the database ({type(exc.orig).__name__})", err=True
        )
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _services(service: Service | None) -> list[Service]:
    return [service] if service is not None else list(Service)


def _emit(document: Any) -> None:
    typer.echo(json.dumps(document, default=str, indent=2))


@outbox.command("parked")
def parked(
    service: ServiceOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per service.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List parked rows, oldest first, with the reason their destination gave."""
    found = []
    for each in _services(service):
        with _database(each) as conn:
            found += [{"service": each.value} | asdict(row) for row in parked_rows(conn, limit)]
    if as_json:
        _emit(found)
        return
    if not found:
        typer.echo("No parked rows.")
        return
    table = Table(
        "service", "id", "topic", "event type", "attempts", "parked at", "behind", "reason"
    )
    for row in found:
        table.add_row(
            row["service"],
            str(row["id"]),
            row["topic"],
            row["event_type"],
            str(row["attempts"]),
            row["parked_at"].isoformat(timespec="seconds"),
            str(row["behind"]),
            row["reason"],
        )
    Console().print(table)


@outbox.command("retry")
def retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Parked row ids (needs --service).")
    ] = None,
    service: ServiceOption = None,
    every: Annotated[bool, typer.Option("--all", help="Every parked row.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Hand parked rows back to their relay, once the cause is fixed; a row its destination
    still refuses is parked again after its retries."""
    if bool(ids) == every:
        raise typer.BadParameter("give row ids or --all, not both")
    if ids and service is None:
        raise typer.BadParameter("row ids belong to one service: add --service")
    counts = {}
    for each in _services(service):
        with _database(each) as conn:
            counts[each.value] = retry_parked(conn, ids or None)
    if as_json:
        _emit(counts)
    else:
        for name, count in counts.items():
            typer.echo(f"{name}: {count} row(s) handed back to the relay")
    if ids and sum(counts.values()) < len(set(ids)):
        typer.echo("some ids were not parked rows of that service", err=True)
        raise typer.Exit(1)


def _referral(*args: str, module: str = "referral.entrypoints.partners") -> None:
    """The referral service's own command, in this environment; its output and exit code."""
    done = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", module, *args], check=False
    )
    raise typer.Exit(done.returncode)


@partners.command("list")
def list_partners() -> None:
    """Every partner of the catalogue with its set-up state (JSON)."""
    _referral("list")


@partners.command("onboard")
def onboard(code: Annotated[str, typer.Argument(help="The partner's code.")]) -> None:
    """Make (or complete) the partner's Keycloak client and topic; the same as the API's PUT
    of its catalogue entry (JSON)."""
    _referral("onboard", code)


@partners.command("offboard")
def offboard(code: Annotated[str, typer.Argument(help="The partner's code.")]) -> None:
    """Delete the partner's Keycloak client and topic; it stays in the catalogue as
    offboarded (JSON)."""
    _referral("offboard", code)


PartnerOption = Annotated[
    str | None, typer.Option("--partner", "-p", help="One partner's code (default: all).")
]
_DEAD_LETTERS = "referral.entrypoints.dead_letters"


@webhooks.command("dead-letters")
def dead_letters(
    partner: PartnerOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Rows at most.")] = 100,
) -> None:
    """Webhook deliveries parked after their last attempt, oldest first, with the reason
    and the attempts (JSON; never a body)."""
    _referral(
        "list",
        "--limit",
        str(limit),
        *(["--partner", partner] if partner else []),
        module=_DEAD_LETTERS,
    )


@webhooks.command("redrive")
def redrive(
    ids: Annotated[list[int] | None, typer.Argument(help="Dead letter ids.")] = None,
    partner: PartnerOption = None,
    every: Annotated[bool, typer.Option("--all", help="Every undelivered dead letter.")] = False,
) -> None:
    """Hand dead letters back to the webhook dispatcher, once the partner is reachable: it
    delivers them to the partner's current callback URL, or parks them again."""
    if not (ids or partner or every):
        raise typer.BadParameter("give dead letter ids, --partner or --all")
    args = [str(i) for i in ids or []]
    args += ["--partner", partner] if partner else []
    args += ["--all"] if every else []
    _referral("redrive", *args, module=_DEAD_LETTERS)


def main() -> None:
    app()
