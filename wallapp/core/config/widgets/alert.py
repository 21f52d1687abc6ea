"""Alert banners: a full-width message at a level (info, warning, crisis), raised and cleared."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.alerts import AlertLevel
from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict


class AlertOptions(Strict):
    message: str | None = Field(
        None, description="A static alert, shown until a bound source raises or clears one."
    )
    level: AlertLevel = Field("info", description="Level of the static message: info, warning, crisis.")
    level_field: str = Field(
        "level", description="With a source: the row value holding the level (info, warning, crisis, clear)."
    )
    message_field: str = Field("message", description="With a source: the row value holding the message.")
    cleared: Literal["calm", "hidden"] = Field(
        "calm",
        description="With no alert: calm shows a quiet 'All clear' line (the wall visibly works); "
        "hidden leaves the canvas empty there.",
    )
    clear_text: str = Field("All clear", description="The calm line shown with no alert.")
    labels: dict[AlertLevel, str] = Field(
        default_factory=dict, description='Words shown for levels, e.g. {"crisis": "CRISE"}.'
    )


class AlertWidget(WidgetBase):
    kind: Literal["alert"]
    reads: ClassVar[RecordKind] = "row"
    options: AlertOptions = Field(default_factory=AlertOptions)
