"""The ticker: position as a function of time, no jump and no gap when items change, real painting."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFontMetricsF
from pytestqt.qtbot import QtBot
from windows_kit import PartScreen

from wallapp.app import build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.view.tape import Tape, offset_at
from wallapp.qt import snapshot
from wallapp.qt.widgets import WidgetState
from wallapp.qt.widgets.ticker import TickerItem


def tape(gap: float = 10) -> Tape:
    return Tape(lambda text: 10.0 * len(text), gap)


def test_the_offset_is_speed_times_elapsed_time_in_whole_pixels() -> None:
    assert offset_at(100.0, 90.0, 120.0) == 1200.0
    assert offset_at(100.004, 100.0, 120.0) == 0.0  # 0.48 px: not yet a whole pixel
    assert offset_at(100.5, 100.0, 120.0) == 60.0


def test_the_strip_is_filled_end_to_end_with_a_constant_gap() -> None:
    strip = tape()
    strip.set_items(["alpha", "be"])
    shown = strip.visible(0, 200)
    assert [(s.text, s.start, s.width) for s in shown] == [
        ("alpha", 0, 50),
        ("be", 60, 20),
        ("alpha", 90, 50),
        ("be", 150, 20),
        ("alpha", 180, 50),
    ]


def test_new_items_join_at_the_end_without_moving_what_is_shown() -> None:
    strip = tape()
    strip.set_items(["one", "two"])
    before = strip.visible(0, 100)
    strip.set_items(["three"])
    after = strip.visible(0, 100)
    assert after == before  # nothing on screen moved
    later = strip.visible(100, 100)
    texts = [s.text for s in later]
    assert "three" in texts
    # No gap: consecutive segments are exactly one gap apart.
    for first, second in itertools.pairwise(later):
        assert second.start - first.end == 10


def test_segments_that_left_are_forgotten() -> None:
    strip = tape()
    strip.set_items(["x" * 5])
    for offset in range(0, 100_000, 500):
        strip.visible(offset, 300)
    assert len(strip.visible(100_000, 300)) <= 6


def ticker_layout(write_json: Any, items: list[str]) -> Any:
    """A layout with one ticker along the bottom row, crossing both seams, at 200 px/s."""
    widget = {
        "id": "t",
        "kind": "ticker",
        "place": {"screen": [0, 1], "span": [3, 1], "part": [0, 0.85, 1, 0.15]},
        "options": {"items": items, "speed": 200},
    }
    return write_json("ticker.json", {"name": "Ticker", "widgets": [widget]})


@pytest.mark.usefixtures("qapp")
def test_the_ticker_crawls_across_the_seams_at_its_speed(write_json: Any) -> None:
    path = ticker_layout(write_json, ["Network restored in Lyon", "New tariffs announced"])
    moment = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    clock = {"now": moment}
    scene = build_scene(open_layout(load_settings(), str(path)), now=lambda: clock["now"])
    item = scene.items_by_id["t"]
    assert isinstance(item, TickerItem)
    first = item.offset()
    clock["now"] = moment + timedelta(seconds=1.5)
    assert item.offset() - first == 300
    image = snapshot.render(scene, 1.0)
    # Text pixels on every screen of the bottom row: one strip across the seams.
    top = int(item.y() + item.boundingRect().height() / 2) - 20
    for left in (0, 1926, 3852):
        bright = sum(
            1
            for x in range(left, left + 1920, 4)
            for y in range(top, top + 40, 4)
            if QColor(image.pixel(x, y)).lightness() > 180
        )
        assert bright > 20, left


@pytest.mark.usefixtures("qapp")
def test_the_crawl_copies_pictures_that_look_like_the_text_and_keeps_only_those_on_the_strip(
    write_json: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np
    from PySide6.QtGui import QImage

    from wallapp.qt.widgets import ticker

    items = ["Network restored in Lyon 🎉", "خدمة ممتازة من @Orbis_Care", "Nouveaux tarifs · 5G"]
    path = ticker_layout(write_json, items)
    clock = {"now": datetime(2026, 11, 22, 12, 0, 0, 250_000, tzinfo=UTC)}
    scene = build_scene(open_layout(load_settings(), str(path)), now=lambda: clock["now"])
    item = scene.items_by_id["t"]
    assert isinstance(item, TickerItem)

    def strip() -> np.ndarray:
        image = snapshot.render(scene, 1.0).convertToFormat(QImage.Format.Format_RGB32)
        pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)
        box = item.sceneBoundingRect().toAlignedRect()
        return pixels[box.top() : box.bottom(), box.left() : box.right(), :3].astype(int)

    copied = strip()
    assert {headline for headline, _ in item._pictures} <= set(items)
    monkeypatch.setattr(ticker, "WIDEST_PICTURE", 0)  # every headline drawn as text
    drawn = strip()
    # The same text at the same pixels: about 0.8 here (edges smoothed over transparency, not over the
    # panel), 4 when a pixel off.
    assert np.abs(copied - drawn).mean() < 2.0
    assert (copied.max(axis=2) > 180).sum() > 2000  # and there is text
    monkeypatch.undo()
    item.set_items(["Only this one now"])
    clock["now"] += timedelta(minutes=10)  # the old headlines have crawled off
    strip()
    assert {headline for headline, _ in item._pictures} == {"Only this one now"}


@pytest.mark.usefixtures("qapp")
def test_a_ticker_without_items_waits_for_data(write_json: Any) -> None:
    path = write_json(
        "empty.json",
        {
            "name": "Empty",
            "widgets": [
                {
                    "id": "t",
                    "kind": "ticker",
                    "place": {"screen": [0, 1], "span": [3, 1], "part": [0, 0.85, 1, 0.15]},
                },
            ],
        },
    )
    scene = build_scene(open_layout(load_settings(), str(path)))
    assert scene.items_by_id["t"].state is WidgetState.EMPTY


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("height", [64, 90, 120, 200])
def test_a_ticker_in_a_short_box_keeps_its_text_inside(write_json: Any, height: int) -> None:
    """The text shrinks to the strip (down to the floor); a strip shorter than a line at the floor shows
    none rather than letters cut by its edges."""
    from wallapp.qt import text

    widget = {
        "id": "t",
        "kind": "ticker",
        "place": {"rect": [0, 0, 1920, height]},
        "options": {"items": ["Lyon"]},
    }
    path = write_json("short.json", {"name": "Short", "widgets": [widget]})
    scene = build_scene(open_layout(load_settings(), str(path)))
    item = scene.items_by_id["t"]
    assert isinstance(item, TickerItem)
    with text.recording() as runs:
        snapshot.render(scene, 1.0)
    if height == 64:  # a strip of 32 px: under the 43.6 px line of the 32 px floor
        assert runs == []
    else:  # each headline's picture is as tall as the strip: the line stays inside it
        assert runs
        strip = item.strip_rect().height()
        assert all(run.box.top() >= -0.5 and run.box.bottom() <= strip + 0.5 for run in runs)
        assert all(run.px >= item.style.min_px for run in runs)
    scene.dispose()


def test_with_an_origin_the_strip_is_laid_from_it_whenever_it_is_first_shown() -> None:
    # Items 60 and 30 wide with their gaps: a cycle of 90 px from the origin at 1000.
    early, late = Tape(lambda t: 10.0 * len(t), 10, 1000.0), Tape(lambda t: 10.0 * len(t), 10, 1000.0)
    for strip in (early, late):
        strip.set_items(["alpha", "be"])
    assert [(s.text, s.start) for s in early.visible(1000, 100)] == [
        ("alpha", 1000),
        ("be", 1060),
        ("alpha", 1090),
    ]
    for offset in range(1000, 9035, 7):  # crawling all along
        early.visible(offset, 100)
    # Shown first much later: the same headlines at the same places as the strip shown all along.
    assert late.visible(9035, 100) == early.visible(9035, 100)
    assert [(s.text, s.start) for s in late.visible(9035, 100)] == [
        ("alpha", 9010),
        ("be", 9070),
        ("alpha", 9100),
    ]
    # Before the origin too (a clock a little behind): the cycle goes back as well.
    before = Tape(lambda t: 10.0 * len(t), 10, 1000.0)
    before.set_items(["alpha", "be"])
    assert [(s.text, s.start) for s in before.visible(995, 10)] == [("be", 970), ("alpha", 1000)]


def test_new_items_start_at_the_same_place_on_two_strips_that_hear_of_them_apart() -> None:
    # Items 60 and 30 wide with their gaps, a strip 100 px wide; the items change when it is at 1000
    # (its right end at 1100): one strip hears of it then, the other once it is at 1060.
    strips = [Tape(lambda t: 10.0 * len(t), 10, 0.0) for _ in range(4)]
    for strip in strips:
        strip.set_items(["alpha", "be"])
        strip.visible(990, 100)  # "alpha" at 990, "be" at 1050, "alpha" at 1080
    prompt, late, prompt_old, late_old = strips
    for strip in (late, late_old):
        strip.visible(1060, 100)  # meanwhile the late one lays "be" at 1140
    prompt.set_items(["new"], since=1100)
    late.set_items(["new"], since=1100)
    assert prompt.visible(1060, 100) == late.visible(1060, 100)
    assert [(s.text, s.start) for s in late.visible(1060, 100)] == [
        ("be", 1050),
        ("alpha", 1080),
        ("new", 1140),
    ]
    # Without the instant (a single PC), each lays the new items after what it had laid.
    prompt_old.set_items(["new"])
    late_old.set_items(["new"])
    assert prompt_old.visible(1060, 100) != late_old.visible(1060, 100)


def test_a_frame_of_the_crawl_repaints_its_line_only_and_leaves_what_a_whole_repaint_does(
    write_json: Any, qtbot: QtBot
) -> None:
    """A frame repaints the line of text, not the strip's padding (a third of a 4K repaint), nor the
    background under the panel; after frames of crawling the screen shows what repainting it whole shows,
    and that is what filling the whole background first shows (the panel's rounded end included)."""
    items = ["Network restored in Lyon 🎉 ÉÇÀ gjpqy", "خدمة ممتازة من @Orbis_Care", "Nouveaux tarifs · 5G"]
    path = ticker_layout(write_json, items)
    clock = {"now": datetime(2026, 11, 22, 12, 0, 0, 250_000, tzinfo=UTC)}
    scene = build_scene(open_layout(load_settings(), str(path)), now=lambda: clock["now"])
    assert scene.context.frames is not None
    scene.context.frames.stop()  # the test moves the strip
    item = scene.items_by_id["t"]
    assert isinstance(item, TickerItem)
    height = item.boundingRect().height() + 40
    # The left screen shows the strip's rounded end; on the middle one, a frame is inside the panel.
    screens = [PartScreen(scene, QRectF(left, item.y() - 20, 1920, height)) for left in (0, 1926)]
    for view in screens:
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: all(view.painted for view in screens))

    # The line of text and a margin, not the strip with its padding.
    line = QFontMetricsF(item.style.font(item.spec.options.role, strong=True)).lineSpacing()
    band = item.mapToScene(item.frame_area()).boundingRect()
    assert band.height() <= line + item.style.spacing.padding + 2 < item.boundingRect().height()
    for _ in range(12):
        for view in screens:
            view.painted.clear()
        clock["now"] += timedelta(seconds=0.37)
        item.update(item.frame_area())
        qtbot.waitUntil(lambda: all(view.painted for view in screens))
        for view in screens:
            on_screen = view.mapFromScene(band).boundingRect()
            assert on_screen.adjusted(-3, -3, 3, 3).contains(view.painted[0].boundingRect())  # Qt adds 2 px
    for view in screens:
        crawled = view.shown()
        assert view.repainted_whole() == (crawled, crawled)
    scene.dispose()
