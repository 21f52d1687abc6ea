"""Influencer rankings: people ranked by a source, with their reach and how they moved."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict


class RankingOptions(Strict):
    title: str | None = Field(None, description="A heading above the rows, e.g. 'Top influencers'.")
    limit: int = Field(
        10, ge=1, le=50, description="Rows shown at most; fewer when they would not fit legibly."
    )
    figure: Literal["reach", "followers"] = Field(
        "reach", description="The figure shown on each row, in compact form (12.3k)."
    )
    figure_label: str | None = Field(
        None, description="Caption of the figure column; 'reach' or 'followers' when absent."
    )
    topic: bool = Field(True, description="Show what each person talks about after the handle.")
    move_ms: int | None = Field(
        None,
        ge=0,
        le=5000,
        description="How long rows take to glide to a new rank (0: jump); the theme's motion.move when "
        "absent.",
    )


class RankingWidget(WidgetBase):
    kind: Literal["ranking"]
    reads: ClassVar[RecordKind] = "person"
    options: RankingOptions = Field(default_factory=RankingOptions)
