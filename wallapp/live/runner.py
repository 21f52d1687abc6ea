"""Running a declared source: ``SourceRunner(name, spec, store, network).start()`` keeps the store fed.

Each kind of source has a reader that makes one attempt at a time (``Reader.once``); the runner alone
paces the attempts (``run_reader``): it retries whatever happens, keeps the store's last good data on
failure, and answers ``freshness()`` at any time. It runs on any asyncio loop (the app's runs under qasync).
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Awaitable, Callable
from collections.abc import Mapping as MappingOf
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

from wallapp.core.config.sources import (
    DemoSource,
    FileSource,
    HttpSource,
    Resolver,
    SourceBase,
    SourceSpec,
    SseSource,
    WebSocketSource,
    redact_url,
)
from wallapp.core.data.freshness import Freshness, Health
from wallapp.core.data.store import Scheduler, Store, immediate, last_good_path
from wallapp.core.durable import Writer
from wallapp.core.timing import Now, utc_now
from wallapp.errors import SourceError
from wallapp.live.backoff import backoff_delay
from wallapp.live.demo import DemoReader
from wallapp.live.file import FileReader
from wallapp.live.http import HttpPoller
from wallapp.live.ingest import Ingest
from wallapp.live.network import Network
from wallapp.live.offload import Offload
from wallapp.live.sse import SseReader
from wallapp.live.tasks import cancelled

Sleep = Callable[[float], Awaitable[None]]


class Reader(Protocol):
    """One kind of source, one attempt at a time; ``run_reader`` paces the attempts and reports failures."""

    async def once(self) -> float | None:
        """One attempt (a poll, or one connection held until it ends), handing its data to the Ingest.

        Returns the wait the source asks for before the next attempt (None: the spec's own); raises
        ``SourceError`` on failure (with ``wait_at_least`` when the source asks to be left alone).
        """
        ...


async def run_reader(
    new_reader: Callable[[], Reader],
    spec: SourceBase,
    ingest: Ingest,
    rng: random.Random,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Attempt after attempt until cancelled: the one retry loop of every kind of source.

    After a success the next attempt comes after the wait the source asked for or the spec's
    ``wait_after_success``. After failures the waits grow along ``spec.retry_backoff``, jittered by
    ``rng``, and never below what the source asks; a stream that brought messages before it broke was
    working, so the count starts again. An unexpected error is told with its traceback and the source
    starts afresh (a new reader) after a wait along ``spec.restart_backoff``.
    """
    reader: Reader | None = None
    failures = restarts = 0
    while True:
        try:
            arrivals = ingest.arrivals
            try:
                if reader is None:  # may fail like an attempt (a client certificate that cannot be used)
                    reader = new_reader()
                asked = await reader.once()
            except SourceError as error:
                failures = 1 if ingest.arrivals != arrivals else failures + 1
                wait = max(error.wait_at_least or 0.0, backoff_delay(spec.retry_backoff, failures, rng))
                ingest.failed(error.cause, wait, detail=error.detail)
            else:
                failures, wait = 0, spec.wait_after_success if asked is None else asked
        except Exception as exc:
            restarts += 1
            wait = backoff_delay(spec.restart_backoff, restarts, rng)
            ingest.failed(f"internal error ({type(exc).__name__})", wait, error=exc)
            reader, failures = None, 0
        await sleep(wait)


def open_store(
    name: str,
    spec: SourceSpec,
    cache_dir: Path | None = None,
    schedule: Scheduler = immediate,
    clock: Callable[[], float] | None = None,
    writer: Writer | None = None,
) -> Store:
    """A store sized for a source, with the last good data of a previous run (in ``cache_dir``) if any;
    its changes stamped with ``clock``, its data written by ``writer`` (see ``Store``)."""
    cache = last_good_path(cache_dir, name, spec) if cache_dir is not None else None
    store = Store(
        name, capacity=spec.capacity, schedule=schedule, cache_path=cache, clock=clock, writer=writer
    )
    store.load()
    return store


def describe_target(spec: SourceSpec, base_dir: Path | None = None) -> str:
    """Where a source reads from, fit for a log line and a status page (no secret)."""
    if isinstance(spec, FileSource):
        return str(_file_path(spec, base_dir))
    if isinstance(spec, DemoSource):
        return f"demo {spec.feed}"
    url = spec.url
    if spec.query:
        url += ("&" if "?" in url else "?") + urlencode(
            {key: str(value) for key, value in spec.query.items()}
        )
    return redact_url(url)


def _file_path(spec: FileSource, base_dir: Path | None) -> Path:
    path = Path(spec.path).expanduser()
    return path if path.is_absolute() or base_dir is None else base_dir / path


class SourceRunner:
    """One source, fed into its store until stopped."""

    def __init__(
        self,
        name: str,
        spec: SourceSpec,
        store: Store,
        network: Network,
        *,
        secrets: MappingOf[str, str] | None = None,
        environ: MappingOf[str, str] | None = None,
        base_dir: Path | None = None,
        clock: Now = utc_now,
        rng: random.Random | None = None,
        offload: Offload | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``network``: how the wall reaches backends (trust, client certificates, proxies, HTTP clients);
        ``secrets``: the installation's named secrets; ``environ``: ``os.environ`` unless given;
        ``base_dir``: the folder relative file paths are read from (the layout's); ``offload``: the
        worker process big payloads are read in; ``sleep``: how the waits between attempts are waited
        (a test moves its clock instead)."""
        self.name = name
        self.spec = spec
        self.store = store
        self.network = network
        self.rng = rng or random.Random()
        self.resolver = Resolver(name, secrets or {}, os.environ if environ is None else environ)
        self.ingest = Ingest(
            name,
            store,
            target=describe_target(spec, base_dir),
            mapping=spec.payload_mapping,
            filters=spec.filters,
            resolver=self.resolver,
            clock=clock,
            interval=spec.expected_every,
            stale_after=spec.stale_after,
            offload=offload,
        )
        self._base_dir = base_dir
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None

    @property
    def target(self) -> str:
        return self.ingest.target

    @property
    def health(self) -> Health:
        return self.ingest.health

    def freshness(self, now: datetime | None = None) -> Freshness:
        """Live, stale or failing, with the data's age and the last error."""
        return self.ingest.freshness(now)

    def start(self) -> asyncio.Task[None]:
        """Start on the running loop; returns the task (``stop()`` ends it)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run(), name=f"source {self.name}")
        return self._task

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await cancelled(task)

    async def run(self) -> None:
        """Feed the store until cancelled (see ``run_reader``)."""
        await run_reader(self._reader, self.spec, self.ingest, self.rng, self._sleep)

    async def once(self) -> float | None:
        """A single attempt by a fresh reader, unpaced, its failure raised (``SourceError``), not reported."""
        return await self._reader().once()

    def _reader(self) -> Reader:
        """A fresh reader for the spec's kind (a new one after an internal error: nothing of the old kept)."""
        spec = self.spec
        if isinstance(spec, HttpSource | SseSource | WebSocketSource):
            tls = self.network.tls_for(spec.tls, self._base_dir)
            if isinstance(spec, WebSocketSource):
                from wallapp.live.websocket import WebSocketReader  # websockets: for walls with such a source

                return WebSocketReader(spec, self.ingest, self.resolver, self.network, tls)
            client = self.network.client(tls, self.resolver)
            if isinstance(spec, HttpSource):
                return HttpPoller(spec, self.ingest, client, self.resolver)
            return SseReader(spec, self.ingest, client, self.resolver)
        if isinstance(spec, FileSource):
            return FileReader(spec, self.ingest, _file_path(spec, self._base_dir))
        return DemoReader(spec, self.ingest, self.rng)
