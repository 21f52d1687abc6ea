"""The backend of the fault campaign: real servers on 127.0.0.1 that answer well until told to fail.

One ``Backend`` serves every source of the campaign's wall: a steady source that always answers (the
"other widgets keep updating" check), and one victim per kind of source (HTTP poll, SSE stream,
WebSocket) whose way of failing the test switches on and off. Each good answer carries a value that
counts up, so a widget showing the value proves the data moved on.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

Reply = Callable[[Request], Awaitable[Response]]
DROP = -1
"""``Backend.ws_close`` for a connection dropped without a close frame."""


def kpis(name: str, value: int) -> dict[str, Any]:
    return {"kpis": [{"name": name, "value": value}]}


def kpi_event(name: str, value: int) -> str:
    return f"id: {value}\ndata: {json.dumps(kpis(name, value))}\n\n"


class Backend:
    """Answers ``/steady`` and ``/victim`` polls, the ``/events`` stream and the ``/ws`` socket.

    ``http_fault``: how ``/victim`` answers instead of its good JSON (None: well); ``sse_mode`` and
    ``ws_close``: how the streams misbehave (``good``, ``garbage``, ``endless``, ``partial``, ``silent``;
    a close code). ``released`` ends every answer held on purpose (stalls), so the servers stop promptly.
    """

    def __init__(self) -> None:
        self.counts: dict[str, int] = {"steady": 0, "victim": 0, "sse": 0, "ws": 0}
        """Good answers (messages, events) given so far, by source."""
        self.hits: dict[str, int] = {"victim": 0, "sse": 0, "ws": 0}
        """Requests or connections, good or not."""
        self.http_fault: Reply | None = None
        self.sse_mode = "good"
        self.ws_close: int | None = None
        self.released = threading.Event()
        self.app = Starlette(
            routes=[
                Route("/steady", self._steady),
                Route("/victim", self._victim),
                Route("/events", self._events),
                WebSocketRoute("/ws", self._socket),
            ]
        )

    def _good(self, source: str) -> int:
        self.counts[source] += 1
        return self.counts[source]

    async def _steady(self, request: Request) -> Response:
        return Response(json.dumps(kpis("steady", self._good("steady"))), media_type="application/json")

    async def _victim(self, request: Request) -> Response:
        self.hits["victim"] += 1
        if self.http_fault is not None:
            return await self.http_fault(request)
        return Response(json.dumps(kpis("victim", self._good("victim"))), media_type="application/json")

    async def _events(self, request: Request) -> Response:
        self.hits["sse"] += 1

        async def body() -> AsyncIterator[str]:
            while not self.released.is_set():
                mode = self.sse_mode
                if mode == "good":
                    yield kpi_event("streamed", self._good("sse"))
                elif mode == "garbage":
                    yield "\x00\x7f garbage that is no field\n:comment\nevent\ndata: {not json\n\n"
                elif mode == "endless":  # one data line that never ends, 6 MB/s
                    yield "data: " + "x" * (1 << 16)
                    while self.sse_mode == "endless" and not self.released.is_set():
                        yield "x" * (1 << 16)
                        await asyncio.sleep(0.01)
                    yield "\n\n"
                elif mode == "partial":
                    yield 'data: {"kpis": [{"name": "streamed", "val'  # cut mid-event, connection dropped
                    raise ConnectionAbortedError("dropped mid-event on purpose")
                await asyncio.sleep(0.05)  # silent: the connection stays open, nothing comes

        return StreamingResponse(body(), media_type="text/event-stream")

    async def _socket(self, socket: WebSocket) -> None:
        self.hits["ws"] += 1
        await socket.accept()
        try:
            while not self.released.is_set():
                if self.ws_close == DROP:  # the server process dies: no close frame
                    raise ConnectionAbortedError("dropped on purpose")
                if self.ws_close is not None:
                    await socket.close(code=self.ws_close, reason="campaign")
                    return
                await socket.send_text(json.dumps(kpis("socket", self._good("ws"))))
                await asyncio.sleep(0.05)
        except WebSocketDisconnect:
            pass


# Ways of failing, as replies of /victim


def status(code: int, headers: dict[str, str] | None = None, body: str = "failing") -> Reply:
    async def reply(request: Request) -> Response:
        return Response(body, status_code=code, headers=headers)

    return reply


def text(body: str | bytes, media_type: str) -> Reply:
    async def reply(request: Request) -> Response:
        return Response(body, media_type=media_type)

    return reply


async def _until_set(event: threading.Event) -> None:
    while not event.is_set():
        await asyncio.sleep(0.02)


def held(released: threading.Event, head: bytes | None) -> Reply:
    """No answer at all (``head`` None), or a 200 whose body stops after ``head``, until released."""

    async def reply(request: Request) -> Response:
        if head is None:
            await _until_set(released)
            return Response("{}", media_type="application/json")

        async def body() -> AsyncIterator[bytes]:
            yield head
            await _until_set(released)

        return StreamingResponse(body(), media_type="application/json")

    return reply


def huge(total: int, chunk: int = 1 << 20) -> Reply:
    """A JSON body of ``total`` bytes, streamed without a length (the reader cannot refuse it upfront)."""

    async def reply(request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            yield b'{"kpis": ['
            block = b" " * chunk
            for _ in range(total // chunk):
                yield block

        return StreamingResponse(body(), media_type="application/json")

    return reply


@lru_cache(maxsize=1)
def gzip_bomb_bytes(inflated_mib: int = 1024) -> bytes:
    """A gzip body of ``{"kpis": [`` and spaces, ``inflated_mib`` MiB once inflated, about a thousandth
    of that on the wire. Built from one compressed MiB repeated (each ends at a full flush, so the
    copies follow each other in one valid stream): compressing a GiB would take seconds."""
    head, block = b'{"kpis": [', b" " * (1 << 20)
    start = zlib.compressobj(9, zlib.DEFLATED, -15)
    opening = start.compress(head) + start.flush(zlib.Z_FULL_FLUSH)
    middle = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = middle.compress(block) + middle.flush(zlib.Z_FULL_FLUSH)
    closing = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = zlib.crc32(head)
    for _ in range(inflated_mib):
        crc = zlib.crc32(block, crc)
    size = len(head) + inflated_mib * len(block)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
    return header + opening + repeated * inflated_mib + closing + trailer


def gzip_bomb() -> Reply:
    async def reply(request: Request) -> Response:
        body = gzip_bomb_bytes()
        return Response(body, media_type="application/json", headers={"Content-Encoding": "gzip"})

    return reply


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A port whose listen queue is full: a connection attempt gets no answer (a connect timeout)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):  # fills the queue; never accepted
            yield port


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=1)
def png_bomb(side: int = 10_000) -> bytes:
    """A valid PNG of ``side`` x ``side`` transparent RGBA pixels (400 MB decoded at 10,000), a few
    hundred KB on the wire: one compressed row repeated (each ends at a full flush, as in the gzip bomb)."""
    row = b"\x00" * (1 + 4 * side)  # filter byte, then the pixels
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = squeeze.compress(row) + squeeze.flush(zlib.Z_FULL_FLUSH)
    closing = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    adler = 1
    for _ in range(side):
        adler = zlib.adler32(row, adler)
    idat = b"\x78\xda" + repeated * side + closing + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def dribble(data: bytes, every: float, released: threading.Event) -> Reply:
    """``data`` a byte at a time, one every ``every`` s: each read is quick, the whole never ends."""

    async def reply(request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            for byte in data:
                if released.is_set():
                    return
                yield bytes([byte])
                await asyncio.sleep(every)

        return StreamingResponse(body(), media_type="image/png")

    return reply
