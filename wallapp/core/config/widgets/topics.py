"""Trending topics: hashtags and themes ranked by volume, as a list or a weighted cloud."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict


class TopicsOptions(Strict):
    title: str | None = Field(None, description="A heading, e.g. 'Trending now'.")
    style: Literal["list", "cloud"] = Field(
        "list",
        description="list: ranked rows with volume and trend; cloud: tags sized by volume, never below "
        "the theme's minimum text size.",
    )
    limit: int = Field(10, ge=1, le=50, description="Topics shown at most; fewer when they would not fit.")
    volume_label: str = Field("mentions", description="What the volume counts, shown in the list's heading.")


class TopicsWidget(WidgetBase):
    kind: Literal["topics"]
    reads: ClassVar[RecordKind] = "topic"
    options: TopicsOptions = Field(default_factory=TopicsOptions)
