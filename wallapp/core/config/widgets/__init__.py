"""Widget declarations of a layout: where a widget goes, what kind it is, and its typed options.

Each kind has an options model in a module of its own; ``Widget`` is the union of every kind, tagged by
``kind``, so the layout's JSON Schema lets editors validate and complete a widget's options once its kind is
typed. A new kind: a module here, one line in ``Widget``, an item class in ``wallapp.qt.widgets`` and one line
in its ``ITEMS`` (the README's "Adding a widget kind" lists every step).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wallapp.core.config.widgets.alert import AlertOptions, AlertWidget
from wallapp.core.config.widgets.bars import BarsOptions, BarsWidget
from wallapp.core.config.widgets.base import CellPlacement, PixelPlacement, Placement, WidgetBase
from wallapp.core.config.widgets.basic import (
    ClockOptions,
    ClockWidget,
    ImageOptions,
    ImageWidget,
    TextOptions,
    TextWidget,
)
from wallapp.core.config.widgets.chart import ChartOptions, ChartWidget
from wallapp.core.config.widgets.countries import CountriesOptions, CountriesWidget
from wallapp.core.config.widgets.kpi import KpiOptions, KpiWidget
from wallapp.core.config.widgets.posts import (
    PostWallOptions,
    PostWallWidget,
    SpotlightOptions,
    SpotlightWidget,
)
from wallapp.core.config.widgets.ranking import RankingOptions, RankingWidget
from wallapp.core.config.widgets.ticker import TickerOptions, TickerWidget
from wallapp.core.config.widgets.topics import TopicsOptions, TopicsWidget

# One kind per line (kept by fmt: off), so kinds are added side by side.
# fmt: off
Widget = Annotated[
    TextWidget
    | ClockWidget
    | ImageWidget
    | KpiWidget
    | TickerWidget
    | PostWallWidget
    | SpotlightWidget
    | RankingWidget
    | TopicsWidget
    | BarsWidget
    | CountriesWidget
    | AlertWidget
    | ChartWidget,
    Field(discriminator="kind"),
]
# fmt: on

__all__ = [
    "AlertOptions",
    "AlertWidget",
    "BarsOptions",
    "BarsWidget",
    "CellPlacement",
    "ChartOptions",
    "ChartWidget",
    "ClockOptions",
    "ClockWidget",
    "CountriesOptions",
    "CountriesWidget",
    "ImageOptions",
    "ImageWidget",
    "KpiOptions",
    "KpiWidget",
    "PixelPlacement",
    "Placement",
    "PostWallOptions",
    "PostWallWidget",
    "RankingOptions",
    "RankingWidget",
    "SpotlightOptions",
    "SpotlightWidget",
    "TextOptions",
    "TextWidget",
    "TickerOptions",
    "TickerWidget",
    "TopicsOptions",
    "TopicsWidget",
    "Widget",
    "WidgetBase",
]
