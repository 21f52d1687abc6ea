"""Tickers: headlines crawling across the wall."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.theme import TextRole
from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict


class TickerOptions(Strict):
    items: list[str] = Field(
        default_factory=list, description="Headlines to crawl; a bound source adds posts."
    )
    speed: float = Field(120.0, gt=0, le=2000, description="Crawl speed in canvas pixels per second.")
    separator: str = Field("•", max_length=8, description="Drawn between items, in the accent colour.")
    role: TextRole = Field("headline", description="Theme text size.")
    max_items: int = Field(20, ge=1, le=200, description="With a source: how many of the latest posts crawl.")


class TickerWidget(WidgetBase):
    kind: Literal["ticker"]
    reads: ClassVar[RecordKind] = "post"
    options: TickerOptions = Field(default_factory=TickerOptions)
