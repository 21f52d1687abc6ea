"""One attempt at a source, to see what it yields or why it fails (``wallapp probe``).

The attempt is the wall's own: the source's reader, mapping and filters. A polled source (http, file,
demo) makes one request or read; a stream (sse, websocket) is read until its first message, ``timeout``
seconds at most, then left.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from wallapp.core.config.sources import SseSource, WebSocketSource
from wallapp.core.data.freshness import Health
from wallapp.core.data.records import Record
from wallapp.errors import SourceError
from wallapp.live.ingest import DETAIL_CHARS
from wallapp.live.runner import SourceRunner

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
    """Why the source gave nothing, as the log says it (with the server's own words, if any); None when
    it answered, with records or none."""


async def probe(runner: SourceRunner, timeout: float) -> Probed:
    """One attempt by ``runner``'s source into its store (give it an empty one)."""
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
    error = None
    if not attempt.done():
        attempt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await attempt
        if ingest.health == Health():
            error = f"no message within {timeout:g} s"
    elif isinstance(failure := attempt.exception(), SourceError):
        error = failure.cause
        if failure.detail:  # the server's own words, cut once scrubbed of secrets, as the log does
            error += f": {runner.resolver.scrub(failure.detail)[:DETAIL_CHARS]}"
    elif failure is not None:
        error = f"internal error ({type(failure).__name__})"
        ingest.failed(error, error=failure)  # its traceback goes to the log
    if error is None and ingest.health.last_success is None:
        error = ingest.health.last_error  # a stream's first message could not be used
    error = runner.resolver.scrub(error) if error else None
    return Probed(ingest.name, ingest.target, runner.store.records(), error)
