"""What every widget declaration shares: an id, a placement on the wall, an optional source."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag, field_validator

from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict

WidgetId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$",
        description="Unique in the layout: letters, digits, - and _.",
    ),
]
Fraction = Annotated[float, Field(ge=0, le=1)]


class CellPlacement(Strict):
    """On whole screens, so a widget's edges never fall on a seam; ``part`` lets widgets share screens."""

    screen: tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]] = Field(
        description="[column, row] of the top-left screen, from 0."
    )
    span: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]] = Field(
        (1, 1), description="[columns, rows] of screens covered."
    )
    part: tuple[Fraction, Fraction, Fraction, Fraction] | None = Field(
        None,
        description="[x, y, width, height] as fractions of the covered screens, e.g. [0, 0, 0.5, 1] "
        "for the left half.",
    )

    @field_validator("part")
    @classmethod
    def _part_inside(cls, part: tuple[float, float, float, float] | None) -> tuple[float, ...] | None:
        if part is not None:
            x, y, w, h = part
            if w <= 0 or h <= 0:
                raise ValueError("part must have a positive width and height")
            if x + w > 1.0 + 1e-9 or y + h > 1.0 + 1e-9:
                raise ValueError(
                    "part must stay inside the covered screens (x + width <= 1, y + height <= 1)"
                )
        return part


class PixelPlacement(Strict):
    """In canvas pixels (mullions included); the wall running the layout must contain it."""

    rect: tuple[
        Annotated[int, Field(ge=0)],
        Annotated[int, Field(ge=0)],
        Annotated[int, Field(gt=0)],
        Annotated[int, Field(gt=0)],
    ] = Field(description="[x, y, width, height] in canvas pixels.")


def _placement_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return "pixels" if "rect" in value else "cells" if "screen" in value else None
    return (
        "pixels"
        if isinstance(value, PixelPlacement)
        else "cells"
        if isinstance(value, CellPlacement)
        else None
    )


Placement = Annotated[
    Annotated[CellPlacement, Tag("cells")] | Annotated[PixelPlacement, Tag("pixels")],
    Discriminator(
        _placement_tag,
        custom_error_type="placement",
        custom_error_message='a placement needs either "screen" (cells) or "rect" (canvas pixels)',
    ),
]


class WidgetBase(Strict):
    id: WidgetId
    place: Placement
    source: str | None = Field(None, description="Name of a source declared in the layout's sources.")
    reads: ClassVar[RecordKind | None] = None
    """The kind of records the widget shows from its source (None: it shows none)."""
