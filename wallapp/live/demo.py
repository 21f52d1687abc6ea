"""``demo`` sources: the built-in simulator, fed with the time as it goes."""

from __future__ import annotations

import asyncio
import math
import random
from datetime import datetime

from wallapp.core.config.sources import DemoSource
from wallapp.core.data.demo import STATE_FEEDS, Simulator
from wallapp.core.data.records import Record
from wallapp.live.ingest import Ingest


class DemoFeeder:
    """What a demo source gives as time goes: the one place a demo spec turns into records."""

    def __init__(self, spec: DemoSource, rng: random.Random | None = None) -> None:
        """``rng`` draws the seed of a source that names none; without it the seed is 0, so a snapshot
        of the wall looks the same every time."""
        self.spec = spec
        seed = spec.seed if spec.seed is not None else rng.randrange(2**31) if rng is not None else 0
        self.simulator = Simulator(seed, base_rate=spec.rate)
        self.replace = spec.feed in STATE_FEEDS
        """The records are the whole picture (a ranking, the KPIs), not news to add to what came before."""
        self._since: datetime | None = None
        self._minute: int | None = None

    def records(self, now: datetime) -> list[Record] | None:
        """The records at ``now`` (for posts and activity, the news since the last call); None: no change."""
        feed = self.spec.feed
        if feed == "kpis":
            # KPIs move once a minute: no need to compute 600 metrics every second.
            minute = math.floor(now.timestamp() / 60)
            if minute == self._minute:
                return None
            self._minute = minute
        records = self.simulator.feed(feed, now, None if self.replace else self._since)
        self._since = now
        return records


class DemoReader:
    """A demo source's attempts: the feeder's records at the ingest's time, computed off the event loop,
    and so is the feeder, at the first attempt: drawing its population of authors takes a few hundred ms,
    which on the loop would hold up a frame, or a switch of a wall of several PCs at its instant (the
    leader starts the next layout's sources when the switch is announced)."""

    def __init__(self, spec: DemoSource, ingest: Ingest, rng: random.Random) -> None:
        self.spec, self.ingest, self.rng = spec, ingest, rng
        self.feeder: DemoFeeder | None = None

    async def once(self) -> None:
        feeder = self.feeder
        if feeder is None:
            feeder = self.feeder = await asyncio.to_thread(DemoFeeder, self.spec, self.rng)
        records = await asyncio.to_thread(feeder.records, self.ingest.clock())
        if records is None:
            self.ingest.unchanged()
        else:
            self.ingest.records(records, replace=feeder.replace)
