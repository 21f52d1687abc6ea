"""Placing widgets on the wall by hand: guide lines to snap to, arrow-key steps, the placement written for
a rectangle, why a drop is refused, and what is marked while dragging. All in canvas pixels.

A rectangle dragged on the editor's canvas becomes a ``screen``/``span``/``part`` placement
(``placement_for``), with ``Wall.region``'s rule: an edge that would fall inside a mullion goes to the
screen's edge, so a layout edited by hand never puts an edge under a bezel.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, TypeGuard

from pydantic import TypeAdapter, ValidationError

from wallapp.core.config.layout import mullion_problems, widget_rect
from wallapp.core.config.widgets import Placement
from wallapp.core.view.geometry import Rect, Wall, clear_of

Handle = Literal["move", "n", "s", "e", "w", "ne", "nw", "se", "sw"]

MIN_SIZE = 48.0
"""The smallest width and height a widget is resized to, in canvas pixels."""

DECIMALS = 4
"""Decimals a ``part`` fraction is written with."""

MOST_PARTS = 12
"""The largest denominator ``parts_used`` reports: finer fractions are other widgets' edges, not a grid."""

_EPSILON = 1e-6
_OVERLAP = 0.01
"""Pixels two widgets may share before they overlap: fraction edges meet within rounding."""


@dataclass(frozen=True)
class Guides:
    """The lines a moving or resizing edge snaps to (sorted, each once)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]


@dataclass(frozen=True)
class Snapped:
    """A rectangle after snapping, and the guide lines it snapped to (to draw)."""

    rect: Rect
    xs: tuple[float, ...]
    ys: tuple[float, ...]


def _lines(values: Iterable[float]) -> tuple[float, ...]:
    lines: list[float] = []
    for value in sorted(values):
        if not lines or value - lines[-1] > _EPSILON:
            lines.append(value)
    return tuple(lines)


def guides(wall: Wall, others: Iterable[Rect], fractions: Iterable[int] = (2, 3, 4)) -> Guides:
    """Screen edges, each screen's halves, thirds, quarters (``fractions``: the denominators; add
    ``parts_used(layout)``), and the other widgets' edges."""
    denominators = sorted({d for d in fractions if d >= 2})
    xs: list[float] = []
    ys: list[float] = []
    for cell in wall.cells():
        rect = cell.rect
        for d in [1, *denominators]:
            xs += [rect.x + rect.width * k / d for k in range(d + 1)]
            ys += [rect.y + rect.height * k / d for k in range(d + 1)]
    for other in others:
        xs += [other.x, other.right]
        ys += [other.y, other.bottom]
    return Guides(_lines(xs), _lines(ys))


def parts_used(data: Any) -> tuple[int, ...]:
    """The denominators (up to ``MOST_PARTS``) of the screen fractions the layout's ``part`` edges fall on:
    ``(2, 5)`` for a layout cutting screens in halves and fifths."""
    found: set[int] = set()
    widgets = data.get("widgets") if isinstance(data, dict) else None
    for widget in widgets if isinstance(widgets, list) else []:
        place = widget.get("place") if isinstance(widget, dict) else None
        if not isinstance(place, dict) or not _numbers(part := place.get("part"), 4):
            continue
        span = place.get("span", [1, 1])
        span = span if _numbers(span, 2) else [1, 1]
        x, y, width, height = part
        for edge, screens in ((x, span[0]), (x + width, span[0]), (y, span[1]), (y + height, span[1])):
            units = edge * screens
            fraction = Fraction(units - math.floor(units)).limit_denominator(MOST_PARTS)
            if fraction.denominator > 1 and abs(float(fraction) - (units - math.floor(units))) < 1e-3:
                found.add(fraction.denominator)
    return tuple(sorted(found))


def _numbers(value: Any, count: int) -> TypeGuard[list[float]]:
    return (
        isinstance(value, list)
        and len(value) == count
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


def _nearest(
    edges: Iterable[float], lines: tuple[float, ...], tolerance: float
) -> tuple[float, float] | None:
    """``(shift, line)``: the smallest shift that puts one of ``edges`` on a line, within ``tolerance``."""
    best: tuple[float, float] | None = None
    for edge in edges:
        at = bisect.bisect_left(lines, edge)
        for line in lines[max(0, at - 1) : at + 1]:
            shift = line - edge
            if abs(shift) <= tolerance and (best is None or abs(shift) < abs(best[0])):
                best = (shift, line)
    return best


def _moves(handle: Handle) -> tuple[str | None, str | None]:
    """Which horizontal edge (``"left"``, ``"right"``, ``"both"``) and vertical one a handle moves."""
    if handle == "move":
        return "both", "both"
    x = "left" if "w" in handle else "right" if "e" in handle else None
    y = "top" if "n" in handle else "bottom" if "s" in handle else None
    return x, y


def _resized(low: float, high: float, edge: str, target: float) -> tuple[float, float]:
    """``(low, high)`` with its ``edge`` moved to ``target``, never closer than ``MIN_SIZE``."""
    if edge in ("left", "top"):
        return min(target, high - MIN_SIZE), high
    return low, max(target, low + MIN_SIZE)


def _snap_axis(
    low: float, high: float, edge: str | None, lines: tuple[float, ...], tolerance: float
) -> tuple[float, float, tuple[float, ...]]:
    if edge is None:
        return low, high, ()
    if edge == "both":
        centre = (low + high) / 2
        found = _nearest([low, high], lines, tolerance) or _nearest([centre], lines, tolerance)
        if found is None:
            return low, high, ()
        shift = found[0]
        low, high = low + shift, high + shift
        on = [line for line in lines if min(abs(line - low), abs(line - high)) < _EPSILON]
        return low, high, tuple(on or [found[1]])
    moving = low if edge in ("left", "top") else high
    low, high = _resized(low, high, edge, moving)
    moving = low if edge in ("left", "top") else high
    found = _nearest([moving], lines, tolerance)
    if found is None:
        return low, high, ()
    snapped_low, snapped_high = _resized(low, high, edge, found[1])
    if (snapped_low, snapped_high) != (low, high) and abs(snapped_high - snapped_low) + _EPSILON < MIN_SIZE:
        return low, high, ()
    if found[1] not in (snapped_low, snapped_high):
        return low, high, ()
    return snapped_low, snapped_high, (found[1],)


def snap(rect: Rect, handle: Handle, guides: Guides, tolerance: float) -> Snapped:
    """``rect`` snapped to the guides: moving, the nearest of its left or right edge (else its centre) within
    ``tolerance`` goes to its line, and so do top or bottom, the size kept; a resize handle snaps only the
    edges it moves, and never makes the rectangle smaller than ``MIN_SIZE``."""
    x_edge, y_edge = _moves(handle)
    left, right, xs = _snap_axis(rect.x, rect.right, x_edge, guides.xs, tolerance)
    top, bottom, ys = _snap_axis(rect.y, rect.bottom, y_edge, guides.ys, tolerance)
    return Snapped(Rect(left, top, right - left, bottom - top), xs, ys)


ON_LINE = 0.5
"""An edge this close to a guide line (canvas pixels) is on it: the next arrow press goes to the next line.
A written fraction lies a hair off its line (0.3333 of 1080 px is 359.964), and must not count as a step."""


def _step(
    low: float, high: float, edge: str | None, steps: int, lines: tuple[float, ...]
) -> tuple[float, float]:
    """``(low, high)`` after ``steps`` arrow presses: the moving edge(s) go to the next line each time."""
    if edge is None or steps == 0:
        return low, high
    for _ in range(abs(steps)):
        if edge == "both":
            shifts = [
                line - e
                for e in (low, high)
                for line in lines
                if (line - e > ON_LINE if steps > 0 else e - line > ON_LINE)
                and lines[0] - _EPSILON <= low + line - e
                and high + line - e <= lines[-1] + _EPSILON
            ]
            if not shifts:
                break
            shift = min(shifts) if steps > 0 else max(shifts)
            low, high = low + shift, high + shift
            continue
        lower_edge = edge in ("left", "top")
        moving, fixed = (low, high) if lower_edge else (high, low)
        candidates = [
            line
            for line in lines
            if (line - moving > ON_LINE if steps > 0 else moving - line > ON_LINE)
            and abs(fixed - line) >= MIN_SIZE - _EPSILON
            and (line < fixed if lower_edge else line > fixed)
        ]
        if not candidates:
            break
        target = min(candidates) if steps > 0 else max(candidates)
        low, high = (target, high) if edge in ("left", "top") else (low, target)
    return low, high


def nudged(rect: Rect, handle: Handle, dx: int, dy: int, guides: Guides) -> Rect:
    """Arrow keys: the edge(s) a handle moves go to the next guide line in that direction, once per step
    (``dx``, ``dy``: steps, negative to the left and up); moving, the rectangle goes until its nearest edge
    meets the next line, never past the outermost lines (the wall's edges). A resize never goes below
    ``MIN_SIZE``; with no line to go to, nothing moves."""
    x_edge, y_edge = _moves(handle)
    left, right = _step(rect.x, rect.right, x_edge, dx, guides.xs)
    top, bottom = _step(rect.y, rect.bottom, y_edge, dy, guides.ys)
    return Rect(left, top, right - left, bottom - top)


def _fraction(value: float) -> float | int:
    rounded = round(value, DECIMALS)
    return int(rounded) if rounded == int(rounded) else rounded


def _axis(low: float, high: float, count: int, size: int, gap: int) -> tuple[int, int, float, float]:
    """For one axis: the first screen and the number of screens ``[low, high]`` covers, and its start and
    end in screen units from that first screen. An edge in a mullion goes to the edge of the screen it
    faces (a start to the next screen's, an end to the previous one's)."""
    pitch = size + gap
    first = min(count - 1, max(0, math.floor(low / pitch)))
    offset = low - first * pitch
    if offset >= size - _EPSILON and first < count - 1:
        first, offset = first + 1, 0.0
    last = min(count - 1, max(0, math.floor(high / pitch)))
    into = high - last * pitch
    if into <= _EPSILON and last > first:
        last, into = last - 1, float(size)
    last = max(first, last)
    start = max(0.0, min(size, offset)) / size
    end = (last - first) + max(0.0, min(size, high - last * pitch)) / size
    if end <= start:  # a rectangle inside one mullion: keep a sliver of the screen it starts on
        start, end = min(start, 1 - 1 / size), min(start, 1 - 1 / size) + 1 / size
    return first, last - first + 1, start, end


def placement_for(rect: Rect, wall: Wall, was: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a placement for ``rect``: ``{"screen": [c, r], "span": [cols, rows], "part": [x, y, w,
    h]}`` on the smallest block of screens covering it, fractions in screen units (``Wall.region``'s rule,
    so an edge inside a mullion goes to the screen's edge) rounded to ``DECIMALS``, ``span`` left out when
    ``[1, 1]`` and ``part`` when the whole block. ``{"rect": [x, y, w, h]}`` (whole pixels) only when
    ``was`` is a rect placement."""
    canvas = wall.canvas
    clamped = rect.intersected(canvas) if rect.intersects(canvas) else Rect(0, 0, 1, 1)
    if "rect" in was:
        x, y = round(clamped.x), round(clamped.y)
        return {"rect": [x, y, max(1, round(clamped.right) - x), max(1, round(clamped.bottom) - y)]}
    (width, height), (gap_x, gap_y) = wall.screen_size, wall.mullion
    column, columns, left, right = _axis(clamped.x, clamped.right, wall.columns, width, gap_x)
    row, rows, top, bottom = _axis(clamped.y, clamped.bottom, wall.rows, height, gap_y)
    x0, x1 = _fraction(left / columns), _fraction(right / columns)
    y0, y1 = _fraction(top / rows), _fraction(bottom / rows)
    placement: dict[str, Any] = {"screen": [column, row]}
    if (columns, rows) != (1, 1):
        placement["span"] = [columns, rows]
    if (x0, y0, x1, y1) != (0, 0, 1, 1):
        placement["part"] = [x0, y0, _fraction(x1 - x0), _fraction(y1 - y0)]
    return placement


_PLACEMENT: TypeAdapter[Placement] = TypeAdapter(Placement)


def rect_for(place: Any, wall: Wall) -> Rect | None:
    """Where a placement's JSON lands on ``wall`` (``widget_rect``), or None when it is not a valid
    placement there (a layout being edited may hold anything)."""
    try:
        return widget_rect(_PLACEMENT.validate_python(place), wall)
    except (ValidationError, IndexError):
        return None


def refusal(rect: Rect, wall: Wall, others: Mapping[str, Rect]) -> str | None:
    """Why a drop, move or resize to ``rect`` is refused: ``"leaves the wall"``, ``"overlaps 'clock'"``;
    None when it is allowed. ``others``: the other widgets' rectangles by id."""
    canvas = wall.canvas
    grown = Rect(
        canvas.x - _OVERLAP, canvas.y - _OVERLAP, canvas.width + 2 * _OVERLAP, canvas.height + 2 * _OVERLAP
    )
    if not grown.contains(rect):
        return "leaves the wall"
    hit = [
        name
        for name, other in others.items()
        if (shared := rect.intersected(other)).width > _OVERLAP and shared.height > _OVERLAP
    ]
    if hit:
        return "overlaps " + ", ".join(repr(name) for name in hit)
    return None


TOO_SMALL = "too small to read"


def marks(rect: Rect, wall: Wall, floor_px: float) -> tuple[str, ...]:
    """Warnings shown while dragging ``rect`` (where the widget lands: ``widget_rect`` of its placement):
    an edge under a mullion (only a rect placement can have one), and ``TOO_SMALL`` when the room for
    text (the largest part no seam runs through) is lower or narrower than one line at the legibility
    floor ``floor_px``."""
    found = mullion_problems(rect, wall)
    room = clear_of(rect, wall.seams())
    if room.height < floor_px or room.width < floor_px:
        found.append(TOO_SMALL)
    return tuple(found)


__all__ = [
    "MIN_SIZE",
    "TOO_SMALL",
    "Guides",
    "Handle",
    "Snapped",
    "guides",
    "marks",
    "nudged",
    "parts_used",
    "placement_for",
    "rect_for",
    "refusal",
    "snap",
]
