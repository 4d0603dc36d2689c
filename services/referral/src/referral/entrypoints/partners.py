"""A partner's set-up from the operator's command line (`jembatan partners …` runs this):

    python -m referral.entrypoints.partners list
    python -m referral.entrypoints.partners onboard CODE     (complete or repeat the set-up)
    python -m referral.entrypoints.partners offboard CODE

The same service-layer actions as `PUT` and `DELETE /api/partners/{code}`
(service_layer/onboarding.py); a partner's catalogue entry itself is written through the API
or the portal. Prints JSON; exits 0 when done, 1 when the partner is unknown or Keycloak or
Kafka did not answer (the partner stays as it was left: run it again).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from kafka.errors import KafkaError
from keycloak import KeycloakError

from referral import bootstrap
from referral.domain.catalogue import Partner
from referral.service_layer import onboarding


def _shown(partner: Partner) -> dict[str, str]:
    return {"code": partner.code, "name": partner.name, "status": partner.status}


async def _run(action: str, code: str | None) -> int:
    container = bootstrap.build()
    try:
        async with container.uow() as uow:
            partners = {p.code: p for p in await uow.catalogue.partners()}
        if action == "list":
            print(json.dumps([_shown(p) for p in partners.values()], indent=2))
            return 0
        if code not in partners:
            print(json.dumps({"error": f"no partner {code!r} in the catalogue"}), file=sys.stderr)
            return 1
        try:
            if action == "onboard":
                done = await onboarding.onboard(
                    partners[code], container.uow(), container.partner_access
                )
            else:
                done = await onboarding.offboard(code, container.uow(), container.partner_access)
        except (KeycloakError, KafkaError) as exc:
            failed = {"error": f"{type(exc).__name__}: Keycloak or Kafka did not answer"}
            print(json.dumps(failed), file=sys.stderr)
            return 1
        print(json.dumps(_shown(done), indent=2))
        return 0
    finally:
        await container.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("list", "onboard", "offboard"))
    parser.add_argument("code", nargs="?")
    args = parser.parse_args()
    if args.action != "list" and not args.code:
        parser.error("onboard and offboard need the partner's code")
    sys.exit(asyncio.run(_run(args.action, args.code)))


if __name__ == "__main__":
    main()
