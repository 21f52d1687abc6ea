"""A ticker's tape: items laid end to end on an endless strip that scrolls at a constant speed.

Where the strip is at time t is a pure function of time (``speed * (t - t0)``), so motion stays smooth
under load and several windows (or machines) showing one ticker stay in step. New items join at the end
of the strip: what is already on screen never jumps and no gap opens when the items change.

Where the first item is laid: by default where the strip is when it is first shown. With an ``origin``
(the strip's offset at the scene's start instant on a time base several PCs share), the strip is laid as
if the items had crawled end to end since that instant, whenever it is first shown: each PC showing the
scene puts each headline at the same place at the same instant, whenever it started.
"""

from __future__ import annotations

import math
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

    def __init__(self, measure: Callable[[str], float], gap: float, origin: float | None = None) -> None:
        """``origin``: the offset the items are laid from (None: the offset they are first shown at)."""
        self._measure = measure
        self._gap = gap
        self._origin = origin
        self._items: tuple[str, ...] = ()
        self._next = 0  # index in _items of the next item to lay
        self._segments: list[Segment] = []

    @property
    def items(self) -> tuple[str, ...]:
        return self._items

    def measure(self, text: str) -> float:
        """The width of ``text`` on the strip."""
        return self._measure(text)

    def set_items(self, items: Sequence[str], since: float | None = None) -> None:
        """Items to show from now on; they start after what is already laid out. ``since``: after what
        is laid out before that strip offset, and no later (the strip's right end at the instant the items
        changed): the old items are laid up to there first, and any laid beyond are laid again with the
        new ones, so two PCs that hear of the change at different instants lay the same strip."""
        items = tuple(item for item in items if item.strip())
        if items == self._items:
            return
        if since is not None and self._segments:
            self._lay(since)
            self._segments = [s for s in self._segments if s.start < since]
        self._items = items
        self._next = 0

    def visible(self, offset: float, width: float) -> list[Segment]:
        """Segments overlapping ``[offset, offset + width]``, laying new ones at the end as needed."""
        self._segments = [s for s in self._segments if s.end + self._gap > offset]
        if self._items:
            if not self._segments and (start := self._first(offset)) < offset + width:
                self._segments.append(self._segment(start))
            if self._segments:
                self._lay(offset + width)
        return [s for s in self._segments if s.start < offset + width]

    def _lay(self, end: float) -> None:
        """Lay items after the last segment until the strip is laid up to ``end``."""
        if not self._items:
            return
        cursor = self._segments[-1].end + self._gap
        while cursor < end:
            segment = self._segment(cursor)
            self._segments.append(segment)
            cursor = segment.end + self._gap

    def _segment(self, start: float) -> Segment:
        """The next item, laid at ``start``."""
        text = self._items[self._next % len(self._items)]
        self._next = (self._next + 1) % len(self._items)
        return Segment(text, start, self._measure(text))

    def _first(self, offset: float) -> float:
        """Where the next item starts on an empty strip at ``offset``: there, or with an origin, where the
        items laid end to end from the origin put the one that shows at ``offset`` (``_next`` set to it)."""
        if self._origin is None:
            return offset
        widths = [self._measure(text) + self._gap for text in self._items]
        cycle = sum(widths)
        if cycle <= 0:
            return offset
        cursor = self._origin + math.floor((offset - self._origin) / cycle) * cycle
        index = 0
        while cursor + widths[index] <= offset:
            cursor += widths[index]
            index += 1
        self._next = index
        return cursor


def offset_at(now: float, started: float, speed: float) -> float:
    """Strip offset in whole pixels at ``now`` (seconds): whole-pixel steps keep glyphs crisp."""
    return float(round(speed * (now - started)))
