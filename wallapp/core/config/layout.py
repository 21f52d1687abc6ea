"""Layouts: a theme, data sources and widgets placed on the wall, read from JSON.

Loading happens in two passes that both report every problem with its JSON path: the structure (pydantic),
then what needs the whole document or the wall running it (unique ids, source references, placements on
the wall, the theme's existence). A layout in an older format is first migrated (``migrations``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from wallapp.core.config.catalog import Catalog
from wallapp.core.config.jsondoc import document_schema, read_json, validate_document
from wallapp.core.config.migrations import CURRENT, migrate_layout
from wallapp.core.config.sources import SourceSpec
from wallapp.core.config.widgets import CellPlacement, Placement, Widget
from wallapp.core.data.diagnosis import KIND_NAMES
from wallapp.core.strict import Strict
from wallapp.core.view.geometry import Rect, Wall, WallSpec
from wallapp.errors import DocumentError, LayoutError, Problem

SCHEMA_FILE = "layout.schema.json"


class Layout(Strict):
    """A wall layout: what goes where, in which theme, fed by which sources."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str | None = Field(None, alias="$schema", description="The layout JSON Schema, for editors.")
    version: int = Field(
        CURRENT,
        ge=1,
        le=CURRENT,
        description="The layout format it is written in (absent: the current one); older ones are migrated.",
    )
    name: str = Field(min_length=1, description="Shown to operators when they switch layouts.")
    description: str = ""
    theme: str = Field("dark", description="Theme name (themes/NAME.json) or path to a theme file.")
    grid: tuple[Annotated[int, Field(ge=1, le=16)], Annotated[int, Field(ge=1, le=16)]] = Field(
        (3, 2), description="[columns, rows] of screens this layout is made for; other walls show it scaled."
    )  # as many as an installed wall may have (WallSpec)
    sources: dict[str, SourceSpec] = Field(default_factory=dict, description="Data sources by name.")
    widgets: list[Widget] = Field(default_factory=list)


def layout_json_schema() -> dict[str, Any]:
    return document_schema(Layout, SCHEMA_FILE, "wallapp layout")


def wall_for(layout: Layout, installed: WallSpec) -> tuple[Wall, bool]:
    """The wall a layout is drawn on, and whether it matches the installed wall's grid.

    The same layout runs on any wall of its grid; on another (a laptop, a smaller wall) it is drawn on a
    wall of its own grid with the installed screens' geometry, and shown scaled.
    """
    columns, rows = layout.grid
    if (installed.columns, installed.rows) == (columns, rows):
        return Wall(installed), True
    return Wall(installed.with_grid(columns, rows)), False


def widget_rect(place: Placement, wall: Wall) -> Rect:
    """Where a placement lands on the canvas."""
    if isinstance(place, CellPlacement):
        return wall.region(place.screen[0], place.screen[1], place.span, place.part)
    return Rect(*place.rect)


def _placement_problems(index: int, place: Placement, wall: Wall) -> list[Problem]:
    where = f"widgets[{index}].place"
    if isinstance(place, CellPlacement):
        (column, row), (cols, rows) = place.screen, place.span
        grid = f"{wall.columns}x{wall.rows}"
        if column >= wall.columns or row >= wall.rows:
            return [Problem(f"{where}.screen", f"screen [{column}, {row}] is outside the {grid} wall")]
        if column + cols > wall.columns or row + rows > wall.rows:
            return [
                Problem(
                    f"{where}.span", f"span [{cols}, {rows}] from [{column}, {row}] leaves the {grid} wall"
                )
            ]
        return []
    rect, canvas = widget_rect(place, wall), wall.canvas
    if not canvas.contains(rect):
        return [
            Problem(
                f"{where}.rect",
                f"{list(place.rect)} leaves the {int(canvas.width)}x{int(canvas.height)} px canvas",
            )
        ]
    return [Problem(f"{where}.rect", message) for message in mullion_problems(rect, wall)]


def mullion_problems(rect: Rect, wall: Wall) -> list[str]:
    """Each mullion an edge of ``rect`` falls under: ``an edge falls under the mullion at x = 1920..1926``."""
    problems = []
    canvas = wall.canvas
    for seam in wall.seams():
        vertical = seam.height == canvas.height
        edges = (rect.x, rect.right) if vertical else (rect.y, rect.bottom)
        low, high = (seam.x, seam.right) if vertical else (seam.y, seam.bottom)
        if any(low < edge < high for edge in edges):
            axis = "x" if vertical else "y"
            problems.append(f"an edge falls under the mullion at {axis} = {int(low)}..{int(high)}")
    return problems


def _kind_problems(index: int, widget: Widget, source: SourceSpec) -> list[Problem]:
    """A widget bound to a source whose records are of another kind: known from the layout alone."""
    wanted, given = widget.reads, source.yields
    if wanted is None or wanted == given:
        return []
    return [
        Problem(
            f"widgets[{index}].source",
            f"a {widget.kind} widget shows {KIND_NAMES[wanted]}, but source {widget.source!r} "
            f"yields {KIND_NAMES[given]}",
        )
    ]


def layout_problems(
    layout: Layout, wall: Wall, themes: Catalog | None = None, folder: Path | None = None
) -> list[Problem]:
    """What is wrong with a structurally valid layout on a given wall (``folder``: where the layout lives)."""
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, widget in enumerate(layout.widgets):
        if widget.id in first_index:
            problems.append(
                Problem(
                    f"widgets[{index}].id",
                    f"duplicate id {widget.id!r} (first used by widgets[{first_index[widget.id]}])",
                )
            )
        else:
            first_index[widget.id] = index
        if widget.source is not None and widget.source not in layout.sources:
            declared = ", ".join(sorted(layout.sources)) or "none"
            problems.append(
                Problem(
                    f"widgets[{index}].source", f"no source named {widget.source!r} (declared: {declared})"
                )
            )
        elif widget.source is not None:
            problems += _kind_problems(index, widget, layout.sources[widget.source])
        problems += _placement_problems(index, widget.place, wall)
    for name, spec in layout.sources.items():
        if tls := getattr(spec, "tls", None):
            problems += [
                Problem(f"sources.{name}.tls.{key}", text) for key, text in tls.file_problems(folder).items()
            ]
    if themes is not None and (missing := _theme_problem(themes, layout.theme, folder)):
        problems.append(Problem("theme", missing))
    return problems


def _theme_problem(themes: Catalog, theme: str, folder: Path | None) -> str | None:
    """Why the layout's theme cannot be found: a theme file (``brand.json``) named with where it was
    looked for (deleted while the wall runs, say), a name with the names there are."""
    try:
        themes.path(theme, folder)
    except DocumentError as exc:
        if exc.source != theme or Path(theme).suffix == ".json":
            found = exc.problems[0].message if exc.problems else ""
            return f"theme file {'not found' if found in ('', 'file not found') else found}: {exc.source}"
        return f"unknown theme {theme!r} (known: {', '.join(themes.names())})"
    return None


@dataclass(frozen=True)
class LoadedLayout:
    """A layout checked against the wall that will show it."""

    path: Path
    layout: Layout
    wall: Wall
    fits_installed_wall: bool

    def rect(self, widget: Widget) -> Rect:
        return widget_rect(widget.place, self.wall)

    def resolve(self, relative: str) -> Path:
        """A file named in the layout, relative to the layout file."""
        return (self.path.parent / relative).resolve()


def load_layout(path: Path, installed: WallSpec, themes: Catalog | None = None) -> LoadedLayout:
    """Read, validate and place a layout, or raise ``LayoutError`` listing every problem."""
    layout, wall, fits, problems = checked_layout(
        read_json(path, LayoutError), path, installed, themes, path.parent
    )
    if problems:
        raise LayoutError(path, problems)
    return LoadedLayout(path, layout, wall, fits)


def checked_layout(
    data: Any, source: Path | str, installed: WallSpec, themes: Catalog | None, folder: Path | None
) -> tuple[Layout, Wall, bool, list[Problem]]:
    """A parsed layout migrated and validated (``LayoutError`` when its structure is invalid or its format
    unreadable), the wall it is drawn on, whether that is the installed one, and what else is wrong."""
    layout = validate_document(Layout, migrate_layout(data, source), source, LayoutError)
    wall, fits = wall_for(layout, installed)
    return layout, wall, fits, layout_problems(layout, wall, themes, folder)
