"""Time series for charts: points grouped by series in a rolling window, and readable axis ticks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from wallapp.core.data.records import Record, SeriesPoint

Points = list[tuple[float, float]]

GAP = math.nan
"""The value of a point that has none: a gap in its line. One shared object, so that two windows of the
same points compare equal (a chart lays itself out again only when its points change)."""


def windowed(records: Iterable[Record], window: float, names: Sequence[str] = ()) -> dict[str, Points]:
    """Each series' (epoch seconds, value) points, oldest first, within ``window`` s of the newest point.

    The window ends at the newest point rather than at the clock, so a chart of old data (a stale
    source) still shows its last hour. A point without a value is kept as ``GAP``, so a line breaks there
    rather than joining its neighbours as if nothing was missing; a series with no value at all is left
    out. ``names`` picks and orders series; all of them, by name, when empty.
    """
    points = [r for r in records if isinstance(r, SeriesPoint) and (not names or r.series in names)]
    if not points:
        return {}
    end = max(p.at.timestamp() for p in points)
    series: dict[str, Points] = {}
    valued: set[str] = set()
    for point in points:
        moment = point.at.timestamp()
        if moment >= end - window:
            value = point.value
            if value is not None and math.isfinite(value):
                valued.add(point.series)
            else:
                value = GAP
            series.setdefault(point.series, []).append((moment, value))
    order = [n for n in names if n in valued] if names else sorted(valued)
    return {name: sorted(series[name], key=lambda p: p[0]) for name in order}


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values (1, 2, 2.5 or 5 times a power of ten) covering ``low..high``.

    Near the limits of floats (ranges beyond 1e307, or narrower than the values' own precision) there are
    no round steps: the ends of the range are the ticks.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or count < 1:
        return []
    if high <= low:
        high = low + (abs(low) or 1.0)
    ends = [low, high] if math.isfinite(high) else [low, low]
    raw = (high - low) / count
    if not (math.isfinite(raw) and raw > 0):
        return ends
    power = 10.0 ** math.floor(math.log10(raw))
    step = next((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw), math.inf)
    if not (math.isfinite(step) and step > 0 and math.isfinite(low / step)):
        return ends
    first = math.floor(low / step) * step
    ticks: list[float] = []
    for index in range(count * 3 + 3):  # bounded: a step lost in a huge value's rounding never ends
        value = first + index * step
        if value >= high + step * 0.999:
            break
        value = round(value, 10) if step >= 1e-8 else value
        if not ticks or value > ticks[-1]:
            ticks.append(value)
    if len(ticks) < 2 or ticks[-1] < high or not math.isfinite(ticks[-1]):
        return ends
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
    """The last ``size`` points of one series with a value, oldest first."""
    points = windowed(records, math.inf, [name]).get(name, [])
    return [point for point in points if point[1] is not GAP][-size:]
