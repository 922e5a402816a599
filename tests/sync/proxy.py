"""A TCP proxy in front of the real hub that fails on purpose: the network, as tests need it.

Bytes are forwarded as they are, both ways. Faults are armed per request path
and consumed in order: answer a status (500, 429 with ``Retry-After``) without
asking the hub, or forward the request and cut the connection as the hub's
answer starts, so the hub has applied it but the client never hears so. A new
request is recognised by its request line at the start of a chunk from the
client (JSON bodies start with ``{``), which is all the HTTP the tests need.
``down()`` drops every connection and refuses new ones, like a lost network.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass
from typing import Literal

_METHODS = (b"GET ", b"POST ", b"PUT ", b"DELETE ")


@dataclass
class Fault:
    """What to do to the next request whose path starts with ``path``."""

    path: str
    kind: Literal["status", "cut"]
    status: int = 500
    retry_after: str | None = None


class FaultyProxy:
    """Listens on 127.0.0.1 (a port of its own) and forwards to ``upstream_port``."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.requests: list[tuple[float, str]] = []  # (monotonic time, request line) seen
        self.failed: list[str] = []  # request lines a fault was applied to
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._up = True
        self._loop = asyncio.new_event_loop()
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        """The URL to give a workstation instead of the hub's."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        ).result(5)
        self.port = server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *_exc: object) -> None:
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def fail(self, *faults: Fault) -> None:
        """Arm faults, applied in order to the requests they match."""
        with self._lock:
            self._faults.extend(faults)

    def armed(self) -> int:
        """Faults not yet applied."""
        with self._lock:
            return len(self._faults)

    def down(self) -> None:
        """Drop every open connection and refuse new ones until :meth:`up`."""
        self._up = False
        asyncio.run_coroutine_threadsafe(self._drop_all(), self._loop).result(5)

    def up(self) -> None:
        """Forward again."""
        self._up = True

    async def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.close()

    def _take(self, request_line: str) -> Fault | None:
        path = request_line.split(" ")[1] if " " in request_line else ""
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path):
                    self._faults.remove(fault)
                    self.failed.append(request_line)
                    return fault
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._up:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        cut = asyncio.Event()
        try:
            await asyncio.gather(
                self._client_to_hub(reader, writer, up_writer, cut),
                self._hub_to_client(up_reader, writer, cut),
            )
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for each in (writer, up_writer):
                each.close()
                self._writers.discard(each)

    async def _client_to_hub(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_writer: asyncio.StreamWriter,
        cut: asyncio.Event,
    ) -> None:
        while chunk := await reader.read(65536):
            if chunk.startswith(_METHODS):
                line = chunk.split(b"\r\n", 1)[0].decode("latin-1")
                self.requests.append((time.monotonic(), line))
                fault = self._take(line)
                if fault is not None and fault.kind == "status":
                    writer.write(_answer(fault))
                    await writer.drain()
                    break
                if fault is not None:
                    cut.set()
            up_writer.write(chunk)
            await up_writer.drain()
        writer.close()
        up_writer.close()

    async def _hub_to_client(
        self, up_reader: asyncio.StreamReader, writer: asyncio.StreamWriter, cut: asyncio.Event
    ) -> None:
        while chunk := await up_reader.read(65536):
            if cut.is_set():  # the hub answered: it has done the work; the client never hears
                break
            writer.write(chunk)
            await writer.drain()
        with contextlib.suppress(Exception):
            writer.transport.abort()


def _answer(fault: Fault) -> bytes:
    body = b'{"error": "injected", "detail": "injected by the test proxy"}'
    headers = [
        f"HTTP/1.1 {fault.status} Injected",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if fault.retry_after is not None:
        headers.append(f"Retry-After: {fault.retry_after}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body
