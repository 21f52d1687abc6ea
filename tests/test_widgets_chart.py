"""The time-series chart: rolling windows, ticks, several series, and cheap repaints."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pytest
from widget_kit import NOW, Bench, count, state_of

from wallapp.core.data.records import Metric, SeriesPoint
from wallapp.core.view.series import GAP, nice_ticks, time_ticks, windowed
from wallapp.qt.widgets import WidgetState


def point(series: str, minutes: float, value: float | None) -> SeriesPoint:
    return SeriesPoint(series=series, at=NOW + timedelta(minutes=minutes), value=value)


WIDGET: dict[str, Any] = {
    "id": "trend",
    "kind": "chart",
    "source": "feed",
    "place": {"screen": [1, 1]},
    "options": {"title": "Mentions", "window": 1800, "labels": {"a": "Orbis", "b": "Veltra"}},
}


def test_points_are_windowed_from_the_newest_one() -> None:
    records = [point("a", m, m) for m in range(0, 61, 10)] + [point("b", 55, None), point("b", 60, 3)]
    series = windowed(records, 1800)
    assert list(series) == ["a", "b"]
    assert [v for _, v in series["a"]] == [30, 40, 50, 60]
    at = [(NOW + timedelta(minutes=m)).timestamp() for m in (55, 60)]
    assert series["b"] == [(at[0], GAP), (at[1], 3.0)]  # a gap where the value is missing
    assert list(windowed(records, 1800, ["b", "zzz"])) == ["b"]
    assert windowed([Metric(name="x", value=1)], 60) == {}


def test_ticks_are_round() -> None:
    assert nice_ticks(0, 317) == [0, 100, 200, 300, 400]
    assert nice_ticks(0.62, 0.91) == [0.6, 0.7, 0.8, 0.9, 1.0]
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]
    assert nice_ticks(float("nan"), 1) == []
    assert time_ticks(0, 3600) == [0, 900, 1800, 2700, 3600]
    assert time_ticks(100, 700, 3) == [300, 600]
    assert time_ticks(5, 5) == []


@pytest.mark.usefixtures("qapp")
def test_a_chart_follows_its_store_with_several_series_and_a_legend(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    item = bench.item
    assert item.state is WidgetState.EMPTY
    bench.feed([point("a", m, 100 + m) for m in range(60)] + [point("b", m, 50) for m in range(60)])
    assert state_of(item) is WidgetState.READY
    plot = item.plot
    assert [curve.colour for curve in plot.curves] == ["accent", "positive"]
    assert len(plot.curves[0].x) == 31  # the points of the last 30 minutes
    assert [c.isVisible() for c in item.curves] == [True, True]
    assert [label.lines[0] for _, label in plot.legend] == ["Orbis", "Veltra"]
    assert all(label.px >= item.style.min_px for _, label in plot.values + plot.times)
    image = bench.render()
    pos = item.scenePos()
    area = plot.area.translated(pos)
    box = (area.left(), area.top(), area.right(), area.bottom())
    assert count(image, bench.colour("accent"), *box) > 200
    assert count(image, bench.colour("positive"), *box) > 200
    # No data change, no new layout: the same plot object stays.
    bench.feed([point("a", m, 100 + m) for m in range(60)] + [point("b", m, 50) for m in range(60)])
    assert item.plot is plot
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_bad_points_and_wrong_records(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    bench.feed([Metric(name="x", value=1)])
    assert bench.item.state is WidgetState.ERROR
    assert not any(c.isVisible() for c in [*bench.item.curves, bench.item.shade])  # no line over the notice
    bench.feed([point("a", 0, None), point("a", 1, float("inf"))])
    assert state_of(bench.item) is WidgetState.EMPTY  # the right records, with no value to draw yet
    bench.feed([point("a", 0, 7)])  # one point: a dot of a chart, not a crash
    assert state_of(bench.item) is WidgetState.READY
    bench.render()
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_curves_are_pyqtgraph_items_stroked_as_separate_segments(tmp_path: Path) -> None:
    """What keeps a chart cheap to paint: a wide pen strokes a jagged polyline about 20 times slower than
    the same points as separate segments (measured with wallapp bench; timings stay out of tests)."""
    bench = Bench(tmp_path, WIDGET)
    bench.feed([point(s, m / 20, (m * 7919 % 100) + 10 * i) for i, s in enumerate("abc") for m in range(600)])
    item = bench.item
    assert len(item.curves) == 3
    for curve in item.curves:
        assert isinstance(curve, pg.PlotCurveItem)  # pyqtgraph's curve, created once and given new data
        assert curve.parentItem() is item
        assert len(curve.getData()[0]) > 100
        assert curve.opts["segmentedLineMode"] == "on"
        assert curve.opts["pen"].widthF() == item.spec.options.line_width
    curves = item.curves
    bench.feed([point("a", m, m) for m in range(10)])  # fewer series: items reused, the rest hidden
    assert item.curves == curves
    assert [c.isVisible() for c in curves] == [True, False, False]
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_curves_are_added_while_the_wall_is_on_screen(tmp_path: Path) -> None:
    """pyqtgraph items look for a pyqtgraph view when they join a scene; the wall's views are Qt's own."""
    from PySide6.QtWidgets import QGraphicsView

    bench = Bench(tmp_path, WIDGET)
    view = QGraphicsView(bench.scene)
    view.show()
    bench.feed([point("a", m, m) for m in range(10)])
    bench.feed([point(s, m, m) for s in "abc" for m in range(10)])  # two more curves, on screen
    assert [c.isVisible() for c in bench.item.curves] == [True, True, True]
    view.grab()
    view.close()
    view.deleteLater()
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_chart_spanning_two_screens_runs_its_lines_across_the_seam(tmp_path: Path) -> None:
    wide = {**WIDGET, "place": {"screen": [0, 1], "span": [2, 1]}}
    bench = Bench(tmp_path, wide)
    item = bench.item
    bench.feed([point("a", m, 100 + (m % 7) * 10) for m in range(60)])
    plot = item.plot
    seam = item.seams[0]
    assert plot.area.left() < seam.x < plot.area.right()  # one plot over both screens
    xs = plot.curves[0].x
    assert min(xs) < seam.x < max(xs)
    for x, label in plot.times:  # no time label under the bezel
        assert not (x - label.width() / 2 < seam.right + 18 and x + label.width() / 2 > seam.x - 18)
    image = bench.render()
    pos = item.scenePos()
    right = (
        pos.x() + seam.right + 50,
        pos.y() + plot.area.top(),
        pos.x() + plot.area.right(),
        pos.y() + plot.area.bottom(),
    )
    assert count(image, bench.colour("accent"), *right) > 200  # the line is drawn on the second screen too
    bench.close()


def test_pyqtgraph_loads_only_for_a_wall_that_shows_a_chart() -> None:
    """It takes 0.3 to 0.7 s and about 45 MB: the hub, which has no chart, starts without it (and without
    numpy)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from wallapp.qt.application import application\n"
        "from wallapp.app import build_scene, open_layout\n"
        "from wallapp.core.config.settings import load_settings\n"
        "application(headless=True)\n"
        "build_scene(open_layout(load_settings(), 'hub'))\n"
        "print('pyqtgraph' in sys.modules, 'numpy' in sys.modules)\n"
        "build_scene(open_layout(load_settings(), 'crisis'))\n"
        "print('pyqtgraph' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "True"]  # numpy too (cross-fades load it when they run)
