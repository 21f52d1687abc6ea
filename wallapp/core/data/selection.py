"""What a widget takes from its source's records: pure functions, no Qt.

A source feeds many widgets; each selects what it shows: a KPI one metric (filtered by dimensions and
aggregated across them), a ticker the latest posts as one-line headlines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from wallapp.core.data.records import Metric, Person, Post, Record, Topic

Combination = Literal["mean", "sum", "min", "max"]
Aggregate = Literal["latest", "mean", "sum", "min", "max"]


@dataclass(frozen=True)
class Reading:
    """A metric's value as the wall shows it, with the time it was measured.

    ``value`` is None when no matching metric has a value; ``count`` is how many values it was read from
    and ``skipped`` how many matching metrics were left out for having none.
    """

    value: float | None
    measured_at: datetime | None
    count: int
    skipped: int = 0


def matches(dimensions: Mapping[str, str], where: Mapping[str, str]) -> bool:
    return all(dimensions.get(key) == value for key, value in where.items())


def _measured(metric: Metric) -> float:
    return metric.measured_at.timestamp() if metric.measured_at is not None else float("-inf")


def _present(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def scaled(value: float | None, factor: float) -> float | None:
    """``value`` times ``factor`` (a widget's ``scale``); missing when the product is no finite number."""
    if value is None:
        return None
    product = value * factor
    return product if math.isfinite(product) else None


def _sum(values: Sequence[float]) -> float:
    """The exact sum rounded once (so the same in any order); infinite beyond the largest float."""
    try:
        return math.fsum(values)
    except OverflowError:  # on the way; the sum itself may still be a float
        shrink = 2.0 ** -(len(values).bit_length() + 1)  # a power of two: scaling loses nothing
        return math.fsum(v * shrink for v in values) / shrink


def combine(values: Iterable[float | None], how: Combination) -> float | None:
    """The mean, sum, minimum or maximum of the values that are not missing; None when none is.

    The same whatever the order of the values: sums are exact before they are rounded, and a mean always
    lies between the smallest and largest value. A sum beyond the largest float is missing too: no tile
    could show it.
    """
    kept = [v for v in values if v is not None and math.isfinite(v)]
    if not kept:
        return None
    if how == "min":
        return min(kept) + 0.0  # + 0.0: -0.0 and 0.0 tie, and which came first must not show
    if how == "max":
        return max(kept) + 0.0
    if how == "sum":
        total = _sum(kept)
        return total if math.isfinite(total) else None
    shrink = 2.0 ** -(len(kept).bit_length() + 1)
    mean = _sum([v * shrink for v in kept]) / len(kept) / shrink
    return min(max(mean, min(kept)), max(kept))


def read_metric(
    records: Iterable[Record], name: str, where: Mapping[str, str], aggregate: Aggregate = "latest"
) -> Reading | None:
    """One value from every metric called ``name`` whose dimensions match ``where``; None if there is none.

    ``latest`` takes the most recently measured value; the others combine them all (a global response rate
    as the mean over countries, a volume as the sum). Either way, metrics without a value are skipped and
    counted, and the reading does not depend on the order of the records.
    """
    found = [r for r in records if isinstance(r, Metric) and r.name == name and matches(r.dimensions, where)]
    if not found:
        return None
    valued = [r for r in found if _present(r.value)]
    skipped = len(found) - len(valued)
    if not valued:
        return Reading(None, max(found, key=lambda r: (_measured(r), r.id)).measured_at, 0, skipped)
    if aggregate == "latest":
        newest = max(valued, key=lambda r: (_measured(r), r.id, r.value))
        return Reading(newest.value, newest.measured_at, len(valued), skipped)
    measured = max(valued, key=_measured).measured_at
    return Reading(combine([r.value for r in valued], aggregate), measured, len(valued), skipped)


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
    """One compared value: the dimension's value (a brand, a country) and the metric's reading (None:
    no value), with how many of its metrics had no value."""

    key: str
    value: float | None
    skipped: int = 0

    def scaled(self, factor: float) -> Bar:
        return Bar(self.key, scaled(self.value, factor), self.skipped)


def compare(
    records: Iterable[Record],
    name: str,
    where: Mapping[str, str],
    by: str,
    aggregate: Aggregate = "latest",
) -> list[Bar]:
    """The metric ``name`` for each value of the dimension ``by`` among metrics matching ``where``.

    Metrics without that dimension are left out; several per key combine by ``aggregate`` (a brand's
    response rate as the mean over countries). A key whose metrics have no value is kept, with a value of
    None: a brand with no data is shown as such, not dropped. Unsorted: in order of first sight.
    """
    # One pass over the records, grouped by key: reading each key from all the records took a country
    # board of 40 countries 40 passes over its store at every update.
    groups: dict[str, list[Metric]] = {}
    for r in records:
        if isinstance(r, Metric) and r.name == name and by in r.dimensions and matches(r.dimensions, where):
            groups.setdefault(r.dimensions[by], []).append(r)
    bars = []
    for key, group in groups.items():
        reading = read_metric(group, name, {}, aggregate)
        if reading is not None:
            bars.append(Bar(key, reading.value, reading.skipped))
    return bars


Order = Literal["descending", "ascending", "none"]


def ordered(bars: list[Bar], order: Order, limit: int) -> list[Bar]:
    """Sorted by value (ties by key), keys without a value last, and the first ``limit`` of them."""
    if order != "none":
        valued = [(bar.value, bar.key, bar) for bar in bars if bar.value is not None]
        valued.sort(key=lambda entry: entry[:2], reverse=order == "descending")
        bars = [bar for *_, bar in valued] + [bar for bar in bars if bar.value is None]
    return bars[:limit]
