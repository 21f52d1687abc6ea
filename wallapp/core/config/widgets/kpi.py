"""KPI tiles: a figure formatted by kind, thresholds, a delta; static or fed by a source."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.data.selection import Aggregate
from wallapp.core.strict import Strict
from wallapp.core.view.formatting import ValueFormat
from wallapp.core.view.thresholds import Thresholds


class KpiOptions(Strict):
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
    compare_where: dict[str, str] | None = Field(
        None,
        description="With a source: the delta compares with the same metric for these dimensions, e.g. "
        '{"brand": "Veltra"} -> "+4.1 pts vs Veltra" (instead of the previous period).',
    )
    compare_label: str | None = Field(
        None, description="Who the delta compares with; the compare_where values when absent."
    )
    sparkline: bool = Field(
        False, description="Draw the recent values under the figure: the values the tile has shown."
    )
    sparkline_series: str | None = Field(
        None, description="With a source: draw this series of point records instead of the tile's values."
    )
    sparkline_points: int = Field(
        40, ge=2, le=1000, description="How many recent values the sparkline keeps."
    )


class KpiWidget(WidgetBase):
    kind: Literal["kpi"]
    reads: ClassVar[RecordKind] = "metric"
    options: KpiOptions

    @model_validator(mode="after")
    def _bound_kpi_names_its_metric(self) -> Self:
        if self.source is not None and self.options.metric is None:
            raise ValueError("a KPI bound to a source needs options.metric")
        return self
