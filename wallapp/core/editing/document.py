"""The document the editor edits: a layout as plain JSON data (``dict``, as ``json.loads`` gives it, key
order kept), checked as ``wallapp validate`` checks it, and the pure operations that turn one version into
the next. An operation never changes its input: undo keeps the data before and after each step.

Widget order in ``widgets`` is paint order (later is on top).
"""

from __future__ import annotations

import copy
import math
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from wallapp.core.config.catalog import Catalog
from wallapp.core.config.layout import Layout, checked_layout
from wallapp.core.config.sources import SourceSpec
from wallapp.core.config.widgets import Widget
from wallapp.core.data.demo import KPI_METRICS
from wallapp.core.data.records import RecordKind
from wallapp.core.editing.placing import guides, placement_for, rect_for, refusal
from wallapp.core.view.geometry import Rect, Wall, WallSpec
from wallapp.errors import LayoutError, Problem

_SOURCE = "layout"
"""How problems name the document being edited (the editor shows its own file name)."""


@dataclass(frozen=True)
class Checked:
    """What ``wallapp validate`` would say of the data: the layout model when its structure is valid (the
    editor draws it), and every problem, located by JSON path."""

    layout: Layout | None
    """None when the structure does not validate (or the format cannot be read)."""
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        """Whether it may be saved: a valid structure and no other problem."""
        return self.layout is not None and not self.problems


def check(data: Any, installed: WallSpec, themes: Catalog | None, folder: Path | None) -> Checked:
    """Every problem of a layout's data on the installed wall (``folder``: where its file lives), the same
    ones ``wallapp validate`` prints; never raises for bad data."""
    try:
        layout, _, _, problems = checked_layout(data, _SOURCE, installed, themes, folder)
    except LayoutError as exc:
        return Checked(None, exc.problems)
    return Checked(layout, tuple(problems))


def _widgets(data: Any) -> list[Any]:
    widgets = data.get("widgets") if isinstance(data, dict) else None
    return widgets if isinstance(widgets, list) else []


def _copy(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("a layout's data is a JSON object")
    return copy.deepcopy(data)


def widget_index(data: Any, widget_id: str) -> int:
    """The index in ``widgets`` of the widget with this id (the first one); ``KeyError`` if there is none."""
    for index, widget in enumerate(_widgets(data)):
        if isinstance(widget, dict) and widget.get("id") == widget_id:
            return index
    raise KeyError(widget_id)


def moved(data: Any, index: int, place: dict[str, Any]) -> dict[str, Any]:
    """The data with widget ``index`` at ``place`` (its ``place`` replaced where it stands)."""
    new = _copy(data)
    new["widgets"][index]["place"] = copy.deepcopy(place)
    return new


def with_widget(data: Any, index: int, widget: dict[str, Any]) -> dict[str, Any]:
    """The data with widget ``index`` replaced (the properties panel's edits)."""
    new = _copy(data)
    new["widgets"][index] = copy.deepcopy(widget)
    return new


def added(data: Any, widget: dict[str, Any], at: int | None = None) -> dict[str, Any]:
    """The data with ``widget`` inserted at ``at`` (at the end, on top of the others, by default)."""
    new = _copy(data)
    widgets = new.setdefault("widgets", [])
    widgets.insert(len(widgets) if at is None else at, copy.deepcopy(widget))
    return new


def removed(data: Any, indexes: Iterable[int]) -> dict[str, Any]:
    """The data without the widgets at ``indexes``."""
    gone = set(indexes)
    new = _copy(data)
    if "widgets" in new:
        new["widgets"] = [widget for index, widget in enumerate(new["widgets"]) if index not in gone]
    return new


def restacked(data: Any, indexes: Iterable[int], step: int) -> dict[str, Any]:
    """The data with the widgets at ``indexes`` raised (``step`` > 0) or lowered (< 0) by ``abs(step)``
    places in the paint order, each past one unselected widget a place; ``len(widgets)`` sends them to the
    top (``-len``: the bottom). Their order among themselves is kept."""
    new = _copy(data)
    widgets = new.get("widgets", [])
    chosen = [index in set(indexes) for index in range(len(widgets))]
    order = list(range(len(widgets)))
    for _ in range(min(abs(step), len(widgets))):
        positions = range(len(order) - 2, -1, -1) if step > 0 else range(1, len(order))
        neighbour = 1 if step > 0 else -1
        for at in positions:
            if chosen[order[at]] and not chosen[order[at + neighbour]]:
                order[at], order[at + neighbour] = order[at + neighbour], order[at]
    if "widgets" in new:
        new["widgets"] = [widgets[index] for index in order]
    return new


def with_source(data: Any, name: str, spec: dict[str, Any] | None) -> dict[str, Any]:
    """The data with source ``name`` added, replaced where it stands, or removed (``spec`` None)."""
    new = _copy(data)
    sources = new.setdefault("sources", {})
    if spec is None:
        sources.pop(name, None)
    else:
        sources[name] = copy.deepcopy(spec)
    return new


def _fresh_id(base: str, taken: set[str]) -> str:
    """``base`` when free, else ``base-2``, ``base-3`` ... (a trailing ``-N`` of ``base`` counted on)."""
    stem = re.sub(r"-\d+$", "", base) or "widget"
    if base not in taken:
        return base
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def _ids(data: Any) -> set[str]:
    return {str(widget.get("id")) for widget in _widgets(data) if isinstance(widget, dict)}


def _free_place(place: dict[str, Any], wall: Wall, others: list[Rect]) -> dict[str, Any] | None:
    """A placement of the same size as ``place`` where it overlaps nothing, the nearest to it; None if
    there is no such room."""
    rect = rect_for(place, wall)
    if rect is None:
        return None
    lines = guides(wall, others)
    spots: list[tuple[float, dict[str, Any]]] = []
    for x in lines.xs:
        for y in lines.ys:
            candidate = placement_for(Rect(x, y, rect.width, rect.height), wall, place)
            landed = rect_for(candidate, wall)
            if landed is None or refusal(landed, wall, {str(i): r for i, r in enumerate(others)}):
                continue
            if abs(landed.width - rect.width) > 1 or abs(landed.height - rect.height) > 1:
                continue
            spots.append((math.hypot(landed.x - rect.x, landed.y - rect.y), candidate))
    return min(spots, key=lambda spot: spot[0])[1] if spots else None


def duplicated(data: Any, indexes: Iterable[int], wall: Wall) -> tuple[dict[str, Any], list[int]]:
    """The data with a copy of each widget at ``indexes`` added on top, with fresh ids (``clock-2``), each
    placed the same size in the nearest free room if there is any (else where the original is); and the
    copies' indexes."""
    new = _copy(data)
    widgets = new.setdefault("widgets", [])
    taken = _ids(new)
    others = [
        r for widget in widgets if isinstance(widget, dict) if (r := rect_for(widget.get("place"), wall))
    ]
    made: list[int] = []
    for index in sorted(set(indexes)):
        twin = copy.deepcopy(widgets[index])
        twin["id"] = _fresh_id(str(twin.get("id", "widget")), taken)
        taken.add(twin["id"])
        if isinstance(twin.get("place"), dict) and (place := _free_place(twin["place"], wall, others)):
            twin["place"] = place
        if landed := rect_for(twin.get("place"), wall):
            others.append(landed)
        widgets.append(twin)
        made.append(len(widgets) - 1)
    return new, made


def widget_kinds() -> dict[str, type[BaseModel]]:
    """Every widget kind's model by its ``kind``, in the order the layout schema lists them."""
    union = typing.get_args(Widget)[0]
    kinds: dict[str, type[BaseModel]] = {}
    for model in typing.get_args(union):
        (kind,) = typing.get_args(model.model_fields["kind"].annotation)
        kinds[kind] = model
    return kinds


_SOURCES: TypeAdapter[SourceSpec] = TypeAdapter(SourceSpec)


def _yields(spec: Any) -> RecordKind | None:
    try:
        return _SOURCES.validate_python(spec).yields
    except ValidationError:
        return None


def _source_for(reads: RecordKind | None, data: Any) -> str | None:
    """The first source of the layout whose records the kind shows, preferring one its widgets use."""
    if reads is None:
        return None
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict):
        return None
    fitting = [name for name, spec in sources.items() if _yields(spec) == reads]
    used = [w.get("source") for w in _widgets(data) if isinstance(w, dict)]
    return max(fitting, key=used.count, default=None)


def _borrowed(data: Any, kind: str, source: str | None, name: str) -> Any:
    """Option ``name`` as another widget of the layout has it: one of the same kind on the same source,
    else of the same kind, else any widget on the same source; None when none has it."""
    found: list[tuple[int, Any]] = []
    for widget in _widgets(data):
        options = widget.get("options") if isinstance(widget, dict) else None
        if not isinstance(options, dict) or options.get(name) in (None, ""):
            continue
        same_kind, same_source = (
            widget.get("kind") == kind,
            source is not None and widget.get("source") == source,
        )
        if same_kind or same_source:
            found.append((2 * same_kind + same_source, options[name]))
    return max(found, key=lambda rank: rank[0])[1] if found else None


_STARTING = {"metric": KPI_METRICS[0], "by": "country", "path": "image.svg"}
"""Options that name data, taken from the layout's other widgets when they have them, else the demo
feed's (and a file name to change); other required text options get the kind's name."""


def _required_options(kind: str, model: type[BaseModel], data: Any, source: str | None) -> dict[str, Any]:
    """The kind's required options (and the metric a widget bound to a source shows), filled with what the
    layout's other widgets use, else values that validate and read well enough to be edited."""
    options_model = model.model_fields["options"].annotation
    assert isinstance(options_model, type)
    assert issubclass(options_model, BaseModel)
    filled: dict[str, Any] = {}
    for name, field in options_model.model_fields.items():
        if not field.is_required() and not (name == "metric" and source is not None):
            continue
        value = _borrowed(data, kind, source, name) if name in _STARTING else None
        if value is None:
            value = _STARTING.get(name, kind.upper() if kind == "kpi" else kind.capitalize())
        filled[name] = copy.deepcopy(value)
    return filled


def new_widget(kind: str, data: Any, place: dict[str, Any]) -> dict[str, Any]:
    """A new widget of ``kind`` at ``place``: a fresh unique id (``ticker``, then ``ticker-2``), bound to a
    source of the layout whose records it shows if there is one, its required options filled so that it
    validates. ``KeyError`` for an unknown kind."""
    model = widget_kinds()[kind]
    source = _source_for(typing.cast(RecordKind | None, getattr(model, "reads", None)), data)
    widget: dict[str, Any] = {"id": _fresh_id(kind, _ids(data)), "kind": kind}
    if source is not None:
        widget["source"] = source
    widget["place"] = copy.deepcopy(place)
    widget["options"] = _required_options(kind, model, data, source)
    return widget
