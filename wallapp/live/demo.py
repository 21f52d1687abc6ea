"""``demo`` sources: the built-in simulator, fed with the time as it goes."""

from __future__ import annotations

import asyncio
import math
import random
from datetime import datetime

from wallapp.core.config.sources import DemoSource
from wallapp.core.data.demo import STATE_FEEDS, Simulator
from wallapp.live.ingest import Ingest


class DemoFeeder:
    def __init__(self, spec: DemoSource, ingest: Ingest, rng: random.Random) -> None:
        self.spec = spec
        self.ingest = ingest
        seed = spec.seed if spec.seed is not None else rng.randrange(2**31)
        self.simulator = Simulator(seed, base_rate=spec.rate)
        self._since: datetime | None = None
        self._minute: int | None = None

    async def run(self) -> None:
        while True:
            await self.step()
            await asyncio.sleep(self.spec.interval)

    async def step(self) -> None:
        now = self.ingest.clock()
        feed = self.spec.feed
        if feed == "kpis":
            # KPIs move once a minute: no need to compute 600 metrics every second.
            minute = math.floor(now.timestamp() / 60)
            if minute == self._minute:
                self.ingest.unchanged()
                return
            self._minute = minute
        since = None if feed in STATE_FEEDS else self._since
        records = await asyncio.to_thread(self.simulator.feed, feed, now, since)
        self.ingest.records(records, replace=feed in STATE_FEEDS)
        self._since = now
