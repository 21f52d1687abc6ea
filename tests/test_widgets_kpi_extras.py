"""KPI additions: a delta against a named competitor, and a sparkline of recent values."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from widget_kit import NOW, Bench, count

from wallapp.core.data.records import Metric, SeriesPoint
from wallapp.core.view.series import Recent, latest_series
from wallapp.qt.widgets import WidgetState


def metric(value: float | None, brand: str, minutes: int = 0) -> Metric:
    return Metric(
        name="response_rate",
        value=value,
        measured_at=NOW + timedelta(minutes=minutes),
        dimensions={"brand": brand},
    )


def kpi(**options: Any) -> dict[str, Any]:
    base = {"label": "Response rate", "metric": "response_rate", "format": "percent", "scale": 0.01}
    place = {"screen": [1, 0], "part": [0, 0, 0.5, 0.5]}
    return {"id": "rate", "kind": "kpi", "source": "feed", "place": place, "options": base | options}


def test_recent_values_keep_one_per_time_and_a_bounded_count() -> None:
    recent = Recent(3)
    assert recent.add(1, 10)
    assert not recent.add(1, 10)  # the same reading again
    assert recent.add(1, 11)  # corrected
    assert not recent.add(0, 5)  # older than the last one
    assert not recent.add(2, float("nan"))
    for moment in (2, 3, 4):
        recent.add(moment, moment)
    assert recent.values == [(2, 2), (3, 3), (4, 4)]
    points = [SeriesPoint(series="s", at=NOW + timedelta(minutes=m), value=m) for m in range(5)]
    assert [v for _, v in latest_series(points, "s", 2)] == [3, 4]


@pytest.mark.usefixtures("qapp")
def test_the_delta_compares_with_a_named_competitor(tmp_path: Path) -> None:
    bench = Bench(tmp_path, kpi(where={"brand": "Orbis"}, compare_where={"brand": "Veltra"}, previous=0.5))
    item = bench.item
    bench.feed([metric(87.4, "Orbis"), metric(83.3, "Veltra")])
    assert item.value == pytest.approx(0.874)
    assert item.rival == pytest.approx(0.833)
    compared = item.comparison()
    assert compared is not None
    assert compared[1] == "vs Veltra"
    image = bench.render()
    pos, box = item.scenePos(), item.boundingRect()
    bottom = (pos.x(), pos.y() + box.height() * 0.75, pos.x() + box.width(), pos.y() + box.height())
    assert count(image, bench.colour("positive"), *bottom) > 100  # ahead of the competitor: positive
    # The competitor missing: no delta at all rather than a delta against the previous period.
    bench.feed([metric(87.4, "Orbis")])
    assert item.comparison() is None
    assert item.state is WidgetState.READY
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_sparkline_draws_the_values_the_tile_has_shown(tmp_path: Path) -> None:
    bench = Bench(tmp_path, kpi(where={"brand": "Orbis"}, sparkline=True, sparkline_points=5))
    item = bench.item
    bench.feed([metric(80, "Orbis", 0)], replace=False)
    assert len(item.trail) == 1  # one value: no line yet
    for minute, value in enumerate((82, 79, 85, 88, 90, 91), start=1):
        bench.feed([metric(value, "Orbis", minute)], replace=False)
    assert [round(v, 2) for _, v in item.trail] == [0.79, 0.85, 0.88, 0.9, 0.91]
    image = bench.render()
    image.save(str(tmp_path / "kpi.png"))
    pos, box = item.scenePos(), item.boundingRect()
    band = (pos.x(), pos.y() + box.height() * 0.55, pos.x() + box.width(), pos.y() + box.height())
    assert count(image, bench.colour("accent"), *band) > 100
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_sparkline_from_a_series_of_points(tmp_path: Path) -> None:
    bench = Bench(tmp_path, kpi(where={"brand": "Orbis"}, sparkline_series="rate"))
    item = bench.item
    points = [SeriesPoint(series="rate", at=NOW + timedelta(minutes=m), value=80 + m % 3) for m in range(60)]
    bench.feed([metric(82, "Orbis"), *points, metric(None, "Veltra")])
    assert len(item.trail) == 40
    bench.render()
    bench.close()


def file_kpi() -> dict[str, Any]:
    """A tile a third of a screen wide, as the fault soak's file sources have (a figure of 7 characters)."""
    place = {"screen": [2, 1], "part": [0, 0, 1 / 3, 0.5]}
    return {
        "id": "k",
        "kind": "kpi",
        "source": "feed",
        "place": place,
        "options": {"label": "File", "metric": "n"},
    }


def counting_to(tmp_path: Path, start: float, end: float) -> tuple[Bench, dict[str, float]]:
    """A tile showing ``start``, then ``end`` arriving, its clock a third of the way into the count."""
    ticks = {"t": 100.0}
    bench = Bench(tmp_path, file_kpi(), ticks=lambda: ticks["t"])
    bench.feed([Metric(id="m", name="n", value=start)])
    ticks["t"] += 10
    bench.feed([Metric(id="m", name="n", value=end)])
    ticks["t"] += bench.item.style.theme.motion.count / 3
    return bench, ticks


def test_a_figure_counting_to_a_whole_number_counts_in_whole_numbers(tmp_path: Path) -> None:
    """3,719.4 on the way to 3,720 is wider than where it goes: the soak saw such figures cut."""
    bench, _ = counting_to(tmp_path, 3700, 3720)
    bench.render()
    assert "." not in bench.item._drawn
    assert bench.item._drawn not in ("3,700", "3,720")  # on its way
    bench.close()


def test_a_figure_wider_on_its_way_than_where_it_goes_is_never_cut(tmp_path: Path) -> None:
    bench, _ = counting_to(tmp_path, 1_000_000, 999)  # from 9 characters to 3, in the size of 3
    image = bench.render()
    assert len(bench.item._drawn) > 3
    panel = bench.item.sceneBoundingRect()
    padding = bench.item.style.spacing.padding
    edge = (panel.right() - padding / 2, panel.top(), panel.right(), panel.bottom())
    assert count(image, bench.colour("text"), *edge) == 0  # nothing of the figure over the panel's edge
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_frame_of_the_count_repaints_the_figure_only_and_leaves_what_a_whole_repaint_does(
    tmp_path: Path, qtbot: Any
) -> None:
    """The label, the sparkline and the delta stay as they are while the figure counts: a frame repaints the
    figure's band (at 4K a tile is a quarter of a screen); after the count the window shows what repainting
    it whole shows."""
    from windows_kit import PartScreen

    ticks = {"t": 100.0}
    bench = Bench(tmp_path, kpi(where={"brand": "Orbis"}, sparkline=True), ticks=lambda: ticks["t"])
    item, frames = bench.item, bench.item.context.frames
    bench.feed([metric(71.0, "Orbis")])
    view = PartScreen(bench.scene, item.sceneBoundingRect().adjusted(-20, -20, 20, 20))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: bool(view.painted))
    frames.hold(True)  # the test paints the frames
    ticks["t"] += 10
    bench.feed([metric(84.0, "Orbis", minutes=1)])
    qtbot.waitUntil(lambda: len(view.painted) > 1)  # the new value repaints the tile whole
    band = item.mapToScene(item.frame_area()).boundingRect()
    assert band.height() < item.boundingRect().height() * 0.7  # not the label, nor the sparkline under it
    count_s = item.style.theme.motion.count
    for _ in range(6):
        view.painted.clear()
        ticks["t"] += count_s / 5
        item.update(item.frame_area())
        qtbot.waitUntil(lambda: bool(view.painted))
        on_screen = view.mapFromScene(band).boundingRect()
        assert on_screen.adjusted(-3, -3, 3, 3).contains(view.painted[0].boundingRect())  # Qt adds 2 px
    assert item._drawn == item.shown  # counted to the end
    counted = view.shown()
    assert view.repainted_whole() == (counted, counted)
    bench.close()
