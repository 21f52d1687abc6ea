"""Comparison bars: one metric across competitors or countries, sorted, the own brand highlighted."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.data.selection import Aggregate, Order
from wallapp.core.strict import Strict
from wallapp.core.view.formatting import ValueFormat


class BarsOptions(Strict):
    title: str | None = Field(None, description="A heading, e.g. 'Response rate vs competitors'.")
    metric: str = Field(min_length=1, description="The name of the metric compared.")
    by: str = Field(
        min_length=1, description='The dimension compared, one bar per value: "brand", "country"...'
    )
    where: dict[str, str] = Field(
        default_factory=dict, description='Dimensions the metrics must have, e.g. {"country": "FR"}.'
    )
    aggregate: Aggregate = Field(
        "mean", description="How several metrics of one bar combine (over countries, say): mean, sum..."
    )
    sort: Order = Field("descending", description="descending, ascending, or none (as the source gives).")
    highlight: str | None = Field(
        None, description='The bar shown in the accent colour: the own brand, e.g. "Orbis Telecom".'
    )
    format: ValueFormat = Field("number", description="How values are written, as in the KPI tile.")
    decimals: int | None = Field(None, ge=0, le=6)
    scale: float = Field(1.0, description="Multiplies the values, e.g. 0.01 for percentages given as 87.3.")
    limit: int = Field(12, ge=1, le=60, description="Bars shown at most; fewer when they would not fit.")
    labels: dict[str, str] = Field(
        default_factory=dict, description='Names shown for keys, e.g. {"FR": "France"}.'
    )


class BarsWidget(WidgetBase):
    kind: Literal["bars"]
    reads: ClassVar[RecordKind] = "metric"
    options: BarsOptions
