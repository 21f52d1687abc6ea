"""A ticker's tape: items laid end to end on an endless strip that scrolls at a constant speed.

Where the strip is at time t is a pure function of time (``speed * (t - t0)``), so motion stays smooth
under load and several windows (or machines) showing one ticker stay in step. New items join at the end
of the strip: what is already on screen never jumps and no gap opens when the items change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """One item placed on the strip, from ``start`` (strip pixels) for ``width`` pixels."""

    text: str
    start: float
    width: float

    @property
    def end(self) -> float:
        return self.start + self.width


class Tape:
    """The strip: call ``visible`` with the current offset; it lays out what is needed, lazily."""

    def __init__(self, measure: Callable[[str], float], gap: float) -> None:
        self._measure = measure
        self._gap = gap
        self._items: tuple[str, ...] = ()
        self._next = 0  # index in _items of the next item to lay
        self._segments: list[Segment] = []

    @property
    def items(self) -> tuple[str, ...]:
        return self._items

    def measure(self, text: str) -> float:
        """The width of ``text`` on the strip."""
        return self._measure(text)

    def set_items(self, items: Sequence[str]) -> None:
        """Items to show from now on; they start after what is already laid out."""
        items = tuple(item for item in items if item.strip())
        if items != self._items:
            self._items = items
            self._next = 0

    def visible(self, offset: float, width: float) -> list[Segment]:
        """Segments overlapping ``[offset, offset + width]``, laying new ones at the end as needed."""
        self._segments = [s for s in self._segments if s.end + self._gap > offset]
        if not self._items:
            return [s for s in self._segments if s.start < offset + width]
        cursor = self._segments[-1].end + self._gap if self._segments else offset
        while cursor < offset + width:
            text = self._items[self._next % len(self._items)]
            self._next = (self._next + 1) % len(self._items)
            segment = Segment(text, cursor, self._measure(text))
            self._segments.append(segment)
            cursor = segment.end + self._gap
        return [s for s in self._segments if s.start < offset + width]


def offset_at(now: float, started: float, speed: float) -> float:
    """Strip offset in whole pixels at ``now`` (seconds): whole-pixel steps keep glyphs crisp."""
    return float(round(speed * (now - started)))
