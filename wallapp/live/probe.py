"""One attempt at a source, to see what it yields or why it fails (``wallapp probe``).

The attempt is the wall's own: the source's reader, mapping and filters, its failure told in the words
the wall logs. A polled source (http, file, demo) makes one request or read; a stream (sse, websocket)
is read until its first message, ``timeout`` seconds at most, then left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from wallapp.core.config.sources import SseSource, WebSocketSource
from wallapp.core.data.freshness import Health
from wallapp.core.data.records import Record
from wallapp.errors import SourceError
from wallapp.live.runner import SourceRunner

log = logging.getLogger("wallapp.live")

LOOK_EVERY = 0.01
"""Seconds between looks at a stream for its first message."""


@dataclass(frozen=True)
class Probed:
    """What one attempt at a source gave."""

    name: str
    target: str
    records: tuple[Record, ...]
    """What the source's store holds after it (newest first), as widgets would see it."""
    error: str | None
    """Why the source gave nothing (as the wall logs it); None when it answered, records or none."""


async def probe(runner: SourceRunner, timeout: float) -> Probed:
    """One attempt by ``runner``'s source into its store (give it an empty one); a failure is logged as
    the wall logs it: one line naming the source, where it reads from, and the cause."""
    ingest = runner.ingest
    attempt = asyncio.ensure_future(runner.once())
    if isinstance(runner.spec, SseSource | WebSocketSource):
        # A stream's attempt lasts as long as its connection: stop at its first message, good or bad.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not attempt.done() and ingest.health == Health() and loop.time() < deadline:
            await asyncio.wait([attempt], timeout=LOOK_EVERY)
    else:
        await asyncio.wait([attempt])
    if not attempt.done():
        attempt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await attempt
        if ingest.health == Health():
            ingest.failed(f"no message within {timeout:g} s")
    elif (failure := attempt.exception()) is not None:
        if isinstance(failure, SourceError):
            ingest.failed(failure.cause)
        else:
            log.error("source %r (%s): internal error", ingest.name, ingest.target, exc_info=failure)
            ingest.failed(f"internal error ({type(failure).__name__})")
    health = ingest.health
    error = health.last_error if health.last_success is None else None
    return Probed(ingest.name, ingest.target, runner.store.records(), error)
