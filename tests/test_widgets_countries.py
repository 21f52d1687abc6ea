"""The country board: a grid of tiles, values and status colours from thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from widget_kit import NOW, Bench, count, state_of

from wallapp.core.data.records import Metric, Post
from wallapp.core.view.thresholds import Thresholds, level
from wallapp.qt.widgets import WidgetState
from wallapp.qt.widgets.countries import grid

CODES = [f"C{n:02d}" for n in range(30)]


def metric(value: float | None, country: str | None, brand: str = "Orbis") -> Metric:
    dimensions = {"brand": brand} | ({"country": country} if country else {})
    return Metric(name="response_rate", value=value, measured_at=NOW, dimensions=dimensions)


RECORDS = [metric(50 + n * 1.5, code) for n, code in enumerate(CODES)]

WIDGET: dict[str, Any] = {
    "id": "board",
    "kind": "countries",
    "source": "feed",
    "place": {"screen": [0, 1]},
    "options": {
        "title": "Response rate",
        "metric": "response_rate",
        "where": {"brand": "Orbis"},
        "format": "percent",
        "scale": 0.01,
        "decimals": 0,
        "thresholds": {"warning": 0.8, "critical": 0.7},
        "labels": {"C00": "Country zero"},
    },
}


def test_levels_and_grids() -> None:
    rate = Thresholds(warning=0.8, critical=0.7)
    assert [level(rate, v) for v in (0.9, 0.8, 0.75, 0.7, 0.1)] == [
        "positive",
        "warning",
        "warning",
        "critical",
        "critical",
    ]
    delay = Thresholds(warning=1800, critical=3600, higher_is_worse=True)
    assert [level(delay, v) for v in (60, 1800, 4000)] == ["positive", "warning", "critical"]
    assert level(None, 3) is None
    assert grid(30, 1800, 900) == (6, 5)
    assert grid(30, 900, 1800) == (3, 10)
    assert grid(7, 1000, 1000, columns=3) == (3, 3)
    assert grid(0, 100, 100) == (1, 0)


@pytest.mark.usefixtures("qapp")
def test_the_board_shows_every_country_with_its_status(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    item = bench.item
    assert item.state is WidgetState.EMPTY
    bench.feed(RECORDS)
    assert state_of(item) is WidgetState.READY
    assert len(item.tiles) == 30
    assert item.cells == (6, 5)
    first = item.tiles[0]
    assert (first.code.lines, first.value.lines, first.level) == (("C00",), ("50\u2009%",), "critical")
    assert first.name is not None
    assert first.name.lines == ("Country zero",)
    assert item.tiles[-1].level == "positive"  # 93.5 %
    assert {t.code.px for t in item.tiles} == {item.tiles[0].value.px}  # one size for the board
    assert all(t.code.px >= item.style.min_px for t in item.tiles)
    image = bench.render()
    pos, box = item.scenePos(), item.boundingRect()
    y0, y1 = pos.y(), pos.y() + box.height()
    assert count(image, bench.colour("critical"), pos.x(), y0, pos.x() + box.width(), y1) > 200
    assert count(image, bench.colour("positive"), pos.x(), y0, pos.x() + box.width(), y1) > 200
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_bad_data_is_said_not_drawn_blank(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    bench.feed([metric(80, None)])  # no country dimension
    assert bench.item.state is WidgetState.ERROR
    assert bench.item.notice.headline == "No dimension 'country' on metric 'response_rate'"
    assert bench.item.notice.detail == "Known: brand"
    bench.feed([Post(id="p", text="x")])
    assert bench.item.notice.headline == "Source 'feed' has posts, not metrics"
    bench.feed([metric(85, "FR"), metric(99, "FR", brand="Veltra")])
    assert [t.bar.key for t in bench.item.tiles] == ["FR"]
    assert bench.item.tiles[0].level == "positive"
    bench.render()
    bench.close()
