"""A TCP proxy between one service and Kafka that can cut the connection (a partition).

Kafka clients connect to the addresses the broker advertises, so the broker has a listener
for this (`CHAOS`, port 9094, advertised as 127.0.0.1:29094, infra/kafka/server.properties.in)
and the proxy listens on 29094. A service bootstrapped at 29094 reaches Kafka only through
it. `cut()` stops forwarding in both directions and leaves the sockets open (a black hole,
as a broken network looks: no reset, only silence) and holds new connections the same way;
`heal()` lets bytes flow again.
"""

from __future__ import annotations

import asyncio
import contextlib


class FaultProxy:
    def __init__(self, listen_port: int, target: tuple[str, int]) -> None:
        self._listen_port = listen_port
        self._target = target
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self.connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self._listen_port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def cut(self) -> None:
        self._flowing.clear()

    def heal(self) -> None:
        self._flowing.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
