"""What a widget takes from its source's records: pure functions, no Qt.

A source feeds many widgets; each selects what it shows: a KPI one metric (filtered by dimensions and
aggregated across them), a ticker the latest posts as one-line headlines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Literal

from wallapp.core.records import Metric, Post, Record

Aggregate = Literal["latest", "mean", "sum", "min", "max"]


@dataclass(frozen=True)
class Reading:
    """A metric's value as the wall shows it, with the time it was measured."""

    value: float
    measured_at: datetime | None
    count: int


def matches(dimensions: Mapping[str, str], where: Mapping[str, str]) -> bool:
    return all(dimensions.get(key) == value for key, value in where.items())


def _measured(metric: Metric) -> float:
    return metric.measured_at.timestamp() if metric.measured_at is not None else float("-inf")


_COMBINE: dict[str, Callable[[list[float]], float]] = {
    "mean": fmean,
    "sum": math.fsum,
    "min": min,
    "max": max,
}


def read_metric(
    records: Iterable[Record], name: str, where: Mapping[str, str], aggregate: Aggregate = "latest"
) -> Reading | None:
    """One value from every metric called ``name`` whose dimensions match ``where``; None if there is none.

    ``latest`` takes the most recently measured one; the others combine them all (a global response rate
    as the mean over countries, a volume as the sum).
    """
    found = [
        (r, r.value)
        for r in records
        if isinstance(r, Metric) and r.name == name and r.value is not None and matches(r.dimensions, where)
    ]
    if not found:
        return None
    if aggregate == "latest":
        metric, value = max(found, key=lambda pair: _measured(pair[0]))
        return Reading(float(value or 0.0), metric.measured_at, 1)
    newest = max(found, key=lambda pair: _measured(pair[0]))[0].measured_at
    values = [float(value) for _, value in found if value is not None]
    return Reading(_COMBINE[aggregate](values), newest, len(values))


def headline(post: Post) -> str:
    """A post on one line: ``@handle: text`` with runs of white space folded."""
    text = " ".join(post.text.split())
    who = f"@{post.handle}" if post.handle else post.author_name
    return f"{who}: {text}" if who else text


def headlines(records: Iterable[Record], limit: int) -> list[str]:
    """The newest posts first, as headlines."""
    posts = [r for r in records if isinstance(r, Post) and r.text.strip()]
    return [headline(p) for p in posts[:limit]]
