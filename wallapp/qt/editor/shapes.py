"""What a pydantic field asks an editor for, read from its annotation and constraints (no Qt here).

``shape_of`` turns ``int | None`` with ``ge=1, le=12`` into "a whole number from 1 to 12 that may be
absent", a ``Literal`` or an ``Enum`` into choices, a nested model into a model, a list of text into lines;
what has no editor of its own is JSON. Values are plain JSON throughout, ``MISSING`` for a key left out.
"""

from __future__ import annotations

import enum
import types
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Final, Literal, Union, cast, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python

from wallapp.core.config.theme import Colour
from wallapp.core.config.zones import ZoneName


class _Missing:
    """The value of a key left out of the JSON."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

_COLOUR_PATTERN = next(
    m.pattern for m in cast(FieldInfo, get_args(Colour)[1]).metadata if hasattr(m, "pattern")
)


_ZONE_CHECK = get_args(ZoneName)[1]
"""What marks a field naming a time zone."""


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


@dataclass(frozen=True)
class Bounds:
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    @property
    def low(self) -> float | None:
        return self.ge if self.ge is not None else self.gt

    @property
    def high(self) -> float | None:
        return self.le if self.le is not None else self.lt

    def clamp(self, value: float, step: float) -> float:
        """``value`` brought within the bounds (an open bound: one ``step`` inside it)."""
        if self.ge is not None:
            value = max(value, self.ge)
        if self.gt is not None and value <= self.gt:
            value = self.gt + step
        if self.le is not None:
            value = min(value, self.le)
        if self.lt is not None and value >= self.lt:
            value = self.lt - step
        return value

    def words(self) -> str:
        """The bounds, short: "1 to 12", "> 0, ≤ 2000", "≥ 0"."""
        if self.ge is not None and self.le is not None:
            return f"{number_text(self.ge)} to {number_text(self.le)}"
        parts = [
            f"{sign} {number_text(bound)}"
            for sign, bound in (("≥", self.ge), (">", self.gt), ("≤", self.le), ("<", self.lt))
            if bound is not None
        ]
        return ", ".join(parts)


ShapeKind = Literal["bool", "int", "float", "choice", "text", "colour", "lines", "numbers", "model", "json"]


@dataclass(frozen=True)
class Shape:
    """What a field's annotation asks an editor for."""

    kind: ShapeKind
    optional: bool = False
    """``None`` is allowed (then the key is left out)."""
    choices: tuple[Any, ...] = ()
    model: type[BaseModel] | None = None
    bounds: Bounds = Bounds()
    integer_items: bool = False
    """For ``numbers``: whole numbers."""
    suggestions: tuple[str, ...] = ()
    """For ``text``: values offered as one types (time zones)."""


def number_text(value: float | None) -> str:
    """A bound or a default as the file would write it: 12, 0.5."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _unwrap(annotation: Any, metadata: list[Any]) -> Any:
    """The type under ``Annotated``, its metadata (constraints) appended to ``metadata``."""
    while get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        for item in extra:
            metadata += item.metadata if isinstance(item, FieldInfo) else [item]
        annotation = base
    return annotation


def _bounds(metadata: Iterable[Any]) -> Bounds:
    found: dict[str, float] = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, name.title())):
                found[name] = getattr(item, name)
    return Bounds(**found)


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def shape_of(annotation: Any, metadata: Sequence[Any] = ()) -> Shape:
    """The editor a field of this annotation (with these constraints) takes."""
    found = list(metadata)
    annotation = _unwrap(annotation, found)
    optional = False
    if _is_union(annotation):
        members = [_unwrap(a, found) for a in get_args(annotation)]
        optional = type(None) in members
        members = [m for m in members if m is not type(None)]
        if all(get_origin(m) is Literal for m in members):
            choices = tuple(dict.fromkeys(c for m in members for c in get_args(m)))
            return Shape("choice", optional, choices)
        if len(members) != 1:
            return Shape("json", optional)
        annotation = members[0]
        if _is_union(annotation) or get_origin(annotation) is Literal:
            inner = shape_of(annotation, found)
            return Shape(inner.kind, True, inner.choices, inner.model, inner.bounds)
    origin = get_origin(annotation)
    if origin is Literal:
        return Shape("choice", optional, get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return Shape("choice", optional, tuple(member.value for member in annotation))
    if annotation is bool:
        return Shape("bool", optional)
    if annotation is int or annotation is float:
        return Shape("int" if annotation is int else "float", optional, bounds=_bounds(found))
    if annotation is str:
        if any(getattr(m, "pattern", None) == _COLOUR_PATTERN for m in found):
            return Shape("colour", optional)
        zone = any(m is _ZONE_CHECK for m in found)
        return Shape("text", optional, suggestions=_zones() if zone else ())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Shape("model", optional, model=annotation)
    if origin in (list, tuple, set, frozenset):
        items = [_unwrap(a, []) for a in get_args(annotation) if a is not Ellipsis]
        if items and all(item is str for item in items) and origin is list:
            return Shape("lines", optional)
        if items and all(item in (int, float) for item in items):
            return Shape("numbers", optional, integer_items=all(item is int for item in items))
    return Shape("json", optional)


def json_default(info: FieldInfo) -> Any:
    """A field's default as JSON (``MISSING`` for a required field)."""
    if info.default_factory is not None:
        return to_jsonable_python(info.default_factory())  # type: ignore[call-arg]
    if info.default is PydanticUndefined:
        return MISSING
    return to_jsonable_python(info.default, by_alias=True)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values (``true`` is not ``1``, ``2`` is ``2.0``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    numbers = isinstance(a, int | float) and isinstance(b, int | float)
    return (type(a) is type(b) or numbers) and a == b
