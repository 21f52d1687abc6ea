"""Time series for charts: points grouped by series in a rolling window, and readable axis ticks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from wallapp.core.data.records import Record, SeriesPoint

Points = list[tuple[float, float]]


def windowed(records: Iterable[Record], window: float, names: Sequence[str] = ()) -> dict[str, Points]:
    """Each series' (epoch seconds, value) points, oldest first, within ``window`` s of the newest point.

    The window ends at the newest point rather than at the clock, so a chart of old data (a stale
    source) still shows its last hour. Points without a finite value are left out. ``names`` picks
    and orders series; all of them, by name, when empty.
    """
    points = [
        r
        for r in records
        if isinstance(r, SeriesPoint)
        and r.value is not None
        and math.isfinite(r.value)
        and (not names or r.series in names)
    ]
    if not points:
        return {}
    end = max(p.at.timestamp() for p in points)
    series: dict[str, Points] = {}
    for point in points:
        moment = point.at.timestamp()
        if moment >= end - window:
            series.setdefault(point.series, []).append((moment, float(point.value or 0.0)))
    order = [n for n in names if n in series] if names else sorted(series)
    return {name: sorted(series[name]) for name in order}


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values (1, 2, 2.5 or 5 times a power of ten) covering ``low..high``."""
    if not (math.isfinite(low) and math.isfinite(high)) or count < 1:
        return []
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def time_ticks(start: float, end: float, count: int = 5) -> list[float]:
    """Round times (every 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 d) inside ``start..end``."""
    span = end - start
    if span <= 0:
        return []
    steps = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
    step = next((s for s in steps if span / s <= count), steps[-1])
    first = math.ceil(start / step) * step
    return [float(t) for t in range(int(first), int(end) + 1, step)]


class Recent:
    """The last ``size`` values a tile showed, one per measurement time: the makings of a sparkline."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: list[tuple[float, float]] = []

    def add(self, moment: float, value: float) -> bool:
        """Keep ``value`` measured at ``moment``; False when nothing changed (same time, same value)."""
        if not math.isfinite(value):
            return False
        if self.values and self.values[-1][0] >= moment:
            if self.values[-1] == (moment, value) or self.values[-1][0] > moment:
                return False
            self.values[-1] = (moment, value)  # a corrected value for the same time
            return True
        self.values = [*self.values[-(self.size - 1) :], (moment, value)]
        return True


def latest_series(records: Iterable[Record], name: str, size: int) -> Points:
    """The last ``size`` points of one series, oldest first."""
    points = windowed(records, math.inf, [name]).get(name, [])
    return points[-size:]
