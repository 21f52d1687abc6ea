"""Wall geometry: a grid of screens as one canvas, in pixels, mullions included.

The canvas is the physical wall measured in pixels of its screens. Between two neighbouring screens lies a
mullion (the two bezels side by side); it gets pixels too, computed from the screens' pixel pitch, so that a
line drawn across a seam continues straight: the part that falls on the bezel is simply not shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in canvas pixels."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def is_empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def intersected(self, other: Rect) -> Rect:
        x, y = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        return Rect(x, y, max(0.0, right - x), max(0.0, bottom - y))

    def intersects(self, other: Rect) -> bool:
        return not self.intersected(other).is_empty

    def contains(self, other: Rect) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def translated(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.width, self.height)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.width, self.height)


def _splits(
    rect: Rect, seams: list[Rect], margin: float
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The spans of x and of y between the seams that run through ``rect``, ``margin`` away from them."""
    xs = [(rect.x, rect.right)]
    ys = [(rect.y, rect.bottom)]
    for seam in seams:
        if not rect.intersects(seam):
            continue
        if seam.height >= seam.width:  # a vertical mullion splits the columns
            xs = [
                p
                for lo, hi in xs
                for p in ((lo, min(hi, seam.x - margin)), (max(lo, seam.right + margin), hi))
            ]
        else:
            ys = [
                p
                for lo, hi in ys
                for p in ((lo, min(hi, seam.y - margin)), (max(lo, seam.bottom + margin), hi))
            ]
    return [p for p in xs if p[1] > p[0]], [p for p in ys if p[1] > p[0]]


def clear_of(rect: Rect, seams: list[Rect], margin: float = 0.0) -> Rect:
    """The largest part of ``rect`` that no seam runs through, kept ``margin`` away from the seams it meets.

    Text and figures are laid out there, so nothing a visitor must read sits under a bezel.
    """
    xs, ys = _splits(rect, seams, margin)
    if not xs or not ys:
        return Rect(rect.x, rect.y, 0.0, 0.0)
    left, right = max(xs, key=lambda p: p[1] - p[0])
    top, bottom = max(ys, key=lambda p: p[1] - p[0])
    return Rect(left, top, right - left, bottom - top)


def pieces(rect: Rect, seams: list[Rect], margin: float = 0.0) -> list[Rect]:
    """Every part of ``rect`` between the seams (row by row), for content laid out on each screen it spans."""
    xs, ys = _splits(rect, seams, margin)
    return [Rect(left, top, right - left, bottom - top) for top, bottom in ys for left, right in xs]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` shared in proportion to ``weights`` by largest remainders, one at least each: columns of
    cards on the screens a widget spans add up to the columns asked for (or to one per screen)."""
    if not weights:
        return []
    whole = sum(weights) or 1.0
    exact = [total * weight / whole for weight in weights]
    shares = [max(1, math.floor(share)) for share in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for index in by_remainder[: max(0, total - sum(shares))]:
        shares[index] += 1
    return shares


class Bezels(BaseModel):
    """Bezel widths of one screen in millimetres (the frame around the active area)."""

    model_config = ConfigDict(extra="forbid")

    left: float = Field(1.75, ge=0)
    right: float = Field(1.75, ge=0)
    top: float = Field(1.75, ge=0)
    bottom: float = Field(1.75, ge=0)


class ScreenSpec(BaseModel):
    """One physical screen of the wall: its resolution, active area and bezels.

    The mullion between two screens is computed from the bezels and the pixel pitch
    (active size / resolution), or given directly with ``gap_px``.
    """

    model_config = ConfigDict(extra="forbid")

    width_px: int = Field(1920, gt=0, description="Horizontal resolution in pixels.")
    height_px: int = Field(1080, gt=0, description="Vertical resolution in pixels.")
    active_width_mm: float = Field(1209.6, gt=0, description="Width of the lit area in millimetres.")
    active_height_mm: float = Field(680.4, gt=0, description="Height of the lit area in millimetres.")
    bezels_mm: Bezels = Field(default_factory=Bezels)
    gap_px: tuple[int, int] | None = Field(
        None, description="Mullion width between columns and between rows in pixels; overrides bezels_mm."
    )

    @property
    def pitch_mm(self) -> tuple[float, float]:
        """Pixel pitch (mm per pixel) horizontally and vertically."""
        return self.active_width_mm / self.width_px, self.active_height_mm / self.height_px

    @property
    def mullion_px(self) -> tuple[int, int]:
        """Mullion between two columns and between two rows, in whole pixels."""
        if self.gap_px is not None:
            return self.gap_px
        pitch_x, pitch_y = self.pitch_mm
        bezels = self.bezels_mm
        return (
            round((bezels.left + bezels.right) / pitch_x),
            round((bezels.top + bezels.bottom) / pitch_y),
        )


class SpanSpec(BaseModel):
    """One output that shows a rectangle of the grid as a single screen (NVIDIA Mosaic, AMD Eyefinity, a wall
    controller splitting one input over the panels)."""

    model_config = ConfigDict(extra="forbid")

    output: str | None = Field(
        None, description="The output's name; when absent, the spans take the outputs by position."
    )
    column: int = Field(0, ge=0, description="The first column of the grid it shows.")
    row: int = Field(0, ge=0, description="The first row of the grid it shows.")
    columns: int | None = Field(None, ge=1, description="Columns it shows; when absent, to the right edge.")
    rows: int | None = Field(None, ge=1, description="Rows it shows; when absent, to the bottom edge.")
    bezel_corrected: bool | None = Field(
        None,
        description="true: the driver already hides the mullions (the output is the canvas with mullions); "
        "false: each screen is a plain tile of the output. When absent, decided by the output's proportions.",
    )


class WallSpec(BaseModel):
    """The installed wall: a grid of identical screens. Installation config, never part of a layout."""

    model_config = ConfigDict(extra="forbid")

    columns: int = Field(3, ge=1, le=16)
    rows: int = Field(2, ge=1, le=16)
    screen: ScreenSpec = Field(default_factory=ScreenSpec)
    outputs: list[str] | None = Field(
        None,
        description="Physical output names, row by row from the top left (e.g. DP-1 ...). "
        "When absent, outputs are assigned by position.",
    )
    spans: list[SpanSpec] | None = Field(
        None,
        description="Outputs that each show several screens as one (spanned displays); together they cover "
        "the grid. When absent, one output showing the whole wall is detected by its size.",
    )

    @model_validator(mode="after")
    def _outputs_fill_the_grid(self) -> Self:
        if self.outputs is not None:
            if len(self.outputs) != self.columns * self.rows:
                raise ValueError(
                    f"outputs names {len(self.outputs)} screens but the wall has "
                    f"{self.columns}x{self.rows} = {self.columns * self.rows}"
                )
            if len(set(self.outputs)) != len(self.outputs):
                raise ValueError("outputs names a screen twice")
        if self.spans is not None:
            if self.outputs is not None:
                raise ValueError("give outputs (one per screen) or spans (spanned outputs), not both")
            self._spans_tile_the_grid(self.spans)
        return self

    def span_cells(self, span: SpanSpec) -> tuple[int, int, int, int]:
        """``column, row, columns, rows`` of the grid that ``span`` shows."""
        columns = span.columns if span.columns is not None else self.columns - span.column
        rows = span.rows if span.rows is not None else self.rows - span.row
        return span.column, span.row, columns, rows

    def _spans_tile_the_grid(self, spans: list[SpanSpec]) -> None:
        shown: dict[tuple[int, int], int] = {}
        for index, span in enumerate(spans):
            column, row, columns, rows = self.span_cells(span)
            if columns < 1 or rows < 1 or column + columns > self.columns or row + rows > self.rows:
                raise ValueError(f"spans[{index}] reaches outside the {self.columns}x{self.rows} wall")
            for c in range(column, column + columns):
                for r in range(row, row + rows):
                    if (c, r) in shown:
                        raise ValueError(
                            f"spans[{index}] and spans[{shown[c, r]}] both show screen [{c}, {r}]"
                        )
                    shown[c, r] = index
        if len(shown) != self.columns * self.rows:
            missing = next(
                (c, r) for r in range(self.rows) for c in range(self.columns) if (c, r) not in shown
            )
            raise ValueError(f"no span shows screen [{missing[0]}, {missing[1]}]")

    def with_grid(self, columns: int, rows: int) -> WallSpec:
        """The same screens arranged in another grid (a layout made for another wall)."""
        return self.model_copy(update={"columns": columns, "rows": rows, "outputs": None, "spans": None})


@dataclass(frozen=True)
class Cell:
    """One screen's place on the wall."""

    column: int
    row: int
    rect: Rect

    @property
    def name(self) -> str:
        return f"{self.column},{self.row}"


@dataclass(frozen=True)
class Wall:
    """The geometry computed from a ``WallSpec``: canvas, screen rectangles, seams."""

    spec: WallSpec

    @property
    def columns(self) -> int:
        return self.spec.columns

    @property
    def rows(self) -> int:
        return self.spec.rows

    @property
    def mullion(self) -> tuple[int, int]:
        return self.spec.screen.mullion_px

    @property
    def screen_size(self) -> tuple[int, int]:
        return self.spec.screen.width_px, self.spec.screen.height_px

    @property
    def canvas(self) -> Rect:
        (w, h), (gx, gy) = self.screen_size, self.mullion
        return Rect(0, 0, self.columns * w + (self.columns - 1) * gx, self.rows * h + (self.rows - 1) * gy)

    def screen_rect(self, column: int, row: int) -> Rect:
        if not (0 <= column < self.columns and 0 <= row < self.rows):
            raise IndexError(f"screen [{column}, {row}] is outside the {self.columns}x{self.rows} wall")
        (w, h), (gx, gy) = self.screen_size, self.mullion
        return Rect(column * (w + gx), row * (h + gy), w, h)

    def cells(self) -> Iterator[Cell]:
        """Every screen, row by row from the top left."""
        for row in range(self.rows):
            for column in range(self.columns):
                yield Cell(column, row, self.screen_rect(column, row))

    def block_rect(self, column: int, row: int, span: tuple[int, int] = (1, 1)) -> Rect:
        """The rectangle covering ``span`` screens from ``[column, row]``, mullions inside included."""
        first = self.screen_rect(column, row)
        last = self.screen_rect(column + span[0] - 1, row + span[1] - 1)
        return Rect(first.x, first.y, last.right - first.x, last.bottom - first.y)

    def region(
        self,
        column: int,
        row: int,
        span: tuple[int, int] = (1, 1),
        part: tuple[float, float, float, float] | None = None,
    ) -> Rect:
        """The rectangle of a cell placement: ``span`` screens from ``[column, row]``, optionally a ``part``.

        ``part`` is ``[x, y, width, height]`` in fractions of the covered screens, counted in screen units
        (mullions excluded): on a 2-screen span, x = 0.5 starts exactly at the second screen's left edge, so
        a fractional edge never lands in a mullion.
        """
        block = self.block_rect(column, row, span)
        if part is None:
            return block
        (w, h), (gx, gy) = self.screen_size, self.mullion
        x, y, pw, ph = part

        def to_px(units: float, size: int, gap: int, is_end: bool) -> float:
            whole = int(units)
            if is_end and whole == units and whole > 0:
                return (whole - 1) * (size + gap) + size
            return whole * (size + gap) + (units - whole) * size

        left = to_px(x * span[0], w, gx, is_end=False)
        right = to_px((x + pw) * span[0], w, gx, is_end=True)
        top = to_px(y * span[1], h, gy, is_end=False)
        bottom = to_px((y + ph) * span[1], h, gy, is_end=True)
        return Rect(block.x + left, block.y + top, right - left, bottom - top)

    def seams(self) -> list[Rect]:
        """The mullions: vertical strips between columns, then horizontal strips between rows."""
        canvas, (w, h), (gx, gy) = self.canvas, self.screen_size, self.mullion
        vertical = [Rect(c * (w + gx) - gx, 0, gx, canvas.height) for c in range(1, self.columns) if gx]
        horizontal = [Rect(0, r * (h + gy) - gy, canvas.width, gy) for r in range(1, self.rows) if gy]
        return vertical + horizontal
