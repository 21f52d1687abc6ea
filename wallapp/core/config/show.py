"""Shows: layouts played in turn as scenes, for a host walking visitors through the wall, or a lobby.

A show is read in two passes, like a layout: its structure (pydantic, every problem at its JSON path), then
each scene's layout, found by name or path and loaded for the wall with the scene's overrides applied. A
scene whose layout is missing or invalid makes the show invalid for ``wallapp validate``; a running wall
plays the scenes that are playable and skips the others with one logged line (``LoadedShow.skipped``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema

from wallapp.core.config.catalog import Catalog
from wallapp.core.config.jsondoc import (
    document_schema,
    problems_from_validation,
    read_json,
    validate_document,
)
from wallapp.core.config.layout import Layout, LoadedLayout, load_layout
from wallapp.core.config.migrations import Step, migrate
from wallapp.core.config.widgets.base import WidgetId
from wallapp.core.strict import Strict
from wallapp.core.view.geometry import WallSpec
from wallapp.errors import LayoutError, Problem, ShowError

SCHEMA_FILE = "show.schema.json"
CURRENT = 1
"""The show format this version of wallapp reads."""
STEPS: dict[int, Step] = {}
"""Migrations from older formats, as for layouts (``migrations``)."""

HOLD: Literal["hold"] = "hold"
_LONGEST = 24 * 3600.0


def _duration(value: Any) -> float | Literal["hold"]:
    if value == HOLD:
        return HOLD
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError('a duration is a number of seconds, or "hold" (until the host moves on)')
    if not 0 < value <= _LONGEST:
        raise ValueError(f"a duration is more than 0 and at most {int(_LONGEST)} seconds (a day)")
    return float(value)


Duration = Annotated[
    float | Literal["hold"],
    PlainValidator(_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": _LONGEST},
                {"const": HOLD},
            ],
            "description": 'Seconds the scene stays on, or "hold": until the host moves on.',
        }
    ),
]


class Transition(Strict):
    """How a scene replaces the one before: a cut, or a cross-fade of some length."""

    kind: Literal["cut", "crossfade"] = "cut"
    seconds: float = Field(1.0, gt=0, le=10, description="Length of a cross-fade (a cut takes none).")


class Override(Strict):
    """What a scene changes in one widget of its layout while it is on; absent fields are left alone.

    Each field applies to the widgets whose options have it: ``text``/``subtitle`` (text), ``title``
    (bars, chart, countries, ranking, topics), ``highlight`` (posts, spotlight), ``pinned`` (spotlight).
    """

    text: str | None = Field(None, min_length=1, description="A text widget's main line.")
    subtitle: str | None = Field(None, description="A text widget's second line.")
    title: str | None = Field(None, description="The heading of a widget that has one.")
    highlight: list[str] | None = Field(None, description="Terms shown bold, in the accent colour.")
    pinned: list[str] | None = Field(None, description="Post ids the spotlight shows, in this order.")


class Scene(Strict):
    """One layout on the wall for a time, as the show's audience sees it."""

    layout: str = Field(min_length=1, description="Layout name (layouts/NAME.json) or path to a layout file.")
    title: str | None = Field(None, description="The scene's name for the host (default: the layout's).")
    duration: Duration
    transition: Transition | None = Field(None, description="How it comes on (default: the show's).")
    overrides: dict[WidgetId, Override] = Field(
        default_factory=dict, description="Changes to the layout's widgets, by widget id."
    )


class Show(Strict):
    """Scenes played in turn, then again from the first (``loop``) or the last kept on (``stop``)."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str | None = Field(None, alias="$schema", description="The show JSON Schema, for editors.")
    version: int = Field(CURRENT, ge=1, le=CURRENT, description="The show format it is written in.")
    name: str = Field(min_length=1, description="Shown to operators and on the presenter window.")
    description: str = ""
    transition: Transition = Field(default_factory=Transition, description="Default for every scene.")
    end: Literal["loop", "stop"] = Field("loop", description="After the last scene: the first, or stay.")
    scenes: list[Scene] = Field(min_length=1, max_length=99)

    def transition_of(self, index: int) -> Transition:
        return self.scenes[index].transition or self.transition


def show_json_schema() -> dict[str, Any]:
    return document_schema(Show, SCHEMA_FILE, "wallapp show")


def _overridden(layout: Layout, overrides: dict[str, Override]) -> tuple[Layout, list[Problem]]:
    """The layout with the overrides applied, and the problems (located from the widget id) of those
    that do not fit it."""
    problems: list[Problem] = []
    widgets = list(layout.widgets)
    by_id = {widget.id: index for index, widget in enumerate(widgets)}
    for wid, override in overrides.items():
        if wid not in by_id:
            problems.append(Problem(wid, f"no widget {wid!r} in layout {layout.name!r}"))
            continue
        widget = widgets[by_id[wid]]
        options = widget.options
        changes = override.model_dump(exclude_none=True)
        unfit = [key for key in changes if key not in type(options).model_fields]
        for key in unfit:
            problems.append(Problem(f"{wid}.{key}", f"a {widget.kind} widget has no {key}"))
        if unfit:
            continue
        try:
            new = type(options).model_validate({**options.model_dump(), **changes})
        except ValidationError as exc:
            problems += [Problem(f"{wid}.{p.location}", p.message) for p in problems_from_validation(exc)]
            continue
        widgets[by_id[wid]] = widget.model_copy(update={"options": new})
    return layout.model_copy(update={"widgets": widgets}), problems


def apply_overrides(layout: Layout, overrides: dict[str, Override]) -> Layout:
    """The layout a scene shows: its widgets' options changed by the scene's overrides (a new layout; the
    given one is left as it is). ``ShowError`` names every override that does not fit the layout."""
    result, problems = _overridden(layout, overrides)
    if problems:
        raise ShowError(layout.name, problems)
    return result


@dataclass(frozen=True)
class LoadedScene:
    """A scene with its layout loaded for the wall (overrides applied), or the problems that stop it."""

    scene: Scene
    layout: LoadedLayout | None
    problems: tuple[Problem, ...]

    @property
    def title(self) -> str:
        if self.scene.title:
            return self.scene.title
        return self.layout.layout.name if self.layout is not None else self.scene.layout


@dataclass(frozen=True)
class LoadedShow:
    path: Path
    show: Show
    scenes: tuple[LoadedScene, ...]

    @property
    def playable(self) -> tuple[int, ...]:
        """Indices of the scenes that can be shown, in show order."""
        return tuple(index for index, scene in enumerate(self.scenes) if scene.layout is not None)

    @property
    def problems(self) -> list[Problem]:
        return [problem for scene in self.scenes for problem in scene.problems]

    def skipped(self) -> list[str]:
        """One line per scene that cannot be shown, for the log of a running wall."""
        return [
            f"{self.path}: scene {index + 1} ({scene.scene.layout}) skipped: {scene.problems[0]}"
            + (f" (and {len(scene.problems) - 1} more)" if len(scene.problems) > 1 else "")
            for index, scene in enumerate(self.scenes)
            if scene.layout is None
        ]


def _load_scene(
    index: int, scene: Scene, folder: Path, installed: WallSpec, layouts: Catalog, themes: Catalog | None
) -> LoadedScene:
    where = f"scenes[{index}]"
    try:
        loaded = load_layout(layouts.path(scene.layout, folder), installed, themes)
    except LayoutError as exc:
        problems = [Problem(f"{where}.layout", f"{exc.source}: {p}") for p in exc.problems]
        return LoadedScene(scene, None, tuple(problems))
    layout, unfit = _overridden(loaded.layout, scene.overrides)
    if unfit:
        problems = [Problem(f"{where}.overrides.{p.location}", p.message) for p in unfit]
        return LoadedScene(scene, None, tuple(problems))
    return LoadedScene(scene, dataclasses.replace(loaded, layout=layout), ())


def open_show(path: Path, installed: WallSpec, layouts: Catalog, themes: Catalog | None = None) -> LoadedShow:
    """Read a show and load each scene's layout, or raise ``ShowError`` if the show itself is invalid.

    A scene whose layout cannot be shown is kept with its problems (the running wall skips it)."""
    data = migrate(read_json(path, ShowError), path, ShowError, CURRENT, STEPS)
    show = validate_document(Show, data, path, ShowError)
    scenes = tuple(
        _load_scene(index, scene, path.parent, installed, layouts, themes)
        for index, scene in enumerate(show.scenes)
    )
    return LoadedShow(path, show, scenes)


def load_show(path: Path, installed: WallSpec, layouts: Catalog, themes: Catalog | None = None) -> LoadedShow:
    """A show whose every scene can be shown, or ``ShowError`` listing every problem (for validate)."""
    loaded = open_show(path, installed, layouts, themes)
    if loaded.problems:
        raise ShowError(path, loaded.problems)
    return loaded
