"""When each server-sent event reaches the wall: an HTTP transport that notes the arrival of every event id.

The wall's one HTTP client is given this transport; it passes every byte through untouched, and for
``text/event-stream`` responses reads the ``id:`` lines as the bytes arrive from the socket, before the
source parses them: the moment the event is received.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx

from wallapp.core.timing import Ticks


class Receipts:
    """Arrival time of each event id; ``recording`` off keeps nothing (long runs at high rates)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.count = 0
        self.recording = True

    def received(self, event_id: str, moment: float) -> None:
        self.count += 1
        if self.recording:
            self.times[event_id] = moment

    def clear(self) -> None:
        self.times.clear()
        self.count = 0


class _Noted(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, receipts: Receipts, clock: Ticks) -> None:
        self.inner = inner
        self.receipts = receipts
        self.clock = clock

    async def __aiter__(self) -> AsyncIterator[bytes]:
        tail = b""
        async for chunk in self.inner:
            now = self.clock()
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for line in lines:
                if line.startswith(b"id:"):
                    self.receipts.received(line[3:].strip().decode(errors="replace"), now)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class ReceiptTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        receipts: Receipts,
        clock: Ticks = time.perf_counter,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.receipts = receipts
        self.clock = clock

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = _Noted(response.stream, self.receipts, self.clock)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
