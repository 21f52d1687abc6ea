"""The layout's data sources at run time: one store per source, one runner per source once the loop runs.

Stores and runners outlive a layout reload when the source is declared the same way, so editing a
layout does not reconnect to its backends or lose what they sent.

On a wall of several PCs only the leading node runs the sources (``lead``); the others (``follow``) run
none, and their stores are fed with what the leader relays (``relay_records``, ``relay_health``): the
leader's records, and its sources' health, so a follower's widgets say what the leader's say.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from wallapp.core.config.layout import LoadedLayout
from wallapp.core.config.sources import DemoSource, SourceSpec
from wallapp.core.data.freshness import Freshness, Health, assess
from wallapp.core.data.moderation import Moderation
from wallapp.core.data.records import Record, digest
from wallapp.core.data.store import Scheduler, Store, immediate
from wallapp.core.durable import Writer
from wallapp.core.timing import Now, utc_now
from wallapp.live.demo import DemoFeeder
from wallapp.live.network import Network
from wallapp.live.offload import Offload
from wallapp.live.probe import Probed, probe
from wallapp.live.runner import SourceRunner, open_store

log = logging.getLogger("wallapp.live.feeds")

HEARD_EVERY = 0.02
"""Seconds between looks at the sources while waiting to hear from them all."""


@dataclass(frozen=True)
class _Relayed:
    """The latest that the leader relayed of a source: its declaration's digest, records (and the
    instant they changed, on the shared time), the time they are as of, and its health."""

    spec: str
    records: list[Record] | None = None
    as_of: datetime | None = None
    health: Health | None = None
    changed_at: float | None = None


@dataclass
class _LiveSource:
    name: str
    spec: SourceSpec
    store: Store
    base_dir: Path
    now: Now
    runner: SourceRunner | None = field(default=None)
    relayed: Health | None = field(default=None)
    """The source's health as the leading node relays it (a follower's), while no runner runs here."""

    @functools.cached_property
    def spec_digest(self) -> str:
        """The same on every node that declares the source the same way."""
        return digest(self.name, self.spec.model_dump(mode="json"))

    def health(self) -> Health:
        if self.runner is not None:
            return self.runner.health
        return self.relayed or Health()

    def freshness(self) -> Freshness:
        if self.runner is not None:
            return self.runner.freshness()
        if self.relayed is not None:
            spec, store = self.spec, self.store
            return assess(
                self.relayed,
                self.now(),
                interval=spec.expected_every,
                stale_after=spec.stale_after,
                as_of=store.as_of,
            )
        # Not running (a snapshot, or before the loop starts): data loaded from the cache is not live;
        # data just primed from the simulator is.
        store = self.store
        health = Health() if store.from_cache or store.as_of is None else Health(last_success=store.as_of)
        return assess(health, self.now(), interval=self.spec.expected_every, as_of=store.as_of)


class Feeds:
    """Stores (notifications coalesced by ``schedule``) and runners for the sources of the layout shown."""

    def __init__(
        self,
        cache_dir: Path | None,
        schedule: Scheduler = immediate,
        secrets: Mapping[str, str] | None = None,
        now: Now = utc_now,
        leading: bool = True,
    ) -> None:
        """``secrets``: the installation's named secrets, for ``${secret:NAME}`` in source declarations;
        ``now``: the time data is stamped with and aged against; ``leading``: False on a node of a wall
        of several PCs until it leads (its sources do not run meanwhile)."""
        self.leading = leading
        self._relays: dict[str, _Relayed] = {}
        """The latest that the leader relayed of each source, for a source this node opens later."""
        self.cache_dir = cache_dir
        self.schedule = schedule
        self.secrets = dict(secrets or {})
        self.now = now
        self.network: Network | None = None
        self.offload = Offload()
        """The one worker process that reads big payloads for every source, started when one comes."""
        self.writer = Writer()
        """Writes the stores' last good data off the GUI thread (``Store.save``)."""
        self._sources: dict[str, _LiveSource] = {}
        self.on_records: Callable[[], None] | None = None
        """Called at once when a source of a leading node brings records (its link relays them then)."""
        self.moderation = Moderation()
        """The operator's decisions about posts (hidden, blocked, waiting for approval): see ``moderate``."""

    def _stamp(self) -> float:
        """When a store's records change: ``now`` in seconds (on a node, the wall's shared time)."""
        return self.now().timestamp()

    @staticmethod
    def _key(name: str, spec: SourceSpec) -> str:
        return f"{name}:{spec.model_dump_json()}"

    def use(
        self, loaded: LoadedLayout, keep: Iterable[LoadedLayout] = ()
    ) -> dict[str, tuple[Store, Callable[[], Freshness]]]:
        """The sources of ``loaded``: reused when declared the same, opened (from the cache) when new; the
        others let go of, but for those ``keep`` declares (scenes still on, or built for later)."""
        wanted = {self._key(name, spec): (name, spec) for name, spec in loaded.layout.sources.items()}
        kept = set(wanted).union(
            *({self._key(*each) for each in other.layout.sources.items()} for other in keep)
        )
        for key in set(self._sources) - kept:
            self._retire(self._sources.pop(key))
        for key, (name, spec) in wanted.items():
            if key not in self._sources:
                store = open_store(name, spec, self.cache_dir, self.schedule, self._stamp, self.writer)
                store.gate(None if self.moderation.quiet() else self.moderation.gate(name))
                store.on_change = self._brought
                source = _LiveSource(name, spec, store, loaded.path.parent, self.now)
                self._sources[key] = source
                if self.network is not None and self.leading:
                    self._start(source, self.network)
                elif not self.leading:
                    self._apply_relayed(source)
        return {s.name: (s.store, s.freshness) for key, s in self._sources.items() if key in wanted}

    def moderate(self, moderation: Moderation) -> None:
        """Apply the operator's decisions to every source's posts now (and to the sources opened later)."""
        self.moderation = moderation
        for source in self._sources.values():
            source.store.gate(None if moderation.quiet() else moderation.gate(source.name))

    def stores(self) -> dict[str, Store]:
        """The stores of the sources in use, by name."""
        return {source.name: source.store for source in self._sources.values()}

    def freshness(self) -> dict[str, Freshness]:
        """Each source's freshness and last error, by name (for a status page or the control API)."""
        return {source.name: source.freshness() for source in self._sources.values()}

    def start(self, network: Network) -> None:
        """Run every source on the running loop, reaching backends through ``network`` (once leading, on a
        wall of several PCs)."""
        self.network = network
        if self.leading:
            for source in self._sources.values():
                self._start(source, network)

    # A wall of several PCs.

    def lead(self) -> None:
        """This node leads: its sources run (once ``start`` has given the network), from the data relayed
        so far."""
        self.leading = True
        for source in self._sources.values():
            source.relayed = None
            if self.network is not None and source.runner is None:
                self._start(source, self.network)

    async def follow(self) -> None:
        """Another node leads: stop this node's sources, keep their data; what the leader relays feeds it."""
        self.leading = False
        for source in self._sources.values():
            runner, source.runner = source.runner, None
            if runner is not None:
                source.relayed = runner.health
                await runner.stop()

    def relayed(self) -> list[tuple[str, str, Store, Health]]:
        """What a leading node relays: each source's name, spec digest, store and health."""
        return [(s.name, s.spec_digest, s.store, s.health()) for s in self._sources.values()]

    def relay_records(
        self, name: str, spec: str, records: list[Record], as_of: datetime, changed_at: float | None = None
    ) -> bool:
        """The leader's records of source ``name`` (declared as ``spec`` digests it) in place of this node's,
        changed at the leader's instant ``changed_at`` (see ``Store.changed_at``); whether a source in use
        took them (kept for a source opened later either way)."""
        known = self._relays.get(name, _Relayed(spec))
        health = known.health if known.spec == spec else None
        self._relays[name] = _Relayed(spec, records, as_of, health, changed_at)
        return self._apply(
            name,
            spec,
            lambda source: source.store.update(records, as_of=as_of, replace=True, at=changed_at),
        )

    def relay_health(self, name: str, spec: str, health: Health, as_of: datetime | None) -> bool:
        """The leader's health of source ``name`` (and the time its data is as of)."""
        known = self._relays.get(name, _Relayed(spec))
        if known.spec != spec:  # the leader declares it otherwise now: its old records are not these
            known = _Relayed(spec)
        self._relays[name] = replace(known, as_of=as_of or known.as_of, health=health)

        def apply(source: _LiveSource) -> None:
            source.relayed = health
            if as_of is not None and source.store.as_of != as_of:
                source.store.update([], as_of=as_of)  # confirmed as of then (a poll with nothing new)

        return self._apply(name, spec, apply)

    def cut_off(self, why: str) -> None:
        """The broker is lost: every relayed source is failing with ``why``, its last data kept."""
        now = self.now()
        for source in self._sources.values():
            if source.runner is None:
                source.relayed = (source.relayed or Health()).failed(now, why)

    def _brought(self) -> None:
        if self.leading and self.on_records is not None:
            self.on_records()

    def _apply(self, name: str, spec: str, apply: Callable[[_LiveSource], object]) -> bool:
        if self.leading:
            return False
        applied = False
        for source in self._sources.values():
            if source.name == name and source.spec_digest == spec and source.runner is None:
                apply(source)
                applied = True
        return applied

    def _apply_relayed(self, source: _LiveSource) -> None:
        relayed = self._relays.get(source.name, _Relayed(""))
        if relayed.spec != source.spec_digest:
            return
        if relayed.records is not None and relayed.as_of is not None:
            source.store.update(relayed.records, as_of=relayed.as_of, replace=True, at=relayed.changed_at)
        source.relayed = relayed.health

    def _start(self, source: _LiveSource, network: Network) -> None:
        source.runner = self._runner(source, network)
        source.runner.start()

    def _runner(self, source: _LiveSource, network: Network) -> SourceRunner:
        return SourceRunner(
            source.name,
            source.spec,
            source.store,
            network,
            secrets=self.secrets,
            base_dir=source.base_dir,
            clock=self.now,
            offload=self.offload,
        )

    async def heard_from_all(self, timeout: float) -> bool:
        """Wait until every running source has brought data or failed since it started, ``timeout`` s at
        most; whether they all have."""

        def heard() -> bool:
            return all(s.runner is not None and s.runner.health != Health() for s in self._sources.values())

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not heard():
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(HEARD_EVERY)
        return True

    async def probe(self, network: Network, names: Collection[str] | None, timeout: float) -> list[Probed]:
        """One attempt at each source (those in ``names``, if given), all at once, in layout order:
        see ``probe.probe``."""
        chosen = [s for s in self._sources.values() if names is None or s.name in names]
        return list(await asyncio.gather(*(probe(self._runner(s, network), timeout) for s in chosen)))

    def _retire(self, source: _LiveSource) -> None:
        source.store.save()
        if source.runner is not None:
            asyncio.get_running_loop().create_task(source.runner.stop())

    async def stop(self) -> None:
        """Stop every runner (all at once: each gives up on a task that will not end within a bound) and
        keep each store's last good data on disk."""
        await asyncio.gather(*(s.runner.stop() for s in self._sources.values() if s.runner is not None))
        for source in self._sources.values():
            source.store.save()
        await asyncio.to_thread(self.writer.drain)  # on disk before the wall goes
        self.network = None
        self.offload.close()

    def prime(self, now: datetime) -> None:
        """Fill demo sources at once from the simulator (snapshots show a living wall without a loop)."""
        for source in self._sources.values():
            if isinstance(source.spec, DemoSource):
                feeder = DemoFeeder(source.spec)
                source.store.update(feeder.records(now) or [], as_of=now, replace=feeder.replace)
