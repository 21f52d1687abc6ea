"""Where every source kind hands its data: mapping, filters, the store, health, and the log.

A failure is logged once, as one line naming the source, where it reads from (secrets redacted) and
the cause; the same cause again is logged at debug level only, and the recovery at info level.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from wallapp.core.config.sources import Resolver
from wallapp.core.data.filters import FilterOptions, PostFilter
from wallapp.core.data.freshness import Freshness, Health, assess
from wallapp.core.data.mapping import Mapping, MappingResult, PayloadError
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.core.timing import Now, utc_now
from wallapp.errors import SourceError
from wallapp.live.offload import Offload, WorkerGone

log = logging.getLogger("wallapp.live")

OFF_LOOP_BYTES = 64 * 1024
"""Payloads larger than this are parsed and mapped in a worker thread, so the UI never stalls on them."""

OFF_PROCESS_BYTES = 512 * 1024
"""Payloads larger than this are parsed, mapped and filtered in a worker process (given an ``Offload``):
in a thread they would hold the interpreter lock, and the UI, for a frame or more (measured in
``benchmarks/bench_big_payload.py``: about 18 ms at 0.5 MB, 65 ms at 1 MB, seconds at 40 MB)."""


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
        offload: Offload | None = None,
    ) -> None:
        """``offload``: where big payloads are read (without one, a worker thread)."""
        self.name = name
        self.store = store
        self.target = target
        self.mapping = mapping
        self.filters = filters
        self.resolver = resolver
        self.clock = clock
        self.interval = interval
        self.stale_after = stale_after
        self.offload = offload
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

    async def text(self, data: bytes | bytearray | str, *, what: str = "response") -> None:
        """A JSON payload as received; large ones are parsed and mapped off the event loop, big ones in
        another process, which sends back only what the store will keep."""
        if self.offload is not None and self.mapping is not None and len(data) > OFF_PROCESS_BYTES:
            await self._offloaded(self.offload, self.mapping, data, what)
            return
        if len(data) > OFF_LOOP_BYTES:
            records = await asyncio.to_thread(self._parse_and_map, data, what)
        else:
            records = self._parse_and_map(data, what)
        self.records(records)

    async def _offloaded(
        self, offload: Offload, mapping: Mapping, data: bytes | bytearray | str, what: str
    ) -> None:
        now = self.clock()  # records without a time of their own are ordered as of now, there as here
        filters = _spec_json(self.filters) if self.filters is not None else None
        job = Job(self.name, what, _spec_json(mapping), filters, self.store.capacity, now)
        try:
            digest = await offload.run(digest_payload, data.encode() if isinstance(data, str) else data, job)
        except WorkerGone as exc:
            raise SourceError(self.name, f"the payload could not be read: {exc}") from None
        if digest.error is not None:
            raise SourceError(self.name, digest.error)
        self._report_skipped(digest.skipped)
        self._store(digest.records, now, replace=not mapping.merge, left_out=digest.left_out)

    def payload(self, payload: Any) -> None:
        """A parsed JSON payload."""
        self.records(self._map(payload))

    def records(self, records: Iterable[Record], *, replace: bool | None = None) -> None:
        """Records ready for the store (filtered here)."""
        kept = self.filters.compiled.apply(records) if self.filters else list(records)
        if replace is None:
            replace = self.mapping is not None and not self.mapping.merge
        self._store(kept, self.clock(), replace=replace)

    def _store(self, kept: list[Record], now: datetime, *, replace: bool, left_out: int = 0) -> None:
        self.store.update(kept, as_of=now, replace=replace, left_out=left_out)
        self._succeeded(now)

    def unchanged(self) -> None:
        """The source confirmed its data (an HTTP 304, an unchanged file)."""
        now = self.clock()
        self.store.update([], as_of=now)
        self._succeeded(now)

    def _parse_and_map(self, data: bytes | bytearray | str, what: str) -> list[Record]:
        return self._map(parse_json(self.name, data, what))

    def _map(self, payload: Any) -> list[Record]:
        if self.mapping is None:
            raise SourceError(self.name, "no mapping for this source")
        result = map_payload(self.name, self.mapping, payload)
        self._report_skipped(result.summary() if result.skipped else None)
        return result.records

    def _report_skipped(self, summary: str | None) -> None:
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


def map_payload(source: str, mapping: Mapping, payload: Any) -> MappingResult:
    """A parsed payload -> records, or ``SourceError`` when it does not fit the mapping at all."""
    try:
        return mapping.compiled.apply(payload)
    except PayloadError as exc:
        raise SourceError(source, f"the payload does not fit the mapping: {exc}") from None


# A big payload in the worker process


@dataclass(frozen=True)
class Job:
    """How to read a payload in the worker process (specs as JSON: they travel, compiled they don't)."""

    source: str
    what: str
    mapping: str
    filters: str | None
    capacity: int
    as_of: datetime


@dataclass(frozen=True)
class Digest:
    """What the worker sends back: no more than the store keeps."""

    records: list[Record]
    """The newest ``capacity`` records kept by the filters, newest first, as the store orders them."""
    left_out: int = 0
    """Other records kept by the filters, older: the store would have let them go."""
    skipped: str | None = None
    """The mapping's summary of the items it could not read."""
    error: str | None = None
    """Why the payload gave nothing (the cause of a ``SourceError``)."""


def digest_payload(data: bytes, job: Job) -> Digest:
    """Parse, map and filter a payload (in the worker process), keeping only what the store would."""
    try:
        result = map_payload(job.source, _mapping(job.mapping), parse_json(job.source, data, job.what))
    except SourceError as error:
        return Digest([], error=error.cause)
    kept = _filters(job.filters).apply(result.records) if job.filters else result.records
    newest = Store(job.source, capacity=job.capacity)  # the store's own order and deduplication
    newest.update(kept, as_of=job.as_of)
    records = list(newest.records())
    distinct = len({record.id for record in kept})
    return Digest(records, distinct - len(records), result.summary() if result.skipped else None)


def _spec_json(spec: BaseModel) -> str:
    """A spec as it was written (unset fields left out: a mapping tells a default given from none)."""
    return spec.model_dump_json(by_alias=True, exclude_unset=True)


@lru_cache(maxsize=16)
def _mapping(spec: str) -> Mapping:
    return Mapping.model_validate_json(spec)


@lru_cache(maxsize=16)
def _filters(spec: str) -> PostFilter:
    return FilterOptions.model_validate_json(spec).compiled


def parse_json(source: str, data: bytes | bytearray | str, what: str = "response") -> Any:
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
