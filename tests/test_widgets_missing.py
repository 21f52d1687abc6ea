"""Widgets given missing values (NaN, null, text that is not a number) say "no value" and never raise.

A KPI shows the phrase in the muted colour without a status stripe; a delta against a missing value is
left out; bars and country boards keep the row or tile and mark it; a chart leaves a gap in its line.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from widget_kit import NOW, Bench, count

from wallapp.core.data.records import Metric, SeriesPoint
from wallapp.core.view.formatting import NO_VALUE
from wallapp.qt.widgets import WidgetState

pytestmark = pytest.mark.usefixtures("qapp")


def metric(value: Any, **dimensions: str) -> Metric:
    return Metric(name="response_time", value=value, measured_at=NOW, dimensions=dimensions)


DELAYS = {
    "metric": "response_time",
    "format": "duration",
    "thresholds": {"warning": 1800, "critical": 3600, "higher_is_worse": True},
}


def bound(kind: str, place: dict[str, Any], **options: Any) -> dict[str, Any]:
    """A widget of ``kind`` on the bench's source."""
    return {"id": kind, "kind": kind, "source": "feed", "place": place, "options": options}


def kpi(**options: Any) -> dict[str, Any]:
    place = {"screen": [1, 0], "part": [0, 0, 0.5, 0.5]}
    return bound("kpi", place, label="Time to respond", **(DELAYS | options))


def band(item: Any, top: float, bottom: float) -> tuple[float, float, float, float]:
    """A horizontal band of an item, as fractions of its height, in canvas coordinates."""
    pos, box = item.scenePos(), item.boundingRect()
    return pos.x(), pos.y() + box.height() * top, pos.x() + box.width(), pos.y() + box.height() * bottom


def test_a_missing_competitor_leaves_out_the_delta_and_the_tile_still_paints(tmp_path: Path) -> None:
    bench = Bench(tmp_path, kpi(where={"brand": "Orbis"}, compare_where={"brand": "Veltra"}))
    item = bench.item
    bench.feed([metric(1200, brand="Orbis"), metric("NaN", brand="Veltra")])
    assert item.state is WidgetState.READY
    assert item.value == 1200
    assert item.comparison() is None
    image = bench.render()  # painting used to raise here, on every repaint, leaving the tile blank
    assert count(image, bench.colour("text"), *band(item, 0.3, 0.75)) > 500  # the figure is drawn
    bench.close()


@pytest.mark.parametrize("missing", [None, "NaN", float("nan"), "Infinity", "n/a"])
def test_a_missing_value_reads_no_value_in_muted_colour_without_a_status_stripe(
    tmp_path: Path, missing: Any
) -> None:
    bench = Bench(tmp_path, kpi(where={"brand": "Orbis"}, previous=1500))
    item = bench.item
    bench.feed([metric(missing, brand="Orbis")])
    assert item.state is WidgetState.READY
    assert item.value is None
    assert item.shown == NO_VALUE
    image = bench.render()
    stripe = band(item, 0.0, 0.06)
    for status in ("positive", "warning", "critical"):
        assert count(image, bench.colour(status), *stripe) == 0, status
        assert count(image, bench.colour(status), *band(item, 0.2, 1.0)) == 0, status  # no delta either
    assert count(image, bench.colour("text_muted"), *band(item, 0.3, 0.75)) > 300
    assert count(image, bench.colour("text"), *band(item, 0.3, 0.75)) == 0
    bench.close()


def test_a_mean_over_countries_says_how_many_had_no_value(tmp_path: Path) -> None:
    bench = Bench(tmp_path, kpi(aggregate="mean"))
    item = bench.item
    bench.feed([metric(600 + n * 60, country=f"C{n}") for n in range(9)] + [metric(None, country="C9")])
    assert item.value == pytest.approx(840)
    assert item.note == "1 of 10 without value"
    image = bench.render()
    assert count(image, bench.colour("text_muted"), *band(item, 0.8, 1.0)) > 100
    bench.feed([metric(600 + n * 60, country=f"C{n}") for n in range(10)])
    assert item.note == ""
    bench.close()


BOARD = bound("countries", {"screen": [0, 1]}, title="Time to respond", columns=3, **DELAYS)


def test_a_country_without_value_keeps_its_tile_marked_no_value(tmp_path: Path) -> None:
    bench = Bench(tmp_path, BOARD)
    item = bench.item
    bench.feed([metric(600, country="FR"), metric("NaN", country="SN"), metric(4000, country="EG")])
    assert item.state is WidgetState.READY
    assert [(t.bar.key, t.value.lines[0], t.level) for t in item.tiles] == [
        ("FR", "10 min", "positive"),
        ("SN", NO_VALUE, None),
        ("EG", "1 h 06 min", "critical"),
    ]
    image = bench.render()
    pos, area = item.scenePos(), item.area()
    width, height = item.tile_size()
    gap = item.gap()
    left = pos.x() + area.left() + width + gap  # the middle tile
    top = pos.y() + area.top()
    box = (left, top, left + width, top + height)
    assert count(image, bench.colour("positive"), left, top, left + width, top + 20) == 0  # no stripe
    assert count(image, bench.colour("text_muted"), *box) > 100
    bench.close()


BARS = bound(
    "bars",
    {"screen": [2, 0], "part": [0, 0, 1, 0.5]},
    metric="response_time",
    format="duration",
    by="brand",
    sort="ascending",
)


def test_a_brand_without_value_keeps_its_row_after_the_others(tmp_path: Path) -> None:
    bench = Bench(tmp_path, BARS)
    item = bench.item
    bench.feed([metric("NaN", brand="Kairo"), metric(900, brand="Orbis"), metric(1200, brand="Veltra")])
    assert [(s.bar.key, s.value.lines[0]) for s in item.bars] == [
        ("Orbis", "15 min"),
        ("Veltra", "20 min"),
        ("Kairo", NO_VALUE),
    ]
    assert item.bars[2].share == 0.0
    image = bench.render()
    pos, area = item.scenePos(), item.area()
    height, _ = item.rows()
    gap = item.style.spacing.padding / 4
    row = pos.y() + area.top() + 2 * (height + gap)
    track = (pos.x() + area.center().x() - 100, row, pos.x() + area.center().x() + 100, row + height)
    assert count(image, bench.colour("text_muted"), *track) == 0  # no bar at all
    right = pos.x() + area.right()
    assert count(image, bench.colour("text_muted"), right - 150, row, right, row + height) > 50
    bench.close()


CHART = bound("chart", {"screen": [1, 1]}, title="Mentions", window=1800, fill=False)


def test_a_chart_leaves_a_gap_where_a_value_is_missing(tmp_path: Path) -> None:
    bench = Bench(tmp_path, CHART)
    item = bench.item
    values: list[Any] = [100.0] * 31
    values[10:13] = [None, "NaN", float("nan")]
    bench.feed(
        [SeriesPoint(series="a", at=NOW + timedelta(minutes=m), value=v) for m, v in enumerate(values)]
    )
    assert item.state is WidgetState.READY
    curve = item.plot.curves[0]
    assert np.isnan(curve.y[10:13]).all()
    image = bench.render()
    area = item.plot.area.translated(item.scenePos())
    step = area.width() / 30
    accent = bench.colour("accent")
    assert (
        count(image, accent, area.left() + 2 * step, area.top(), area.left() + 8 * step, area.bottom()) > 50
    )
    gap = (area.left() + 10 * step, area.top(), area.left() + 12 * step, area.bottom())
    assert count(image, accent, *gap) == 0
    bench.close()
