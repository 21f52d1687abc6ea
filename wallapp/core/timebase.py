"""The wall's shared time base: every node's clock set to the leader's, estimated over the broker.

A node asks the leader its time a few times (``SAMPLES_PER_ROUND`` round trips) and reads each answer
with NTP's arithmetic: sent at ``t0`` (the node's clock), received by the leader at ``t1`` and answered at
``t2`` (the leader's clock), received back at ``t3`` (the node's clock)::

    offset = ((t1 - t0) + (t2 - t3)) / 2        what to add to the node's clock to read the leader's
    delay  = (t3 - t0) - (t2 - t1)              the round trip, less the leader's time answering

The offset is exact when the way there and the way back take as long; a trip slowed one way (a busy
broker, a frame being painted when the answer arrives) errs by half the difference, and also takes
longer. So ``estimate`` keeps the samples with the lowest delays (the fastest half) and takes the median
of their offsets: an outlier, slow and lopsided, is left out. Asked again every ``ROUND_EVERY_S``, and at
once when another node leads.

``TimeBase`` is the clock the wall's animations then read on a node: the local monotonic clock plus a
base, seconds on the scale of the UTC epoch (the leader's wall time when it began to lead). A leader keeps
its base (first its own wall clock, or the one it followed until it took over), so the shared time goes
on without a jump when the lead passes to another node. Between estimates it moves with the monotonic
clock: a wall clock set by hand does not make it jump; an estimate steps it by the correction (a few ms
on PCs whose clocks NTP or chrony keep).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wallapp.core.timing import Ticks

SAMPLES_PER_ROUND = 8
"""Round trips asked for each estimate."""
ROUND_EVERY_S = 30.0
"""Seconds between estimates (and one at once when another node leads)."""
KEEP = 0.5
"""The share of the samples, the fastest, whose offsets the median is taken of."""


@dataclass(frozen=True)
class Sample:
    """One round trip: ``t0``, ``t3`` on the node's clock, ``t1``, ``t2`` on the leader's (seconds)."""

    t0: float
    t1: float
    t2: float
    t3: float

    @property
    def offset(self) -> float:
        return ((self.t1 - self.t0) + (self.t2 - self.t3)) / 2

    @property
    def delay(self) -> float:
        return (self.t3 - self.t0) - (self.t2 - self.t1)


@dataclass(frozen=True)
class Estimate:
    """The leader's clock less the node's, from ``samples`` round trips with ``leader``."""

    offset: float
    delay: float
    """The round trip of the fastest sample kept (the error bound of the offset is half of it)."""
    samples: int
    leader: str


def estimate(samples: Sequence[Sample], leader: str, keep: float = KEEP) -> Estimate | None:
    """The median offset of the fastest ``keep`` of ``samples`` (at least one); None without samples.
    Samples whose delay is negative (a clock read out of order) are left out."""
    usable = sorted((s for s in samples if s.delay >= 0), key=lambda s: s.delay)
    if not usable:
        return None
    fastest = usable[: max(1, round(len(usable) * keep))]
    offset = statistics.median(s.offset for s in fastest)
    return Estimate(offset, fastest[0].delay, len(usable), leader)


class TimeBase:
    """A node's shared clock: ``local()`` (monotonic seconds) plus a base set by the estimates."""

    def __init__(self, local: Ticks, wall: Ticks) -> None:
        """``local``: the monotonic clock; ``wall``: the node's own wall clock in UTC epoch seconds, which
        the base starts from (and the status compares the shared time with)."""
        self.local, self.wall = local, wall
        self.base = wall() - local()
        self.estimate: Estimate | None = None
        self.estimated_at: float | None = None
        """When the estimate was made, on the local clock."""

    def ticks(self) -> float:
        """The shared time: seconds since the UTC epoch on the leader's clock."""
        return self.local() + self.base

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.ticks(), UTC)

    def adopt(self, found: Estimate) -> None:
        """Read the leader's clock from now on: ``found`` is the leader's shared time less ``local()``."""
        self.base, self.estimate, self.estimated_at = found.offset, found, self.local()

    def status(self) -> dict[str, Any]:
        """The shared time against this node's wall clock (``offset_ms``: what is added to it; near 0
        where NTP keeps the clocks), and the estimate it comes from (None on a node that has only led)."""
        found = self.estimate
        return {
            "offset_ms": round((self.ticks() - self.wall()) * 1000, 1),
            "delay_ms": round(found.delay * 1000, 1) if found is not None else None,
            "samples": found.samples if found is not None else 0,
            "leader": found.leader if found is not None else None,
            "age_s": (round(self.local() - self.estimated_at, 1) if self.estimated_at is not None else None),
        }
