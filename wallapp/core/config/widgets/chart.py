"""Time-series charts: several series over a rolling window, a legend, large axis text."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict
from wallapp.core.view.formatting import ValueFormat


class ChartOptions(Strict):
    title: str | None = Field(None, description="A heading, e.g. 'Posts per minute'.")
    series: list[str] = Field(
        default_factory=list, description="Series shown, in this order; every series of the source if empty."
    )
    labels: dict[str, str] = Field(
        default_factory=dict, description='Names in the legend, e.g. {"posts_per_minute": "Posts / min"}.'
    )
    window: float = Field(
        3600.0, gt=0, le=31 * 86400, description="Rolling window in seconds, ending at the newest point."
    )
    format: ValueFormat = Field("number", description="How the value axis is written, as in the KPI tile.")
    zero: bool = Field(True, description="Start the value axis at zero.")
    fill: bool = Field(True, description="Shade the area under the first series.")
    grid: bool = Field(False, description="Horizontal grid lines at the value ticks (costs paint time).")
    antialias: bool = Field(False, description="Smooth curves (about 2.5 times the paint cost).")
    line_width: float = Field(5.0, ge=1, le=20, description="Curve width in canvas pixels.")


class ChartWidget(WidgetBase):
    kind: Literal["chart"]
    reads: ClassVar[RecordKind] = "point"
    options: ChartOptions = Field(default_factory=ChartOptions)
