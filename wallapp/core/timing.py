"""The two kinds of time the wall reads, each passed in where it is needed (tests and benches drive them).

- ``Now``: the wall time, a UTC ``datetime`` (ages of data, clocks, schedules);
- ``Ticks``: a monotonic count of seconds (animation, measurement), never set back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Now = Callable[[], datetime]
Ticks = Callable[[], float]


def utc_now() -> datetime:
    return datetime.now(UTC)
