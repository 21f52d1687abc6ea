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

from wallapp.core.data.records import Metric, Person, Post, Record, Topic

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
    text = " ".join(post.shown_text.split())
    who = f"@{post.handle}" if post.handle else post.author_name
    return f"{who}: {text}" if who else text


def headlines(records: Iterable[Record], limit: int) -> list[str]:
    """The newest posts first, as headlines."""
    posts = [r for r in records if isinstance(r, Post) and r.shown_text.strip()]
    return [headline(p) for p in posts[:limit]]


# Rankings


RankMove = Literal["up", "down", "same", "new"]


def ranking(records: Iterable[Record], limit: int) -> list[Person]:
    """People best first: by ``rank`` (ties and unranked people after, by reach then followers)."""
    people = [r for r in records if isinstance(r, Person)]
    people.sort(
        key=lambda p: (
            p.rank if p.rank is not None else math.inf,
            -(p.reach or 0),
            -(p.followers or 0),
            p.id,
        )
    )
    return people[:limit]


def rank_move(person: Person, shown_rank: int) -> tuple[RankMove, int]:
    """How a person moved since the previous ranking, and by how many places."""
    if person.previous_rank is None:
        return "new", 0
    places = person.previous_rank - shown_rank
    return ("up" if places > 0 else "down" if places < 0 else "same"), abs(places)


def initials(name: str, handle: str = "") -> str:
    """Up to two capital letters for an avatar placeholder: first and last word of the name."""
    words = [w for w in name.replace("_", " ").split() if w[:1].isalnum()]
    if not words:
        words = [handle.lstrip("@")] if handle.strip("@ ") else []
    if not words:
        return "?"
    first, last = words[0], words[-1]
    return (first[:1] + (last[:1] if len(words) > 1 else "")).upper()


# Trending topics


def trending(records: Iterable[Record], limit: int) -> list[Topic]:
    """Topics busiest first (by volume; unknown volumes last), one per tag."""
    topics = [r for r in records if isinstance(r, Topic)]
    topics.sort(key=lambda t: (-(t.volume if t.volume is not None else -1), t.tag.casefold()))
    return topics[:limit]


def trend_text(trend: float | None) -> str:
    """A relative change as the wall shows it: +25 %, -8 %; empty when unknown."""
    if trend is None or math.isnan(trend) or math.isinf(trend):
        return ""
    points = round(trend * 100)
    return f"{points:+d}\u2009%" if points else "±0\u2009%"


def weights(volumes: list[float | None]) -> list[float]:
    """Weights in [0, 1] for a cloud, by square root: one huge topic does not crush the rest."""
    roots = [math.sqrt(max(0.0, v)) if v is not None else 0.0 for v in volumes]
    low, high = min(roots, default=0.0), max(roots, default=0.0)
    if high == low:
        return [1.0 for _ in roots]
    return [(r - low) / (high - low) for r in roots]


# Comparisons


@dataclass(frozen=True)
class Bar:
    """One compared value: the dimension's value (a brand, a country) and the metric's reading."""

    key: str
    value: float


def compare(
    records: Iterable[Record],
    name: str,
    where: Mapping[str, str],
    by: str,
    aggregate: Aggregate = "latest",
) -> list[Bar]:
    """The metric ``name`` for each value of the dimension ``by`` among metrics matching ``where``.

    Metrics without that dimension or without a value are left out; several per key combine by
    ``aggregate`` (a brand's response rate as the mean over countries). Unsorted: in order of first sight.
    """
    keys = dict.fromkeys(
        r.dimensions[by]
        for r in records
        if isinstance(r, Metric)
        and r.name == name
        and r.value is not None
        and by in r.dimensions
        and matches(r.dimensions, where)
    )
    bars = []
    for key in keys:
        reading = read_metric(records, name, {**where, by: key}, aggregate)
        if reading is not None and math.isfinite(reading.value):
            bars.append(Bar(key, reading.value))
    return bars


Order = Literal["descending", "ascending", "none"]


def ordered(bars: list[Bar], order: Order, limit: int) -> list[Bar]:
    if order != "none":
        bars = sorted(bars, key=lambda bar: (bar.value, bar.key), reverse=order == "descending")
    return bars[:limit]
