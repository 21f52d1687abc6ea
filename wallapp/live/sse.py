"""``sse`` sources: a server-sent events stream, each event's data a JSON payload.

Each attempt is one connection, sending ``Last-Event-ID`` so the server can resume where the stream
stopped, even after the wall restarts (the id is the store's ``resume`` token, kept with its last good
data); the server's ``retry`` delay tells the runner how long to wait before the next.
A bad event (not JSON, too large, not fitting the mapping) is logged and skipped; the stream goes on.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import httpx
from httpx_sse import SSEError, aconnect_sse

from wallapp.core.config.sources import Resolver, SseSource
from wallapp.errors import SourceError
from wallapp.live.errors import describe_http_error
from wallapp.live.eventstream import read_events
from wallapp.live.http import error_detail, request_parts
from wallapp.live.ingest import Ingest

YIELD_AFTER = 0.002
"""Seconds of event handling after which the reader lets the event loop run other work."""


@dataclass
class SseReader:
    spec: SseSource
    ingest: Ingest
    client: httpx.AsyncClient
    resolver: Resolver
    retry: float | None = None
    """The server's reconnection delay, in seconds."""

    @property
    def name(self) -> str:
        return self.ingest.name

    @property
    def last_event_id(self) -> str | None:
        """The id of the last event received, in this run or a previous one."""
        return self.ingest.store.resume

    async def once(self) -> float | None:
        """One connection, until the stream ends; returns the server's retry delay (the wait before the
        next), and on failure raises ``SourceError`` asking to wait at least that long."""
        try:
            await self._read()
        except SourceError as error:
            error.wait_at_least = self.retry
            raise
        return self.retry

    async def _read(self) -> None:
        spec = self.spec
        arrivals = self.ingest.arrivals
        url, headers = request_parts(spec, self.resolver)
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        timeout = httpx.Timeout(spec.timeout, read=max(spec.timeout, spec.expect_every * spec.stale_after))
        try:
            async with aconnect_sse(self.client, "GET", url, headers=headers, timeout=timeout) as source:
                response = source.response
                if response.status_code >= 400:
                    raise SourceError(
                        self.name,
                        f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                        detail=await error_detail(response),
                    )
                kind = response.headers.get("content-type", "").partition(";")[0]
                if "text/event-stream" not in kind:
                    raise SSEError(
                        f"Expected response header Content-Type to contain 'text/event-stream', got {kind!r}"
                    )
                slice_start = time.perf_counter()
                async for event in read_events(response, spec.max_bytes):
                    if time.perf_counter() - slice_start > YIELD_AFTER:
                        # A burst of buffered events: let the UI paint between slices.
                        await asyncio.sleep(0)
                        slice_start = time.perf_counter()
                    if event.id:
                        self.ingest.store.resume = event.id
                    if event.retry is not None:
                        self.retry = event.retry / 1000
                    if spec.events and event.event not in spec.events:
                        continue
                    if event.over_cap:
                        self.ingest.arrived()
                        self.ingest.rejected(f"an event is over the cap of {spec.max_bytes:,} bytes")
                    elif event.data:
                        self._event(event.data)
        except SSEError as exc:
            raise SourceError(self.name, f"not an event stream ({exc})") from None
        except httpx.HTTPError as exc:
            raise SourceError(self.name, describe_http_error(exc, spec.timeout)) from None
        if self.ingest.arrivals == arrivals:
            raise SourceError(self.name, "the server ended the stream without sending an event")

    def _event(self, data: str) -> None:
        self.ingest.arrived()
        what = "an event"
        try:
            if len(data.encode()) > self.spec.max_bytes:
                raise SourceError(self.name, f"{what} is over the cap of {self.spec.max_bytes:,} bytes")
            try:
                payload = json.loads(data)
            except json.JSONDecodeError as exc:
                raise SourceError(self.name, f"{what} is not JSON: {exc.msg} at column {exc.colno}") from None
            except RecursionError:
                raise SourceError(self.name, f"{what} is nested too deeply") from None
            self.ingest.payload(payload)
        except SourceError as error:
            self.ingest.rejected(error.cause)
