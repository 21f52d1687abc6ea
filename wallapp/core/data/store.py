"""A store per source: the records widgets show, kept bounded, deduplicated and in time order.

- **Bounded**: at most ``capacity`` records; the oldest go first.
- **Deduplicated** by record id: a record arriving again replaces the previous version.
- **Time-ordered**, newest first; records without a time take the time of the update that brought them,
  and records of the same time keep the order they came in (a ranking stays in rank order).
- **Change events are coalesced** through the ``schedule`` callable given at construction: the store asks
  it once to call back, and notifies every subscriber then, however many updates came in between. The
  Qt side passes a scheduler that runs the callback at the next frame; the default calls back at once.
- **Last good data on disk**: with a ``cache_path``, the store writes its records with their as-of
  time (at most every ``persist_every`` seconds of data time, and on ``save()``), and ``load()`` reads
  them back at start, so a restarted wall shows data at once. The source's ``resume`` token (where it
  stopped: an event stream's last event id) is kept with them, so a restarted source goes on from there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from wallapp.core.data.records import AnyRecord, Record, UtcDatetime, digest
from wallapp.core.durable import Episode, Writer, set_aside, sweep, write_atomically

log = logging.getLogger(__name__)

Scheduler = Callable[[Callable[[], None]], None]
Subscriber = Callable[["Store"], None]


class LastGood(BaseModel):
    """A store's records on disk, with the time they are as of."""

    format: Literal["wallapp.store/1"] = "wallapp.store/1"
    source: str
    as_of: UtcDatetime
    records: list[AnyRecord]
    resume: str | None = None
    """Where the source goes on from (an opaque token it gave), if it has such a thing."""


def immediate(callback: Callable[[], None]) -> None:
    """The default scheduler: no coalescing, subscribers are told at once."""
    callback()


def last_good_path(cache_dir: Path, source: str, spec: BaseModel | dict[str, Any] | None = None) -> Path:
    """Where a source's last good data is kept: its name, and a digest of its spec (a changed source
    starts anew)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", source).strip("-")[:60] or "source"
    described = spec.model_dump(mode="json", by_alias=True) if isinstance(spec, BaseModel) else spec
    return cache_dir / f"{slug}-{digest(source, described)}.json"


class Store:
    """The records of one source, for every widget bound to it."""

    def __init__(
        self,
        name: str,
        *,
        capacity: int = 500,
        schedule: Scheduler = immediate,
        cache_path: Path | None = None,
        persist_every: float = 10.0,
        clock: Callable[[], float] | None = None,
        writer: Writer | None = None,
    ) -> None:
        """``clock``: what ``changed_at`` is stamped with (seconds; on a node of a wall, the shared time);
        ``writer``: writes the last good data on a thread of its own (None: at once, on this thread)."""
        if capacity < 1:
            raise ValueError("a store holds at least one record")
        self.name = name
        self.capacity = capacity
        self.cache_path = cache_path
        self.persist_every = persist_every
        self.writer = writer
        self.as_of: datetime | None = None
        """Time of the last good update (or of the loaded last good data)."""
        self.from_cache = False
        """Whether the records come from the last good data on disk, not yet from the source."""
        self.resume: str | None = None
        """Where the source goes on from after a restart (an event stream's last event id), kept on disk
        with the records; the source sets it as its data arrives."""
        self.changed_at: float | None = None
        """When the records shown last changed, on ``clock`` (or as relayed: the leader's instant); None
        before any change (none since the last good data was loaded, or no clock)."""
        self._clock = clock
        self._schedule = schedule
        self._entries: dict[str, tuple[Record, float, int]] = {}
        self._sequence = 0
        self._arrived_by = float("-inf")
        """The latest time given to records without one: the wall's clock may be set back (an NTP jump),
        and what arrives after must not sort, and be trimmed, as older than what came before."""
        self._ordered: tuple[Record, ...] | None = ()
        self._subscribers: list[Subscriber] = []
        self._pending = False
        self.on_change: Callable[[], None] | None = None
        """Called at once after each change, not coalesced: the leader of a wall of several PCs relays
        what its sources bring as soon as it comes (it coalesces bursts on its own)."""
        self._saved_at: datetime | None = None
        self._dirty = False
        self._warned_capacity = False
        self._disk = Episode(log, f"store {name!r}: its last good data")
        self._gate: Callable[[Record], bool] | None = None

    # Reading

    def records(self) -> tuple[Record, ...]:
        """The newest ``capacity`` records the gate lets through (see ``gate``), newest first."""
        if self._ordered is None:
            kept = (entry[0] for entry in self._sorted()[: self.capacity])
            gate = self._gate
            self._ordered = tuple(kept if gate is None else (record for record in kept if gate(record)))
        return self._ordered

    def latest(self, count: int) -> list[Record]:
        """The newest ``count`` records, whatever the gate says (what the operator moderates)."""
        return [entry[0] for entry in self._sorted()[: min(count, self.capacity)]]

    def gate(self, allows: Callable[[Record], bool] | None) -> None:
        """Show only the records ``allows`` (the operator's moderation; None: all), from now on: the
        subscribers are told, so a hidden post leaves the wall at the next frame. Records held back stay
        in the store, so one sent again by its source stays held back."""
        before = self.records()
        self._gate = allows
        self._ordered = None
        self._changed(stamp=self.records() != before)

    def held(self) -> list[Record]:
        """Every record the store holds, over capacity and held back by the gate too (for a census)."""
        return [entry[0] for entry in self._entries.values()]

    def __len__(self) -> int:
        return min(len(self._entries), self.capacity)

    def get(self, record_id: str) -> Record | None:
        entry = self._entries.get(record_id)
        return entry[0] if entry else None

    # Writing

    def update(
        self,
        records: Iterable[Record],
        *,
        as_of: datetime,
        replace: bool = False,
        left_out: int = 0,
        at: float | None = None,
    ) -> int:
        """Add (or with ``replace``, set) records as of a time; returns how many were new or changed.

        An update with no records still confirms the data as of ``as_of`` (an HTTP 304, a quiet stream).
        ``left_out``: older records of the same payload already left out for want of capacity (a big
        payload is cut down to the newest before it gets here). ``at``: the instant the change took effect
        (``changed_at``; None: ``clock``'s now), as the leader of a wall relays it.
        """
        stamp = as_of.timestamp()  # a later update sorts later, even on a clock set back
        fallback = self._arrived_by = stamp if stamp > self._arrived_by else self._arrived_by + 1e-6
        incoming: dict[str, tuple[Record, float, int]] = {}
        for record in records:
            self._sequence += 1
            moment = record.time
            incoming[record.id] = (record, moment.timestamp() if moment else fallback, self._sequence)
        changed = sum(1 for key, entry in incoming.items() if self.get(key) != entry[0])
        if replace:
            changed += len(self._entries.keys() - incoming.keys())
            if not changed:
                incoming = self._entries
            self._entries = incoming
        else:
            for key, entry in incoming.items():
                previous = self._entries.get(key)
                if previous is None or previous[0] != entry[0]:
                    self._entries[key] = entry
        self.as_of = as_of
        if changed or self.from_cache:
            self.from_cache = False
            self._ordered = None
            if replace and left_out + len(self._entries) > self.capacity and not self._warned_capacity:
                # A whole picture (a ranking, every KPI) that does not fit: say so once, never silently.
                self._warned_capacity = True
                log.warning(
                    "source %r: a payload of %d records is over the store's capacity of %d; "
                    "the oldest are left out (raise the source's capacity)",
                    self.name,
                    left_out + len(self._entries),
                    self.capacity,
                )
            # A stream is trimmed once it is a tenth over capacity, not on every post: sorting the whole
            # store for each arriving post was the store's main cost at high rates.
            if len(self._entries) > (self.capacity if replace else self.capacity + self.capacity // 10):
                kept = self._sorted()[: self.capacity]
                self._entries = {entry[0].id: entry for entry in kept}
            self._dirty = True
            self._changed(at=at)
        self._persist(as_of)
        return changed

    def _sorted(self) -> list[tuple[Record, float, int]]:
        return sorted(self._entries.values(), key=lambda entry: (-entry[1], entry[2]))

    # Change events

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(store)`` after changes (coalesced); returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _changed(self, stamp: bool = True, at: float | None = None) -> None:
        if stamp:
            self.changed_at = at if at is not None else self._clock() if self._clock is not None else None
        if self.on_change is not None:
            self.on_change()
        if not self._pending and self._subscribers:
            self._pending = True
            self._schedule(self._notify)

    def _notify(self) -> None:
        self._pending = False
        for callback in list(self._subscribers):
            try:
                callback(self)
            except Exception:
                log.error("store %r: a subscriber failed", self.name, exc_info=True)

    # LastGood on disk

    def _persist(self, now: datetime) -> None:
        if self.cache_path is None or not self._dirty:
            return
        if self._saved_at is None or (now - self._saved_at).total_seconds() >= self.persist_every:
            self.save()

    def save(self) -> bool:
        """Write the last good data now (``write_atomically``: whole or not at all); False if it cannot be
        written (a full disk, a read-only folder): the data stays in memory, said once in the log. With a
        ``writer``, written on its thread: True once asked, the outcome logged the same way."""
        if self.cache_path is None or self.as_of is None:
            return False
        path = self.cache_path
        saved = LastGood(source=self.name, as_of=self.as_of, records=list(self.records()), resume=self.resume)
        if self.writer is not None:
            self.writer.write(
                path, lambda: saved.model_dump_json().encode(), lambda e: self._written(saved, e)
            )
            return True
        try:
            write_atomically(path, saved.model_dump_json().encode())
        except OSError as exc:
            self._written(saved, exc)
            return False
        self._written(saved, None)
        return True

    def _written(self, saved: LastGood, error: OSError | None) -> None:
        """Note how writing ``saved`` went (on the writer's thread, with a writer)."""
        assert self.cache_path is not None
        if error is not None:
            self._disk.failed(error, self.cache_path, "kept in memory until it can be")
            return
        self._disk.succeeded(self.cache_path)
        self._saved_at = saved.as_of
        self._dirty = False
        self._warned_capacity = False

    def load(self) -> bool:
        """Read the last good data written by a previous run; False if there is none or it cannot be used.

        A file that is not the last good data (truncated, corrupt, another format) is set aside as
        ``NAME.corrupt-<time>`` with one log line, and the store starts empty; temporary files a killed
        run left are removed.
        """
        if self.cache_path is None:
            return False
        if self.writer is not None:
            self.writer.wait(self.cache_path)  # a write still on its way: its temporary file is not debris
        sweep(self.cache_path.parent, self.cache_path.name)
        if not self.cache_path.is_file():
            return False
        try:
            saved = LastGood.model_validate_json(self.cache_path.read_bytes())
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            cause = f"{'.'.join(map(str, error['loc']))}: {error['msg']}" if error["loc"] else error["msg"]
            aside = set_aside(self.cache_path)
            log.warning(
                "store %r: its last good data %s cannot be used (%s): %s; starting empty",
                self.name,
                self.cache_path,
                cause,
                f"set aside as {aside.name}" if aside else "removed",
            )
            return False
        except OSError as exc:
            log.warning(
                "store %r: cannot read its last good data %s: %s; starting empty",
                self.name,
                self.cache_path,
                exc.strerror or exc,
            )
            return False
        self.update(saved.records, as_of=saved.as_of, replace=True)
        self.resume = saved.resume
        self._saved_at = saved.as_of
        self._dirty = False
        self._warned_capacity = False
        self.from_cache = True
        return True
