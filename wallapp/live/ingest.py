"""Where every source kind hands its data: mapping, filters, the store, health, and the log.

A failure is logged once, as one line naming the source, where it reads from (secrets redacted) and
the cause; the same cause again is logged at debug level only, and the recovery at info level.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from wallapp.core.config.sources import Resolver
from wallapp.core.data.filters import FilterOptions
from wallapp.core.data.freshness import Freshness, Health, assess
from wallapp.core.data.mapping import Mapping, MappingResult, PayloadError
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.core.timing import Now, utc_now
from wallapp.errors import SourceError

log = logging.getLogger("wallapp.live")

OFF_LOOP_BYTES = 64 * 1024
"""Payloads larger than this are parsed and mapped in a worker thread, so the UI never stalls on them."""


class Ingest:
    """The sink of one source."""

    def __init__(
        self,
        name: str,
        store: Store,
        *,
        target: str,
        mapping: Mapping | None,
        filters: FilterOptions | None,
        resolver: Resolver,
        clock: Now = utc_now,
        interval: float = 1.0,
        stale_after: float = 3,
    ) -> None:
        self.name = name
        self.store = store
        self.target = target
        self.mapping = mapping
        self.filters = filters
        self.resolver = resolver
        self.clock = clock
        self.interval = interval
        self.stale_after = stale_after
        self.health = Health()
        self.arrivals = 0
        """Messages a stream has brought so far, good or bad (see ``arrived``)."""
        self._logged: str | None = None
        self._skipped: str | None = None

    def freshness(self, now: datetime | None = None) -> Freshness:
        return assess(
            self.health,
            now or self.clock(),
            interval=self.interval,
            stale_after=self.stale_after,
            as_of=self.store.as_of,
        )

    # Data

    def arrived(self) -> None:
        """A stream's message came in, whatever becomes of it: the connection worked, so the failures
        before it are forgiven when it breaks (the runner compares ``arrivals`` before and after)."""
        self.arrivals += 1

    async def text(self, data: bytes | str, *, what: str = "response") -> None:
        """A JSON payload as received; large ones are parsed and mapped off the event loop."""
        if len(data) > OFF_LOOP_BYTES:
            records = await asyncio.to_thread(self._parse_and_map, data, what)
        else:
            records = self._parse_and_map(data, what)
        self.records(records)

    def payload(self, payload: Any) -> None:
        """A parsed JSON payload."""
        self.records(self._map(payload))

    def records(self, records: Iterable[Record], *, replace: bool | None = None) -> None:
        """Records ready for the store (filtered here)."""
        kept = self.filters.compiled.apply(records) if self.filters else list(records)
        if replace is None:
            replace = self.mapping is not None and not self.mapping.merge
        now = self.clock()
        self.store.update(kept, as_of=now, replace=replace)
        self._succeeded(now)

    def unchanged(self) -> None:
        """The source confirmed its data (an HTTP 304, an unchanged file)."""
        now = self.clock()
        self.store.update([], as_of=now)
        self._succeeded(now)

    def _parse_and_map(self, data: bytes | str, what: str) -> list[Record]:
        return self._map(parse_json(self.name, data, what))

    def _map(self, payload: Any) -> list[Record]:
        if self.mapping is None:
            raise SourceError(self.name, "no mapping for this source")
        try:
            result = self.mapping.compiled.apply(payload)
        except PayloadError as exc:
            raise SourceError(self.name, f"the payload does not fit the mapping: {exc}") from None
        self._report_skipped(result)
        return result.records

    def _report_skipped(self, result: MappingResult) -> None:
        summary = result.summary() if result.skipped else None
        if summary is not None and summary != self._skipped:
            log.warning("source %r (%s): %s", self.name, self.target, self.resolver.scrub(summary))
        self._skipped = summary

    # Health

    def _succeeded(self, now: datetime) -> None:
        if self.health.failures:
            log.info(
                "source %r (%s): recovered after %d failed attempts",
                self.name,
                self.target,
                self.health.failures,
            )
        self.health = self.health.succeeded(now)
        self._logged = None

    def failed(self, cause: str, retry_in: float | None = None) -> None:
        """One failed attempt: logged once per distinct cause; the store keeps its last good data."""
        cause = self.resolver.scrub(cause)
        self.health = self.health.failed(self.clock(), cause)
        level = logging.WARNING if cause != self._logged else logging.DEBUG
        self._logged = cause
        retry = f"; retrying in {retry_in:.3g} s" if retry_in is not None else ""
        log.log(level, "source %r (%s): %s%s", self.name, self.target, cause, retry)


def parse_json(source: str, data: bytes | str, what: str = "response") -> Any:
    """JSON text -> value, or ``SourceError`` saying what is wrong with it."""
    head = data[:200].lstrip()
    if head[:1] in (b"<", "<"):
        raise SourceError(source, f"the {what} is HTML or XML, not JSON")
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise SourceError(
            source, f"the {what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise SourceError(source, f"the {what} is not UTF-8 text") from None
