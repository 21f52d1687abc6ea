"""Which physical output shows which screen of the wall.

Three topologies: one output per screen (by name from settings, or by position); or spanned outputs, each
showing a rectangle of the grid as one screen (NVIDIA Mosaic, AMD Eyefinity, a wall controller): configured in
``spans``, or detected when a single output has the wall's size. A spanned output either already hides the
mullions (its picture is the canvas with mullions) or not (each screen is a plain tile of it, and the canvas's
mullion pixels are skipped, so lines still continue straight across the real seams).
"""

from __future__ import annotations

from dataclasses import dataclass

from wallapp.core.config.nodes import NodeSpec
from wallapp.core.view.geometry import Cell, Rect, SpanSpec, Wall


@dataclass(frozen=True)
class Output:
    """A physical display as the windowing system reports it (position and size in desktop pixels)."""

    name: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Placement:
    cell: Cell
    output: Output


@dataclass(frozen=True)
class Tile:
    """One screen of the wall drawn into ``rect`` of a spanned output (whole pixels from its top left)."""

    cell: Cell
    rect: Rect


@dataclass(frozen=True)
class Surface:
    """A spanned output and the screens of the wall it shows, each in its own tile."""

    output: Output
    tiles: tuple[Tile, ...]
    bezel_corrected: bool

    def describe(self) -> str:
        cells = self.tiles[0].cell, self.tiles[-1].cell
        grid = f"{cells[1].column - cells[0].column + 1}x{cells[1].row - cells[0].row + 1}"
        how = "the driver hides the mullions" if self.bezel_corrected else "each screen a plain tile"
        return f"{self.output.name} ({self.output.width}x{self.output.height}) shows {grid} screens, {how}"


@dataclass(frozen=True)
class Plan:
    """A full-screen window per wall screen or per spanned output, or a preview window and the reason why."""

    placements: tuple[Placement, ...]
    preview_reason: str = ""
    surfaces: tuple[Surface, ...] = ()

    @property
    def preview(self) -> bool:
        return bool(self.preview_reason)


def free_outputs(plan: Plan, outputs: list[Output]) -> list[Output]:
    """The outputs the wall does not use, in reading order: where a presenter's window may go (the host's
    laptop screen). None while the wall is a preview window: it may sit on any of them."""
    if plan.preview:
        return []
    used = {p.output for p in plan.placements} | {s.output for s in plan.surfaces}
    return [output for output in row_major(outputs) if output not in used]


def row_major(outputs: list[Output]) -> list[Output]:
    """Top row first, each row left to right (outputs whose tops are within half a screen share a row)."""
    rows: list[list[Output]] = []
    for output in sorted(outputs, key=lambda o: (o.y, o.x)):
        if rows and abs(output.y - rows[-1][0].y) < output.height / 2:
            rows[-1].append(output)
        else:
            rows.append([output])
    return [output for row in rows for output in sorted(row, key=lambda o: o.x)]


def plan(
    wall: Wall,
    outputs: list[Output],
    *,
    preview: bool = False,
    fits_wall: bool = True,
    node: NodeSpec | None = None,
) -> Plan:
    """Which output shows which screen; with ``node``, only that node's screens, on its outputs (by name,
    or by position), each showing its rectangle of the whole wall's canvas so the nodes' parts stitch."""
    cells = list(wall.cells()) if node is None else node.cells(wall.cells())
    need = len(cells)
    if preview:
        return Plan((), "preview window requested")
    if not fits_wall:
        return Plan((), "this layout is made for another grid of screens; showing it in a preview window")
    if node is not None:
        return _node_part(node, cells, outputs)
    names = wall.spec.outputs
    if names is not None:
        by_name = {o.name: o for o in outputs}
        missing = [name for name in names if name not in by_name]
        if missing:
            found = ", ".join(o.name for o in outputs) or "none"
            return Plan(
                (), f"outputs {', '.join(missing)} not found (found: {found}); showing a preview window"
            )
        return Plan(tuple(Placement(c, by_name[n]) for c, n in zip(cells, names, strict=True)))
    if wall.spec.spans is not None:
        return _spanned(wall, wall.spec.spans, outputs)
    if len(outputs) < need:
        if whole := _whole_wall(wall, outputs):
            return Plan((), surfaces=(whole,))
        sizes = (
            f" ({outputs[0].width}x{outputs[0].height}, not {_wall_sizes(wall)})" if len(outputs) == 1 else ""
        )
        return Plan(
            (),
            f"the {wall.columns}x{wall.rows} wall needs {need} screens, {len(outputs)} found{sizes}; "
            "showing a preview window",
        )
    ordered = row_major(outputs)[:need]
    return Plan(tuple(Placement(c, o) for c, o in zip(cells, ordered, strict=True)))


def _node_part(node: NodeSpec, cells: list[Cell], outputs: list[Output]) -> Plan:
    """A node's screens on its outputs: named, or the first in reading order, its screens in reading order."""
    if node.outputs is not None:
        by_name = {o.name: o for o in outputs}
        missing = [name for name in node.outputs if name not in by_name]
        if missing:
            found = ", ".join(o.name for o in outputs) or "none"
            return Plan(
                (),
                f"node {node.name}: outputs {', '.join(missing)} not found (found: {found}); "
                "showing a preview window",
            )
        return Plan(tuple(Placement(c, by_name[n]) for c, n in zip(cells, node.outputs, strict=True)))
    if len(outputs) < len(cells):
        return Plan(
            (),
            f"node {node.name} drives {len(cells)} screens, {len(outputs)} found; showing a preview window",
        )
    ordered = sorted(cells, key=lambda cell: (cell.row, cell.column))
    return Plan(tuple(Placement(c, o) for c, o in zip(ordered, row_major(outputs), strict=False)))


def surface(
    wall: Wall, output: Output, cells: tuple[int, int, int, int], bezel_corrected: bool | None = None
) -> Surface:
    """``output`` showing the ``column, row, columns, rows`` rectangle of the grid, scaled to fill it.

    ``bezel_corrected`` None: corrected if the output has the proportions of the canvas with mullions and
    not those of the screens side by side.
    """
    column, row, columns, rows = cells
    block = wall.block_rect(column, row, (columns, rows))
    (w, h), size = wall.screen_size, (output.width, output.height)
    plain = (columns * w, rows * h)
    if bezel_corrected is None:
        bezel_corrected = _proportional(size, (block.width, block.height)) and not _proportional(size, plain)
    space = (block.width, block.height) if bezel_corrected else plain
    sx, sy = output.width / space[0], output.height / space[1]
    tiles = []
    for cell in wall.cells():
        if not (column <= cell.column < column + columns and row <= cell.row < row + rows):
            continue
        if bezel_corrected:
            x, y = cell.rect.x - block.x, cell.rect.y - block.y
        else:
            x, y = (cell.column - column) * w, (cell.row - row) * h
        left, top, right, bottom = round(x * sx), round(y * sy), round((x + w) * sx), round((y + h) * sy)
        tiles.append(Tile(cell, Rect(left, top, right - left, bottom - top)))
    return Surface(output, tuple(tiles), bezel_corrected)


def _proportional(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] * b[1] == a[1] * b[0]


def _wall_sizes(wall: Wall) -> str:
    canvas, (w, h) = wall.canvas, wall.screen_size
    return (
        f"the wall's {int(canvas.width)}x{int(canvas.height)} with mullions or "
        f"{wall.columns * w}x{wall.rows * h} without, nor a uniform scale of either"
    )


def _whole_wall(wall: Wall, outputs: list[Output]) -> Surface | None:
    """The first output (in reading order) with the size of the whole wall, or a uniform scale of it."""
    if wall.columns * wall.rows == 1:
        return None
    canvas, (w, h) = wall.canvas, wall.screen_size
    everything = (0, 0, wall.columns, wall.rows)
    for exact in (True, False):
        for output in row_major(outputs):
            size = (output.width, output.height)
            for corrected, wanted in (
                (True, (canvas.width, canvas.height)),
                (False, (wall.columns * w, wall.rows * h)),
            ):
                if size == wanted if exact else _proportional(size, wanted):
                    return surface(wall, output, everything, corrected)
    return None


def _spanned(wall: Wall, spans: list[SpanSpec], outputs: list[Output]) -> Plan:
    """The configured spans on their outputs: by name, the others by position."""
    by_name = {o.name: o for o in outputs}
    named = {span.output for span in spans if span.output is not None}
    missing = [name for name in named if name not in by_name]
    if missing:
        found = ", ".join(o.name for o in outputs) or "none"
        return Plan(
            (),
            f"spanned outputs {', '.join(sorted(missing))} not found (found: {found}); "
            "showing a preview window",
        )
    free = iter([o for o in row_major(outputs) if o.name not in named])
    chosen = [by_name[span.output] if span.output is not None else next(free, None) for span in spans]
    if None in chosen:
        return Plan(
            (),
            f"the wall's {len(spans)} spans need {len(spans)} outputs, {len(outputs)} found; "
            "showing a preview window",
        )
    return Plan(
        (),
        surfaces=tuple(
            surface(wall, output, wall.spec.span_cells(span), span.bezel_corrected)
            for span, output in zip(spans, chosen, strict=True)
            if output is not None
        ),
    )
