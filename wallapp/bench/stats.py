"""Pure statistics for the bench: percentiles, frames from repaint timings, latencies, growth per hour.

Times are in seconds (``time.perf_counter``) unless a name says ``_ms``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wallapp.errors import WallError

FIREHOSE_RATE = 2000.0
"""Posts per second of the firehose scenario: always one of the ingest ramp's rates."""


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        raise ValueError("no samples")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """The distribution of a measurement: how many, the median, the tail, the worst."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    def as_dict(self) -> dict[str, float]:
        return {
            "count": self.count,
            "p50": round(self.p50, 3),
            "p95": round(self.p95, 3),
            "p99": round(self.p99, 3),
            "max": round(self.max, 3),
        }


def summarize(samples: Sequence[float]) -> Summary | None:
    """p50, p95, p99 and max of ``samples``; None when there are none."""
    if not samples:
        return None
    return Summary(
        len(samples),
        percentile(samples, 50),
        percentile(samples, 95),
        percentile(samples, 99),
        max(samples),
    )


@dataclass(frozen=True)
class Repaint:
    """One window bringing its pixels up to date: painting what changed into its backing store, flushing."""

    start: float
    end: float
    screen: int
    cpu: float = 0.0
    """The UI thread's CPU time when the repaint started."""


@dataclass(frozen=True)
class Frame:
    """The repaints of the windows that had something to show, done together in one pass of the loop."""

    start: float
    end: float
    cost: float
    """The time spent repainting, summed over the windows."""
    screens: frozenset[int]
    cpu: float = 0.0
    """The UI thread's CPU time when the frame started."""


def group_frames(repaints: Iterable[Repaint], gap: float = 0.004) -> list[Frame]:
    """Repaints into frames: a repaint starting within ``gap`` of the previous one's end is the same frame,
    unless its window already repainted in that frame (each window shows one picture per frame)."""
    frames: list[Frame] = []
    current: list[Repaint] = []

    def close() -> None:
        if current:
            frames.append(
                Frame(
                    current[0].start,
                    current[-1].end,
                    sum(r.end - r.start for r in current),
                    frozenset(r.screen for r in current),
                    current[0].cpu,
                )
            )

    for repaint in sorted(repaints, key=lambda r: r.start):
        if current and (
            repaint.start - current[-1].end > gap or any(r.screen == repaint.screen for r in current)
        ):
            close()
            current = []
        current.append(repaint)
    close()
    return frames


def work_per_frame(frames: Sequence[Frame]) -> list[float]:
    """The UI thread's CPU time from each frame's start to the next one's: everything the wall did to
    produce a frame (data, timers, painting), whatever else the machine was doing meanwhile."""
    return [b.cpu - a.cpu for a, b in itertools.pairwise(frames)]


def intervals(frames: Sequence[Frame]) -> list[float]:
    """Time from each frame's start to the next one's."""
    return [b.start - a.start for a, b in itertools.pairwise(frames)]


def latencies(arrivals: Iterable[tuple[float, float]], frames: Sequence[Frame]) -> list[float]:
    """For each ``(received, told)`` pair (data received; widgets told of it), the time from its receipt to
    the end of the first frame that started after the widgets were told: the frame that shows it."""
    starts = [frame.start for frame in frames]
    found: list[float] = []
    for received, told in arrivals:
        index = _first_at_or_after(starts, told)
        if index < len(frames):
            found.append(frames[index].end - received)
    return found


def _first_at_or_after(ordered: Sequence[float], moment: float) -> int:
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if ordered[middle] < moment:
            low = middle + 1
        else:
            high = middle
    return low


def growth_per_hour(samples: Sequence[tuple[float, float]]) -> float | None:
    """The least-squares slope of ``(seconds, value)`` samples, per hour; None with fewer than two times."""
    if len({t for t, _ in samples}) < 2:
        return None
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_v = sum(v for _, v in samples) / n
    covariance = sum((t - mean_t) * (v - mean_v) for t, v in samples)
    variance = sum((t - mean_t) ** 2 for t, _ in samples)
    return covariance / variance * 3600


def highest_passing(steps: Iterable[tuple[float, bool]]) -> float | None:
    """The highest rate of a ramp up to which every step passed (counting stops at the first failure)."""
    best = None
    for rate, passed in sorted(steps):
        if not passed:
            break
        best = rate
    return best


def ms(seconds: Sequence[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def parse_rates(text: str) -> list[float]:
    """``"250,500,2000"`` -> the ingest ramp's rates in posts/s (the firehose's rate always among them)."""
    try:
        rates = {float(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise WallError(f"--ramp: {text!r} is not a list of rates such as 250,500,2000") from None
    if any(rate <= 0 for rate in rates):
        raise WallError("--ramp: rates are posts per second, above 0")
    return sorted(rates | {FIREHOSE_RATE})
