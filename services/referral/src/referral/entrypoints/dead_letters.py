"""Partner webhooks that failed for good, from the operator's command line
(`jembatan webhooks …` runs this; decision 0021):

    python -m referral.entrypoints.dead_letters list [--partner CODE] [--limit N]
    python -m referral.entrypoints.dead_letters redrive (--partner CODE | --all | ID …)

`redrive` marks the dead letters for the `referral-webhooks` dispatcher, which delivers them
to the partner's current callback URL within its scan interval and parks them again if they
still fail. Prints JSON (ids, events, reasons; never a body); exits 0 when done, 1 when nothing
matched or the database did not answer.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys

from sqlalchemy.exc import OperationalError

from referral import bootstrap
from referral.adapters.webhooks import DeadLetterStore


async def _run(args: argparse.Namespace) -> int:
    container = bootstrap.build()
    store = DeadLetterStore(container.sessions)
    try:
        if args.action == "list":
            found = await store.listed(args.partner, args.limit)
            print(json.dumps([dataclasses.asdict(d) for d in found], default=str, indent=2))
            return 0
        count = await store.ask_redrive(args.partner, args.ids or None)
        print(json.dumps({"asked": count}))
        return 0 if count else 1
    except OperationalError as exc:
        failed = {"error": f"{type(exc.orig).__name__}: the referral database did not answer"}
        print(json.dumps(failed), file=sys.stderr)
        return 1
    finally:
        await container.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("action", choices=("list", "redrive"))
    parser.add_argument("ids", nargs="*", type=int, help="dead letter ids (redrive)")
    parser.add_argument("--partner", help="one partner's dead letters")
    parser.add_argument("--all", action="store_true", help="every undelivered dead letter")
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args()
    if args.action == "redrive" and not (args.ids or args.partner or args.all):
        parser.error("redrive needs dead letter ids, --partner or --all")
    sys.exit(asyncio.run(_run(args)))


if __name__ == "__main__":
    main()
