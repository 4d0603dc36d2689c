"""Seed the demo partners of docs/contract.md §4, for local use only.

`python -m referral.entrypoints.seed_demo`; idempotent.
A licence changed by a test or an admin is set back to the demo value.
"""

import asyncio

from referral import bootstrap
from referral.domain.demo_catalogue import DEMO_PARTNERS


async def main() -> None:
    container = bootstrap.build()
    async with container.uow() as uow:
        for partner in DEMO_PARTNERS:
            await uow.catalogue.upsert(partner)
        await uow.commit()
    await container.engine.dispose()
    await container.clients.close()


if __name__ == "__main__":
    asyncio.run(main())
