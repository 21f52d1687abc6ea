"""Canvas items for each widget kind, found by the class of the widget's declaration."""

from __future__ import annotations

from importlib import import_module

from wallapp.core.config.widgets import (
    AlertWidget,
    BarsWidget,
    ChartWidget,
    ClockWidget,
    CountriesWidget,
    ImageWidget,
    KpiWidget,
    PostWallWidget,
    RankingWidget,
    SpotlightWidget,
    TextWidget,
    TickerWidget,
    TopicsWidget,
    Widget,
)
from wallapp.core.view.geometry import Rect
from wallapp.qt.style import Style
from wallapp.qt.widgets.base import Binding, ItemContext, WidgetItem, WidgetState

ITEMS: dict[type[Widget], str] = {
    TextWidget: "text_block.TextItem",
    ClockWidget: "clock.ClockItem",
    ImageWidget: "image.ImageItem",
    KpiWidget: "kpi.KpiItem",
    TickerWidget: "ticker.TickerItem",
    PostWallWidget: "posts.PostWallItem",
    SpotlightWidget: "posts.SpotlightItem",
    RankingWidget: "ranking.RankingItem",
    TopicsWidget: "topics.TopicsItem",
    BarsWidget: "bars.BarsItem",
    CountriesWidget: "countries.CountriesItem",
    AlertWidget: "alert.AlertItem",
    ChartWidget: "chart.ChartItem",
}
"""Each declaration's item class, as ``module.Class`` in this package, imported when first shown: a wall loads
only the items it shows (the chart's pyqtgraph takes 0.3 to 0.7 s and about 45 MB to load)."""


def item_class(declaration: type[Widget]) -> type[WidgetItem]:
    module, name = ITEMS[declaration].rsplit(".", 1)
    item: type[WidgetItem] = getattr(import_module(f"{__name__}.{module}"), name)
    return item


def make_item(spec: Widget, rect: Rect, style: Style, context: ItemContext) -> WidgetItem:
    return item_class(type(spec))(spec, rect, style, context)


__all__ = ["ITEMS", "Binding", "ItemContext", "WidgetItem", "WidgetState", "item_class", "make_item"]
