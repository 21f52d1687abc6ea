"""The two kinds of time the wall reads, each passed in where it is needed (tests and benches drive them).

- ``Now``: the wall time, a UTC ``datetime`` (ages of data, clocks, schedules);
- ``Ticks``: a monotonic count of seconds (animation, measurement), never set back.

On a node of a wall of several PCs both are read from the wall's shared time base
(``wallapp.core.timebase.TimeBase``: the leader's clock), which an estimate may step by its correction,
a few milliseconds, forward or back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Now = Callable[[], datetime]
Ticks = Callable[[], float]


def utc_now() -> datetime:
    return datetime.now(UTC)
