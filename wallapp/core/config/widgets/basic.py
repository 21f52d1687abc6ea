"""Text blocks, clocks and images."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from wallapp.core.config.theme import TextRole
from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.config.zones import ZoneName
from wallapp.core.strict import Strict


class TextOptions(Strict):
    text: str = Field(min_length=1, description="The text, shown as plain text.")
    subtitle: str | None = Field(None, description="A second, smaller line.")
    role: TextRole = Field("title", description="Theme text size of the main line.")
    align: Literal["left", "center", "right"] = "left"
    panel: bool = Field(True, description="Draw the themed panel behind the text.")


class TextWidget(WidgetBase):
    kind: Literal["text"]
    options: TextOptions


class ClockOptions(Strict):
    label: str | None = Field(None, description="A caption such as a city name.")
    timezone: ZoneName | None = Field(
        None, description="IANA zone (Europe/Paris); the machine's zone if absent."
    )
    seconds: bool = Field(False, description="Show seconds.")
    date: bool = Field(True, description="Show the date under the time.")


class ClockWidget(WidgetBase):
    kind: Literal["clock"]
    options: ClockOptions = Field(default_factory=ClockOptions)


class ImageOptions(Strict):
    path: str = Field(
        min_length=1, description="Image file (PNG, JPEG, SVG...), relative to the layout file."
    )
    fit: Literal["contain", "cover"] = "contain"
    panel: bool = Field(False, description="Draw the themed panel behind the image.")


class ImageWidget(WidgetBase):
    kind: Literal["image"]
    options: ImageOptions
