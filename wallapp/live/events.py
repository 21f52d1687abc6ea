"""What the console learns as it happens: the wall's status, a new picture, an audit entry.

A browser watching the wall holds one ``GET /events`` stream (server-sent events, read with ``fetch`` so
that the token travels in a header, never in a URL). The server pushes; the page does not poll. A client
too slow to read its queue is dropped (its page reconnects), so one stuck phone never holds the wall.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

QUEUE = 100
"""Events a client may fall behind by before it is dropped."""
KEEPALIVE_S = 15.0
"""A comment line this often: proxies keep the stream open, and a closed peer is noticed."""

_END = ("", "")


def frame(kind: str, data: Any) -> str:
    """One server-sent event: its name and its JSON data (one line: JSON escapes newlines)."""
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


class Events:
    """Every watching client's queue; ``publish`` reaches them all."""

    def __init__(self) -> None:
        self._clients: set[asyncio.Queue[tuple[str, str]]] = set()

    @property
    def watching(self) -> int:
        return len(self._clients)

    def publish(self, kind: str, data: Any) -> None:
        text = frame(kind, data)
        for queue in list(self._clients):
            try:
                queue.put_nowait((kind, text))
            except asyncio.QueueFull:  # too slow: dropped, its page reconnects and starts afresh
                self._clients.discard(queue)
                queue.get_nowait()
                queue.put_nowait(_END)

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        for queue in self._clients:
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(_END)
        self._clients.clear()

    async def stream(self, first: list[tuple[str, Any]]) -> AsyncIterator[str]:
        """The events of one client: ``first`` (what it must know at once), then each as published."""
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(QUEUE)
        self._clients.add(queue)
        try:
            for kind, data in first:
                yield frame(kind, data)
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": still here\n\n"
                    continue
                if item == _END:
                    return
                yield item[1]
        finally:
            self._clients.discard(queue)
