"""Post walls and the spotlight: social posts as cards."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict

PostOrder = Literal["newest", "reach"]
Arrangement = Literal["grid", "masonry"]


class PostWallOptions(Strict):
    arrangement: Arrangement = Field(
        "grid",
        description="grid: cards of one size in rows and columns; masonry: each card as tall as its text, "
        "packed into the columns.",
    )
    columns: int = Field(
        2,
        ge=1,
        le=12,
        description="Columns of cards in all, shared between the screens the wall spans (one at least on "
        "each); fewer where cards would be too narrow for their header.",
    )
    rows: int | None = Field(
        None, ge=1, le=12, description="Rows of cards in a grid; as many as fit when absent."
    )
    max_cards: int | None = Field(
        None, ge=1, le=100, description="At most this many cards; as many as fit when absent."
    )
    order: PostOrder = Field("newest", description="newest first, or the most reached first.")
    highlight: list[str] = Field(default_factory=list, description="Terms shown bold, in the accent colour.")
    media: bool = Field(True, description="Show a post's image as a thumbnail.")
    dwell: float = Field(
        4.0,
        ge=0,
        le=120,
        description="Seconds the wall holds still for reading; newer posts then join together.",
    )


class PostWallWidget(WidgetBase):
    kind: Literal["posts"]
    reads: ClassVar[RecordKind] = "post"
    options: PostWallOptions = Field(default_factory=PostWallOptions)


class SpotlightOptions(Strict):
    every: float = Field(12.0, ge=3, le=600, description="Seconds each post stays in the spotlight.")
    pick: PostOrder = Field("reach", description="Among the latest posts: the newest, or the most reached.")
    among: int = Field(12, ge=1, le=100, description="How many of the latest posts take turns.")
    pinned: list[str] = Field(
        default_factory=list, description="Post ids shown (in this order) instead, while the source has them."
    )
    highlight: list[str] = Field(default_factory=list, description="Terms shown bold, in the accent colour.")


class SpotlightWidget(WidgetBase):
    kind: Literal["spotlight"]
    reads: ClassVar[RecordKind] = "post"
    options: SpotlightOptions = Field(default_factory=SpotlightOptions)
