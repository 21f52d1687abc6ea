"""Where every source kind hands its data: mapping, filters, the store, health, and the log.

The log counts rather than repeats. A failure episode (failures until the next success) is one line
naming the source, where it reads from (secrets redacted) and the cause, one more for each new kind of
failure in it, a reminder at most every ``REMIND_EVERY`` seconds while it lasts, and one line when the
source recovers. A kind is a cause without its particulars (a column, a size, the server's own words),
so a truncated payload that breaks at another column each time is one problem. Skipped items or
messages of a source that works are told once per kind, then counted and told again hourly at most.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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
from wallapp.core.view.formatting import format_duration
from wallapp.errors import SourceError
from wallapp.live.offload import Offload, WorkerGone

log = logging.getLogger("wallapp.live")

OFF_LOOP_BYTES = 64 * 1024
"""Payloads larger than this are parsed and mapped in a worker thread, so the UI never stalls on them."""
OFF_PROCESS_BYTES = 512 * 1024
"""Payloads larger than this are parsed, mapped and filtered in a worker process (given an ``Offload``):
in a thread they would hold the interpreter lock, and the UI, for a frame or more (measured in
``benchmarks/bench_big_payload.py``: about 18 ms at 0.5 MB, 65 ms at 1 MB, seconds at 40 MB)."""
DETAIL_CHARS = 200
"""The most of a server's explanation (``SourceError.detail``) shown in a log line."""
REMIND_EVERY = 3600.0
"""Seconds before a problem already told is told again (with how often it happened meanwhile)."""

_PARTICULARS = re.compile(r"[:(;,].*", re.S)
_NUMBERS = re.compile(r"\d[\d.,]*")


def failure_kind(cause: str) -> str:
    """A cause without its particulars: ``the response is not valid JSON: ... column 23`` and ``...
    column 57`` are one kind, ``HTTP 500 ...`` and ``HTTP 502 ...`` two."""
    return _NUMBERS.sub("#", _PARTICULARS.sub("", cause)).strip()


@dataclass
class _Episode:
    """Failures since the last success."""

    start: datetime
    failures: int = 0
    told: bool = False
    """Whether a line was logged about it (then its end is logged too)."""


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
        self._episode: _Episode | None = None
        self._told: dict[bool, datetime] = {}
        """When the failing episode was last told: its backend's failures (False) and a bug of ours
        (True) each have their line."""
        self._skips: dict[str, tuple[datetime, int]] = {}
        """Kinds of skipped items or messages: when last told, and how many since."""

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
            result = await asyncio.to_thread(self._parse_and_map, data, what)
        else:
            result = self._parse_and_map(data, what)
        self._mapped(result)

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
        self._report_skipped(digest.result)
        replace = False if digest.result.absent else not mapping.merge
        self._store(digest.records, now, replace=replace, left_out=digest.left_out)

    def payload(self, payload: Any) -> None:
        """A parsed JSON payload."""
        self._mapped(self._map(payload))

    def _mapped(self, result: MappingResult) -> None:
        # No list at all is nothing new: the store keeps what it has, even for a whole-picture source.
        self.records(result.records, replace=False if result.absent else None)

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

    def _parse_and_map(self, data: bytes | bytearray | str, what: str) -> MappingResult:
        return self._map(parse_json(self.name, data, what))

    def _map(self, payload: Any) -> MappingResult:
        if self.mapping is None:
            raise SourceError(self.name, "no mapping for this source")
        result = map_payload(self.name, self.mapping, payload)
        self._report_skipped(result)
        return result

    def _report_skipped(self, result: MappingResult) -> None:
        if result.skipped:
            # The kind: which fields failed, whatever the items' numbers and values.
            fields = sorted({failure_kind(problem.partition(": ")[2]) for problem in result.problems})
            self._skip(f"items: {', '.join(fields)}", result.summary())

    # Health

    def _succeeded(self, now: datetime) -> None:
        episode, self._episode = self._episode, None
        self._told.clear()
        self.health = self.health.succeeded(now)
        if episode is not None:
            took = (now - episode.start).total_seconds()
            over = f" over {format_duration(took)}" if took >= 1 else ""
            failures = "1 failure" if episode.failures == 1 else f"{episode.failures} failures"
            level = logging.INFO if episode.told else logging.DEBUG
            log.log(level, "source %r (%s): recovered after %s%s", self.name, self.target, failures, over)

    def failed(
        self,
        cause: str,
        retry_in: float | None = None,
        *,
        detail: str | None = None,
        error: BaseException | None = None,
    ) -> None:
        """One failed attempt; the store keeps its last good data. Told once per episode (its first
        failure), then again only ``REMIND_EVERY`` later: a backend that goes down is one line however its
        failures change meanwhile (a WebSocket lost, then refused; a 503 that turns into a 429), the
        latest cause in the source's status. ``detail`` (the server's words) is for the log only.
        ``error``: an unexpected exception, a bug of ours rather than the backend's failure: told with
        its traceback once in the episode, whatever was told of the backend."""
        cause = self.resolver.scrub(cause)
        now = self.clock()
        self.health = self.health.failed(now, cause)
        episode = self._episode = self._episode or _Episode(now)
        episode.failures += 1
        bug = error is not None
        told = self._told.get(bug)
        text = cause + (f": {_shortened(self.resolver.scrub(detail))}" if detail else "")
        text += f"; retrying in {retry_in:.3g} s" if retry_in is not None else ""
        if told is not None and (now - told).total_seconds() < REMIND_EVERY:
            log.debug("source %r (%s): %s", self.name, self.target, text)
            return
        if told is not None:
            took = format_duration((now - episode.start).total_seconds())
            text = f"still failing after {episode.failures} failures over {took}: {text}"
        self._told[bug] = now
        episode.told = True
        level = logging.ERROR if error is not None else logging.WARNING
        log.log(level, "source %r (%s): %s", self.name, self.target, text, exc_info=error)

    def rejected(self, cause: str) -> None:
        """A message of a stream that cannot be used. While the source works (its last outcome a
        success) the message is skipped, the stream goes on; otherwise it is one more failure."""
        if self.health.failures or self.health.last_success is None:
            self.failed(cause)
        else:
            cause = self.resolver.scrub(cause)
            self.health = replace(self.health, last_error=cause)
            self._skip(failure_kind(cause), f"{cause}; skipped")

    def _skip(self, kind: str, text: str) -> None:
        """Told once per kind, then again ``REMIND_EVERY`` later at most, with how many came between."""
        now = self.clock()
        told, since = self._skips.get(kind, (now, 0))
        took = (now - told).total_seconds()
        if kind in self._skips and took < REMIND_EVERY:
            self._skips[kind] = (told, since + 1)
            return
        if since:
            text += f" ({since} more like it in the last {format_duration(took)})"
        self._skips[kind] = (now, 0)
        log.warning("source %r (%s): %s", self.name, self.target, self.resolver.scrub(text))


def _shortened(text: str) -> str:
    """At most ``DETAIL_CHARS`` characters: cut after secrets are scrubbed, so none is left half shown."""
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "\u2026"


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
    result: MappingResult = field(default_factory=lambda: MappingResult([], 0))
    """What the mapping said, its records left out (they are above): skipped items, an absent list."""
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
    return Digest(records, distinct - len(records), replace(result, records=[]))


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
    except RecursionError:
        raise SourceError(source, f"the {what} is nested too deeply") from None
