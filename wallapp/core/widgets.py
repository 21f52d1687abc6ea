"""Widget declarations of a layout: where a widget goes, what kind it is, and its typed options.

Each kind has an options model; the layout's JSON Schema is generated from these, so editors validate and
complete a widget's options once its ``kind`` is typed.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from wallapp.core.selection import Aggregate
from wallapp.core.theme import TextRole

WidgetId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$",
        description="Unique in the layout: letters, digits, - and _.",
    ),
]
Fraction = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CellPlacement(_Strict):
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


class PixelPlacement(_Strict):
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


class TextOptions(_Strict):
    text: str = Field(min_length=1, description="The text, shown as plain text.")
    subtitle: str | None = Field(None, description="A second, smaller line.")
    role: TextRole = Field("title", description="Theme text size of the main line.")
    align: Literal["left", "center", "right"] = "left"
    panel: bool = Field(True, description="Draw the themed panel behind the text.")


class ClockOptions(_Strict):
    label: str | None = Field(None, description="A caption such as a city name.")
    timezone: str | None = Field(None, description="IANA zone (Europe/Paris); the machine's zone if absent.")
    seconds: bool = Field(False, description="Show seconds.")
    date: bool = Field(True, description="Show the date under the time.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {zone!r}") from None
        return zone


class ImageOptions(_Strict):
    path: str = Field(
        min_length=1, description="Image file (PNG, JPEG, SVG...), relative to the layout file."
    )
    fit: Literal["contain", "cover"] = "contain"
    panel: bool = Field(False, description="Draw the themed panel behind the image.")


class Thresholds(_Strict):
    """Values at which a KPI turns to warning and critical colours."""

    warning: float
    critical: float
    higher_is_worse: bool = Field(
        False, description="True when large values are bad (response time), false when small ones are (rate)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.higher_is_worse and self.critical < self.warning:
            raise ValueError("with higher_is_worse, critical must be >= warning")
        if not self.higher_is_worse and self.critical > self.warning:
            raise ValueError("critical must be <= warning (small values are bad)")
        return self


ValueFormat = Literal["number", "percent", "duration", "compact"]


class KpiOptions(_Strict):
    label: str = Field(min_length=1)
    value: float | None = Field(None, description="A static value; a bound source replaces it.")
    unit: str = Field("", description="Shown after the value, e.g. 'posts/h'.")
    format: ValueFormat = Field(
        "number",
        description="number: 12,345; percent: 0.873 -> 87.3 %; duration: seconds -> 4 min 12 s; "
        "compact: 12.3k",
    )
    decimals: int | None = Field(None, ge=0, le=6)
    previous: float | None = Field(None, description="Value of the previous period, for the delta.")
    delta_label: str = Field("vs previous period", description="What the delta compares with.")
    thresholds: Thresholds | None = None
    metric: str | None = Field(None, description="With a source: the name of the metric shown.")
    where: dict[str, str] = Field(
        default_factory=dict,
        description='With a source: dimensions the metric must have, e.g. {"country": "FR"}.',
    )
    aggregate: Aggregate = Field(
        "latest", description="With a source: how metrics matching several dimensions combine (mean, sum...)."
    )
    scale: float = Field(
        1.0, description="Multiplies the source's value, e.g. 0.01 for percentages given as 87.3."
    )


class TickerOptions(_Strict):
    items: list[str] = Field(
        default_factory=list, description="Headlines to crawl; a bound source adds posts."
    )
    speed: float = Field(120.0, gt=0, le=2000, description="Crawl speed in canvas pixels per second.")
    separator: str = Field("•", max_length=8, description="Drawn between items, in the accent colour.")
    role: TextRole = Field("headline", description="Theme text size.")
    max_items: int = Field(20, ge=1, le=200, description="With a source: how many of the latest posts crawl.")


class _WidgetBase(_Strict):
    id: WidgetId
    place: Placement
    source: str | None = Field(None, description="Name of a source declared in the layout's sources.")


class TextWidget(_WidgetBase):
    kind: Literal["text"]
    options: TextOptions


class ClockWidget(_WidgetBase):
    kind: Literal["clock"]
    options: ClockOptions = Field(default_factory=ClockOptions)


class ImageWidget(_WidgetBase):
    kind: Literal["image"]
    options: ImageOptions


class KpiWidget(_WidgetBase):
    kind: Literal["kpi"]
    options: KpiOptions

    @model_validator(mode="after")
    def _bound_kpi_names_its_metric(self) -> Self:
        if self.source is not None and self.options.metric is None:
            raise ValueError("a KPI bound to a source needs options.metric")
        return self


class TickerWidget(_WidgetBase):
    kind: Literal["ticker"]
    options: TickerOptions = Field(default_factory=TickerOptions)


Widget = Annotated[
    TextWidget | ClockWidget | ImageWidget | KpiWidget | TickerWidget,
    Field(discriminator="kind"),
]
