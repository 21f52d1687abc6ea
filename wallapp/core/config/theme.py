"""Themes: palette, fonts, text sizes and spacing. Widgets take every colour, font and size from here.

Text sizes are font pixel sizes at the wall's native resolution. The legibility floor ``text.min`` follows
the rule stated in the README (cap height at least 1/250 of the viewing distance); every other size must be
at least that floor, and text colours must contrast with the backgrounds they are drawn on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from wallapp.core.config.jsondoc import document_schema, read_json, validate_document
from wallapp.core.strict import Strict
from wallapp.errors import ThemeError

Colour = Annotated[
    str,
    Field(pattern=r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$", description="#RRGGBB or #RRGGBBAA"),
]

TextRole = Literal["caption", "body", "headline", "title", "display"]

#: WCAG 2 contrast ratio that body text must reach against the surfaces it sits on.
MIN_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Palette(Strict):
    background: Colour = Field(description="The canvas behind every widget.")
    surface: Colour = Field(description="Widget panels.")
    surface_alt: Colour = Field(description="Raised parts inside a panel (cards, rows).")
    text: Colour
    text_muted: Colour = Field(description="Secondary text: labels, handles, times.")
    accent: Colour = Field(description="Brand colour: highlights, own brand in comparisons.")
    positive: Colour
    warning: Colour
    critical: Colour
    border: Colour


class Fonts(Strict):
    family: str = Field("Noto Sans", description="Main font family; fallbacks are tried in order.")
    fallbacks: list[str] = Field(default_factory=lambda: ["DejaVu Sans", "Noto Color Emoji"])
    numeric_family: str | None = Field(
        None, description="Family for figures (KPI values); main family if absent."
    )
    weight_regular: int = Field(400, ge=100, le=900)
    weight_strong: int = Field(700, ge=100, le=900)


class TextSizes(Strict):
    """Font pixel sizes at the wall's native resolution."""

    min: int = Field(32, ge=8, description="Legibility floor: no text is drawn smaller than this.")
    caption: int = 34
    body: int = 42
    headline: int = 56
    title: int = 76
    display: int = 160

    def size(self, role: TextRole) -> int:
        return int(getattr(self, role))


class Grow(Strict):
    """How large text sized to its room may grow: the largest font pixel size of each kind of text that
    takes the room it is given (it shrinks down to ``text.min`` when the room is short)."""

    card: int = Field(56, ge=8, description="A post's text on a wall's card (one size per row of cards).")
    spotlight: int = Field(120, ge=8, description="The spotlight's post.")
    banner: int = Field(96, ge=8, description="An alert's message.")
    heading: int = Field(140, ge=8, description="A text widget's main line.")
    figure: int = Field(240, ge=8, description="A KPI tile's figure.")


class Motion(Strict):
    """How long things take to move, in seconds: every movement on the wall eases in and out over these."""

    enter: float = Field(0.7, ge=0, le=5, description="A new post's card fading and sliding into the wall.")
    move: float = Field(0.6, ge=0, le=5, description="Cards and ranking rows gliding to their new place.")
    turn: float = Field(1.2, ge=0, le=5, description="The spotlight turning to its next post.")
    count: float = Field(0.9, ge=0, le=5, description="A KPI figure counting from its old value to the new.")


class Spacing(Strict):
    gutter: int = Field(24, ge=0, description="Space between neighbouring widgets and around screen edges.")
    padding: int = Field(32, ge=0, description="Space inside a widget panel.")
    radius: int = Field(16, ge=0, description="Corner radius of panels.")
    border: int = Field(2, ge=0, description="Panel border width; 0 for none.")
    stripe: int = Field(12, ge=0, description="Height of the status stripe atop a tile (KPI thresholds).")


class Theme(Strict):
    schema_: str | None = Field(None, alias="$schema")
    name: str
    description: str = ""
    palette: Palette
    fonts: Fonts = Field(default_factory=Fonts)
    text: TextSizes = Field(default_factory=TextSizes)
    spacing: Spacing = Field(default_factory=Spacing)
    grow: Grow = Field(default_factory=Grow)
    motion: Motion = Field(default_factory=Motion)

    @model_validator(mode="after")
    def _legible(self) -> Self:
        small = [
            role
            for role in ("caption", "body", "headline", "title", "display")
            if getattr(self.text, role) < self.text.min
        ]
        if small:
            raise ValueError(
                f"text sizes {', '.join(small)} are below the legibility floor text.min = {self.text.min}"
            )
        low = [kind for kind, px in self.grow.model_dump().items() if px < self.text.min]
        if low:
            raise ValueError(
                f"grow sizes {', '.join(low)} are below the legibility floor text.min = {self.text.min}"
            )
        for fg in ("text", "text_muted"):
            for bg in ("background", "surface", "surface_alt"):
                ratio = contrast_ratio(getattr(self.palette, fg)[:7], getattr(self.palette, bg)[:7])
                if ratio < MIN_CONTRAST:
                    raise ValueError(
                        f"palette.{fg} on palette.{bg} has contrast {ratio:.1f}:1, below {MIN_CONTRAST}:1"
                    )
        return self


SCHEMA_FILE = "theme.schema.json"


def theme_json_schema() -> dict[str, Any]:
    return document_schema(Theme, SCHEMA_FILE, "wallapp theme")


def load_theme(path: Path) -> Theme:
    return validate_document(Theme, read_json(path, ThemeError), path, ThemeError)
