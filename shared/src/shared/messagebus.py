"""The message bus: commands from HTTP routes, events from Kafka, each to `handler(message, uow)`.

A service declares two tables, by message class: its command handlers and its reactions to
other services' events. The bus gives each handler a fresh unit of work and whatever else it
names in its signature from the service's `dependencies` (a clock, a key opener), checked
once, when the bus is built, so a handler missing a dependency fails at start-up.

For events the bus does not replace the consumer: `consumer_tables()` gives, per topic, the
`type → (session, envelope)` table `shared.messaging.consumer.IdempotentConsumer` already
takes, so workers keep their shape (inbox, batches, retries, dead letters). Each envelope's
`data` is decoded once, through the contract registry, and the handler gets the typed
contract with a unit of work joined to the inbox's transaction.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Contract, registry
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope

R = TypeVar("R")
U = TypeVar("U")

AnyHandler = Callable[..., Awaitable[Any]]


class Command(Generic[R]):
    """Something a caller asks for, answered with an `R` (`class Enrol(Command[str])`)."""


class UnknownMessage(LookupError):
    """No handler for this message: a wiring mistake, not a caller's."""


class MessageBus(Generic[U]):
    def __init__(
        self,
        *,
        commands: Mapping[type[Any], AnyHandler] | None = None,
        events: Mapping[type[Contract], AnyHandler] | None = None,
        uow: Callable[[], U] | None = None,
        joining: Callable[[AsyncSession], U] | None = None,
        dependencies: Mapping[str, object] | None = None,
    ) -> None:
        given = dict(dependencies or {})
        self.commands: dict[type[Any], AnyHandler] = dict(commands or {})
        self.events: dict[type[Contract], AnyHandler] = dict(events or {})
        self._commands = {t: _inject(h, given) for t, h in self.commands.items()}
        self._events = {t: _inject(h, given) for t, h in self.events.items()}
        self._uow = uow
        self._joining = joining
        known = registry()
        for contract in self.events:
            if known.get(contract.TYPE) is not contract:
                raise UnknownMessage(f"{contract.__name__} is not a registered contract")

    async def handle(self, command: Command[R]) -> R:
        """Run `command`'s handler in a new unit of work and answer what it answers."""
        handler = self._commands.get(type(command))
        if handler is None or self._uow is None:
            raise UnknownMessage(type(command).__name__)
        return cast(R, await handler(command, self._uow()))

    async def react(self, event: Contract, session: AsyncSession) -> None:
        """Apply the reaction to `event` inside `session`'s transaction (the inbox's)."""
        handler = self._events.get(type(event))
        if handler is None or self._joining is None:
            raise UnknownMessage(type(event).__name__)
        await handler(event, self._joining(session))

    def consumer_tables(self) -> dict[str, dict[str, Handler]]:
        """Per topic, the routing table `IdempotentConsumer` takes: by CloudEvent type."""
        tables: dict[str, dict[str, Handler]] = {}
        for contract in self._events:
            tables.setdefault(contract.TOPIC, {})[contract.TYPE] = self._decoding(contract)
        return tables

    def _decoding(self, contract: type[Contract]) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            await self.react(contract.model_validate(envelope.data), session)

        return handle


def _inject(handler: AnyHandler, dependencies: Mapping[str, object]) -> AnyHandler:
    """`handler` with the dependencies it names after (message, uow) filled in."""
    parameters = list(inspect.signature(handler).parameters.values())[2:]
    wanted = {}
    for parameter in parameters:
        if parameter.name in dependencies:
            wanted[parameter.name] = dependencies[parameter.name]
        elif parameter.default is inspect.Parameter.empty:
            raise TypeError(f"{handler.__name__} needs {parameter.name!r}, which nobody gives")
    return functools.partial(handler, **wanted) if wanted else handler
