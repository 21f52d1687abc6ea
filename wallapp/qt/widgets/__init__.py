"""Canvas items for each widget kind."""

from __future__ import annotations

from wallapp.core.config.widgets import Widget
from wallapp.core.view.geometry import Rect
from wallapp.qt.style import Style
from wallapp.qt.widgets.alert import AlertItem
from wallapp.qt.widgets.bars import BarsItem
from wallapp.qt.widgets.base import Binding, ItemContext, WidgetItem, WidgetState
from wallapp.qt.widgets.clock import ClockItem
from wallapp.qt.widgets.countries import CountriesItem
from wallapp.qt.widgets.image import ImageItem
from wallapp.qt.widgets.kpi import KpiItem
from wallapp.qt.widgets.posts import PostWallItem, SpotlightItem
from wallapp.qt.widgets.ranking import RankingItem
from wallapp.qt.widgets.text_block import TextItem
from wallapp.qt.widgets.ticker import TickerItem
from wallapp.qt.widgets.topics import TopicsItem

ITEMS: dict[str, type[WidgetItem]] = {
    "text": TextItem,
    "clock": ClockItem,
    "image": ImageItem,
    "kpi": KpiItem,
    "ticker": TickerItem,
    "posts": PostWallItem,
    "spotlight": SpotlightItem,
    "ranking": RankingItem,
    "topics": TopicsItem,
    "bars": BarsItem,
    "countries": CountriesItem,
    "alert": AlertItem,
}
"""Item classes by widget kind; charts load apart (``item_class``)."""


def item_class(kind: str) -> type[WidgetItem]:
    if kind == "chart":
        # pyqtgraph takes 0.3 to 0.7 s and about 45 MB to load: only walls that show a chart pay for it.
        from wallapp.qt.widgets.chart import ChartItem

        return ChartItem
    return ITEMS[kind]


def make_item(spec: Widget, rect: Rect, style: Style, context: ItemContext) -> WidgetItem:
    return item_class(spec.kind)(spec, rect, style, context)


__all__ = ["ITEMS", "Binding", "ItemContext", "WidgetItem", "WidgetState", "item_class", "make_item"]
