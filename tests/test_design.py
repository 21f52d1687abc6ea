"""The design rules as painted: text sized to its room, one size per row of cards, the spotlight as a
hero, figures that count, motion timed by the theme."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QFontMetricsF
from widget_kit import NOW, Bench, count

from wallapp.core.config.settings import load_settings
from wallapp.core.config.theme import load_theme
from wallapp.core.data.records import Metric, Post
from wallapp.core.view.sizing import ladder
from wallapp.qt import text
from wallapp.qt.style import Style

pytestmark = pytest.mark.usefixtures("qapp")


def dark() -> Style:
    return Style(load_theme(load_settings().themes().path("dark")))


def post(n: int, words: str, **fields: Any) -> Post:
    return Post(
        id=f"p{n}",
        handle=f"user{n}",
        author_name=f"User {n}",
        text=words,
        created_at=NOW - timedelta(minutes=n),
        reach=100 - n,
        sentiment="positive",
        lang="en",
        **fields,
    )


LONG = " ".join(["Fibre installed today and the speed test shows 940 Mbps down, thanks @Orbis_Care"] * 3)


def test_short_text_on_a_large_box_takes_the_most_and_long_text_stays_whole() -> None:
    style = dark()
    short = text.fit(style, "Bravo!", 1500, 600, "title", most=150)
    assert short.px == 150
    long = text.fit(style, LONG, 1500, 600, "title", most=150)
    assert style.min_px < long.px < 150
    assert not long.elided
    assert " ".join(long.lines).split() == LONG.split()
    assert long.height <= 600
    # The largest that fits: one step up the ladder it would not.
    rungs = ladder(style.min_px, 150)
    above = style.font("title", px=rungs[rungs.index(long.px) - 1])
    lines = text.wrap(LONG, above, 1500)
    assert len(lines) * QFontMetricsF(above).lineSpacing() > 600


def test_with_no_room_sized_text_shrinks_to_the_floor_and_elides_as_before() -> None:
    style = dark()
    block = text.fit(style, LONG, 400, 100, "title", most=150)
    assert block.px == style.min_px
    assert block.elided


def test_balanced_lines_keep_their_count_and_words_and_even_out() -> None:
    style = dark()
    font = style.font("body")
    words = " ".join(["Orbis"] * 10 + ["ok"])
    width = QFontMetricsF(font).horizontalAdvance(" ".join(["Orbis"] * 5)) + 2
    block = text.fit(style, words, width, 1000, "body")
    assert block.lines[-1] == "ok"  # filled greedily: the last word alone
    even = text.balanced(block, words, width)
    assert len(even.lines) == len(block.lines) == 3
    assert " ".join(even.lines).split() == words.split()
    assert [len(line.split()) for line in even.lines] == [4, 4, 3]
    assert text.balanced(even, words, width).lines == even.lines  # balanced already: as it is


def test_balancing_never_breaks_inside_words_of_a_script_without_spaces() -> None:
    style = dark()
    words = "@OrbisTelecomの新しい#DataProtectionプラン、どうなんだろう？"
    block = text.fit(style, words, 700, 700, "title", most=152)
    assert text.balanced(block, words, 700) == block


WALL = {
    "id": "wall",
    "kind": "posts",
    "source": "feed",
    "place": {"screen": [0, 1], "span": [2, 1]},
    "options": {"columns": 4, "rows": 2, "dwell": 0},
}


def test_the_cards_of_a_row_share_one_size_and_a_row_of_short_posts_is_larger(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WALL)
    wall = bench.item
    # Reading order, screen by screen: p0 p1 / p2 p3 on the first screen, p4 p5 / p6 p7 on the second.
    # Rows across the wall: p0 p1 p4 p5 (one long post among them) and p2 p3 p6 p7 (all short).
    texts = {0: "Bravo #Fibre", 1: LONG, 2: "Merci", 3: "Top #5G", 4: "Super", 5: "Yes", 6: "Wow", 7: "Ok"}
    bench.feed([post(n, words) for n, words in texts.items()])
    with text.recording() as runs:
        bench.render()
    drawn: dict[str, set[int]] = defaultdict(set)
    for run in runs:
        for n, words in texts.items():
            if run.text in words and run.text.split()[0] == words.split()[0]:
                drawn[f"p{n}"].add(run.px)
    first, second = ["p0", "p1", "p4", "p5"], ["p2", "p3", "p6", "p7"]
    assert len({px for p in first for px in drawn[p]}) == 1, drawn
    assert len({px for p in second for px in drawn[p]}) == 1, drawn
    (row_one,) = drawn["p0"]
    (row_two,) = drawn["p2"]
    style = wall.style
    assert style.text.size("body") < row_two <= style.theme.grow.card  # room to grow: it grows
    assert style.min_px <= row_one < row_two  # the long post sets its row's size, whole
    long_lines = [r.text for r in runs if r.px == row_one and r.text in LONG]
    assert " ".join(long_lines).split() == LONG.split()
    bench.close()


SPOT = {"id": "spot", "kind": "spotlight", "source": "feed", "place": {"screen": [1, 0]}}


def test_the_spotlight_shows_a_short_post_large_beside_its_picture(tmp_path: Path) -> None:
    bench = Bench(tmp_path, SPOT)
    bench.feed([post(1, "Enfin la fibre à la maison ! Bravo Orbis", media_url="https://cdn.example/p.jpg")])
    with text.recording() as runs:
        image = bench.render()
    style = bench.item.style
    body = [r for r in runs if r.text in "Enfin la fibre à la maison ! Bravo Orbis"]
    assert body
    (px,) = {r.px for r in body}
    assert style.text.size("title") < px <= style.theme.grow.spotlight  # larger than any title
    # The author's name is large too, in the title role.
    assert any(r.text == "User 1" and r.px >= style.text.size("title") * 0.9 for r in runs)
    # The picture (its place, until it arrives) fills the right part of the screen, top to bottom.
    pos, box = bench.item.scenePos(), bench.item.boundingRect()
    right = (pos.x() + box.width() * 0.6, pos.y(), pos.x() + box.width(), pos.y() + box.height())
    share = count(image, bench.colour("surface_alt"), *right) / (box.width() * 0.4 * box.height() / 4)
    assert share > 0.7
    # The text sits to the left of the picture, centred in the height left under the author.
    assert all(r.box.right() < pos.x() + box.width() * 0.6 for r in body)
    bench.close()


def test_the_spotlight_keeps_a_long_post_whole(tmp_path: Path) -> None:
    bench = Bench(tmp_path, SPOT)
    bench.feed([post(1, LONG)])
    with text.recording() as runs:
        bench.render()
    lines = [r for r in runs if r.text in LONG and r.px >= bench.item.style.min_px]
    assert " ".join(r.text for r in lines).split() == LONG.split()
    assert bench.item.style.text.size("body") < lines[0].px < bench.item.style.theme.grow.spotlight
    bench.close()


def rate(value: float) -> Metric:
    return Metric(name="response_rate", value=value, measured_at=NOW, dimensions={"brand": "Orbis"})


KPI = {
    "id": "rate",
    "kind": "kpi",
    "source": "feed",
    "place": {"screen": [1, 0], "part": [0, 0, 0.5, 0.5]},
    "options": {"label": "Response rate", "metric": "response_rate", "format": "percent", "scale": 0.01},
}


def figures(bench: Bench) -> list[str]:
    bench.item.update()  # as the frame clock does while it moves
    with text.recording() as runs:
        bench.render()
    return [r.text for r in runs if r.text.endswith("%") or r.text[:1].isdigit()]


def test_a_kpi_counts_to_its_new_value_over_the_themes_time(tmp_path: Path) -> None:
    clock = {"t": 50.0}
    bench = Bench(tmp_path, KPI, ticks=lambda: clock["t"])
    item = bench.item
    bench.feed([rate(70.0)])
    assert "70.0" in " ".join(figures(bench))  # the first value at once
    bench.feed([rate(80.0)])
    assert "70.0" in " ".join(figures(bench))  # not a jump: it starts where it was
    assert item.context.frames.is_animating(item)
    duration = item.style.theme.motion.count
    clock["t"] += duration / 2
    halfway = " ".join(figures(bench))
    assert "75.0" in halfway  # eased in and out: half the way at half the time
    assert item.context.frames.is_animating(item)
    clock["t"] += duration
    assert "80.0" in " ".join(figures(bench))
    assert not item.context.frames.is_animating(item)
    bench.close()


def test_a_kpi_figure_grows_into_a_large_tile(tmp_path: Path) -> None:
    bench = Bench(tmp_path, {**KPI, "place": {"screen": [1, 0]}})
    bench.feed([rate(70.0)])
    with text.recording() as runs:
        bench.render()
    figure = next(r for r in runs if r.text.startswith("70.0"))
    assert figure.px > bench.item.style.text.size("display")
    assert figure.px <= bench.item.style.theme.grow.figure
    bench.close()


def test_ranking_rows_glide_for_the_themes_time_unless_the_layout_says(tmp_path: Path) -> None:
    widget = {"id": "people", "kind": "ranking", "source": "feed", "place": {"screen": [0, 0]}}
    bench = Bench(tmp_path, widget)
    assert bench.item.glide.duration == bench.item.style.theme.motion.move
    bench.close()
    bench = Bench(tmp_path, {**widget, "options": {"move_ms": 250}})
    assert bench.item.glide.duration == 0.25
    bench.close()


def test_a_card_entering_the_wall_rises_into_place_over_the_themes_time(tmp_path: Path) -> None:
    clock = {"t": 10.0}
    bench = Bench(tmp_path, WALL, ticks=lambda: clock["t"])
    wall = bench.item
    bench.feed([post(n, f"Post {n}") for n in range(1, 9)])
    bench.feed([post(0, "Post 0")], replace=False)
    motion = wall._motions["p0"]
    assert motion.fade_in
    assert motion.duration == wall.style.theme.motion.enter
    assert motion.start.y() > motion.end.y()  # from below its place
    bench.close()


def test_a_counting_figure_repaints_only_when_what_it_shows_changes(tmp_path: Path) -> None:
    clock = {"t": 50.0}
    bench = Bench(tmp_path, KPI, ticks=lambda: clock["t"])
    item = bench.item
    bench.feed([rate(70.0)])
    bench.feed([rate(70.2)])  # by tenths: three figures in all over the count
    figures(bench)
    duration = item.style.theme.motion.count
    clock["t"] += duration * 0.05
    assert not item.frame_changed()  # still "70.0 %": no repaint for this frame
    clock["t"] += duration * 0.45
    assert item.frame_changed()  # "70.1 %" now
    figures(bench)
    assert not item.frame_changed()
    clock["t"] += duration
    assert item.frame_changed()  # the count is over: the last frame, which stops the clock
    bench.close()


def test_the_spotlight_turns_through_its_bare_panel_never_the_canvas(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    clock = {"now": NOW}
    bench = Bench(tmp_path, SPOT, now=lambda: clock["now"])
    spot = bench.item
    bench.feed([post(1, "Bravo Orbis"), post(2, "Merci pour la fibre")])
    every = spot.spec.options.every
    turned = (NOW.timestamp() // every + 1) * every  # the next turn after the first post
    clock["now"] = datetime.fromtimestamp(turned + spot.style.theme.motion.turn / 2, UTC)
    spot.update()
    image = bench.render()
    pos, box = spot.scenePos(), spot.boundingRect()
    inside = (pos.x() + 100, pos.y() + 100, pos.x() + box.width() - 100, pos.y() + box.height() - 100)
    plain = count(image, bench.colour("surface"), *inside)
    assert plain >= (box.width() - 200) * (box.height() - 200) / 4 * 0.99  # every other pixel: the panel
    assert spot.context.frames.is_animating(spot)
    bench.close()


def test_the_next_hero_is_painted_ahead_of_its_turn(tmp_path: Path) -> None:
    bench = Bench(tmp_path, SPOT)
    spot = bench.item
    bench.feed([post(1, "Bravo Orbis"), post(2, "Merci pour la fibre"), post(3, "Top")])
    bench.render()
    assert spot._ahead.isActive()  # set for halfway to the next turn
    painted = len(spot._cards._images)
    spot._ahead.timeout.emit()
    assert len(spot._cards._images) == painted + 1  # the next post, ready before its first frame
    bench.render()  # a frame later, kept all the same
    assert len(spot._cards._images) == painted + 1
    bench.close()
