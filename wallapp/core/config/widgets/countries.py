"""A country board: a tile per country with a KPI value and the status its thresholds give."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from wallapp.core.config.widgets.base import WidgetBase
from wallapp.core.data.records import RecordKind
from wallapp.core.data.selection import Aggregate, Order
from wallapp.core.strict import Strict
from wallapp.core.view.formatting import ValueFormat
from wallapp.core.view.thresholds import Thresholds


class CountriesOptions(Strict):
    title: str | None = Field(None, description="A heading, e.g. 'Response rate by country'.")
    metric: str = Field(min_length=1, description="The name of the metric on each tile.")
    by: str = Field("country", min_length=1, description="The dimension that names a tile's country.")
    where: dict[str, str] = Field(
        default_factory=dict, description='Dimensions the metrics must have, e.g. {"brand": "Orbis Telecom"}.'
    )
    aggregate: Aggregate = Field("mean", description="How several metrics of one country combine.")
    thresholds: Thresholds | None = Field(None, description="Values at which a tile turns warning, critical.")
    format: ValueFormat = Field("number", description="How values are written, as in the KPI tile.")
    decimals: int | None = Field(None, ge=0, le=6)
    scale: float = Field(1.0, description="Multiplies the values, e.g. 0.01 for percentages given as 87.3.")
    columns: int | None = Field(
        None, ge=1, le=12, description="Tiles per row; chosen from the size if absent."
    )
    sort: Order | Literal["key"] = Field(
        "none", description="none (as the source gives), key (by country code), descending, ascending."
    )
    labels: dict[str, str] = Field(
        default_factory=dict, description='Country names under the codes, e.g. {"FR": "France"}.'
    )
    limit: int = Field(40, ge=1, le=120, description="Tiles shown at most; fewer when they would not fit.")


class CountriesWidget(WidgetBase):
    kind: Literal["countries"]
    reads: ClassVar[RecordKind] = "metric"
    options: CountriesOptions
