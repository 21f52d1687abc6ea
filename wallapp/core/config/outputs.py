"""Which physical output shows which screen of the wall: by name from settings, or by position."""

from __future__ import annotations

from dataclasses import dataclass

from wallapp.core.view.geometry import Cell, Wall


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
class Plan:
    """One full-screen window per wall screen, or a preview window and the one-line reason why."""

    placements: tuple[Placement, ...]
    preview_reason: str = ""

    @property
    def preview(self) -> bool:
        return bool(self.preview_reason)


def row_major(outputs: list[Output]) -> list[Output]:
    """Top row first, each row left to right (outputs whose tops are within half a screen share a row)."""
    rows: list[list[Output]] = []
    for output in sorted(outputs, key=lambda o: (o.y, o.x)):
        if rows and abs(output.y - rows[-1][0].y) < output.height / 2:
            rows[-1].append(output)
        else:
            rows.append([output])
    return [output for row in rows for output in sorted(row, key=lambda o: o.x)]


def plan(wall: Wall, outputs: list[Output], *, preview: bool = False, fits_wall: bool = True) -> Plan:
    cells = list(wall.cells())
    need = len(cells)
    if preview:
        return Plan((), "preview window requested")
    if not fits_wall:
        return Plan((), "this layout is made for another grid of screens; showing it in a preview window")
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
    if len(outputs) < need:
        return Plan(
            (),
            f"the {wall.columns}x{wall.rows} wall needs {need} screens, {len(outputs)} found; "
            "showing a preview window",
        )
    ordered = row_major(outputs)[:need]
    return Plan(tuple(Placement(c, o) for c, o in zip(cells, ordered, strict=True)))
