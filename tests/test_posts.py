"""The post wall and the spotlight: posts as cards, never under a seam, moving smoothly, taking turns."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from widget_kit import state_of

from wallapp.app import build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.data.demo import identicon
from wallapp.core.data.records import Post
from wallapp.core.data.store import Store
from wallapp.qt import snapshot
from wallapp.qt.images import ImageCache
from wallapp.qt.scene import qrect
from wallapp.qt.widgets import WidgetState, posts

pytestmark = pytest.mark.usefixtures("qapp")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def post(n: int, reach: int = 10, text: str = "") -> Post:
    return Post(
        id=f"p{n}",
        handle=f"user{n}",
        author_name=f"User {n}",
        text=text or f"Post number {n} #Fibre",
        created_at=NOW - timedelta(minutes=n),
        reach=reach,
        sentiment="positive",
        lang="en",
    )


def scene_with(
    write_json: Any,
    widget: dict[str, Any],
    clock: dict[str, datetime] | None = None,
    ticks: dict[str, float] | None = None,
    images: ImageCache | None = None,
) -> Any:
    """``clock`` drives the wall time, ``ticks`` the monotonic one (real time without them)."""
    store = Store("posts")
    layout = {"name": "Posts", "sources": {"posts": {"kind": "demo"}}, "widgets": [widget]}
    opened = open_layout(load_settings(), str(write_json("posts.json", layout)))
    now = (lambda: clock["now"]) if clock else (lambda: NOW)
    monotonic = (lambda: ticks["t"]) if ticks else time.monotonic
    scene = build_scene(opened, now=now, sources={"posts": (store, _live)}, images=images, ticks=monotonic)
    return scene, store, scene.items_by_id[widget["id"]]


def _live() -> Any:
    from wallapp.core.data.freshness import Freshness, SourceState

    return Freshness(SourceState.LIVE, timedelta(0), None, 0)


WALL = {
    "id": "wall",
    "kind": "posts",
    "source": "posts",
    "place": {"screen": [0, 1], "span": [2, 1]},
    "options": {"columns": 4, "rows": 2},
}


def test_the_wall_shows_the_newest_posts_in_reading_order(write_json: Any) -> None:
    scene, store, wall = scene_with(write_json, WALL)
    assert wall.state is WidgetState.EMPTY
    store.update([post(n) for n in range(12)], as_of=NOW)
    assert state_of(wall) is WidgetState.READY
    assert [p.id for p in wall.posts] == [f"p{n}" for n in range(8)]  # 4 x 2 slots, newest first
    image = snapshot.render(scene, 0.25)
    assert not image.isNull()


def test_cards_never_sit_under_a_seam(write_json: Any) -> None:
    scene, _, wall = scene_with(write_json, WALL)
    slots = [s.translated(wall.pos()) for s in wall.slots()]
    assert len(slots) == 8
    for seam in scene.wall.seams():
        assert not any(slot.intersects(qrect(seam)) for slot in slots)


def test_a_masonry_wall_makes_each_card_as_tall_as_its_text(write_json: Any) -> None:
    options = {"arrangement": "masonry", "columns": 4, "max_cards": 12}
    scene, store, wall = scene_with(write_json, {**WALL, "options": options})
    long_text = "Fibre installed today, speed test shows 940 Mbps down #Fibre @Orbis_Care " * 4
    store.update([post(n, text=long_text if n % 3 == 0 else "") for n in range(20)], as_of=NOW)
    places = wall.places(wall.posts)
    heights = {p.id: slot.height() for p, slot in places}
    assert heights["p0"] > heights["p1"] * 1.3  # four lines of text make a taller card than one
    assert len(places) <= 12
    whole = wall.sceneBoundingRect()
    for _, slot in places:
        assert wall.mapRectToScene(slot).intersected(whole) == wall.mapRectToScene(slot)
        for seam in wall.seams:  # no card under a bezel
            assert not slot.intersects(qrect(seam))
    for (_, a), (_, b) in itertools.combinations(places, 2):
        assert not a.intersects(b)
    image = snapshot.render(scene, 0.25)
    assert not image.isNull()


def test_a_grid_shows_at_most_max_cards(write_json: Any) -> None:
    _, store, wall = scene_with(write_json, {**WALL, "options": {"columns": 4, "rows": 2, "max_cards": 3}})
    store.update([post(n) for n in range(10)], as_of=NOW)
    assert [p.id for p in wall.posts] == ["p0", "p1", "p2"]


def test_by_reach_when_asked(write_json: Any) -> None:
    widget = {**WALL, "options": {"columns": 2, "rows": 1, "order": "reach"}}
    _, store, wall = scene_with(write_json, widget)
    store.update([post(1, reach=5), post(2, reach=500), post(3, reach=50)], as_of=NOW)
    assert [p.id for p in wall.posts] == ["p2", "p3"]


def test_the_first_fill_appears_at_once_and_later_posts_move_in(write_json: Any, qtbot: Any) -> None:
    _, store, wall = scene_with(write_json, {**WALL, "options": {"columns": 4, "rows": 2, "dwell": 0}})
    store.update([post(n) for n in range(1, 9)], as_of=NOW)
    assert not any(m.fade_in for m in wall._motions.values())  # no animation on the first fill
    store.update([post(0)], as_of=NOW)
    motions = wall._motions
    assert motions["p0"].fade_in  # the new post fades in at the top
    assert motions["p1"].start != motions["p1"].end  # the others glide one place on
    assert motions["p8"].fade_out  # the oldest leaves smoothly
    qtbot.waitUntil(lambda: wall.context.frames.is_animating(wall), timeout=2000)


def test_new_cards_are_painted_one_per_turn_of_the_loop_before_the_move(write_json: Any, qtbot: Any) -> None:
    _, store, wall = scene_with(write_json, {**WALL, "options": {"columns": 4, "rows": 2, "dwell": 0}})
    store.update([post(n) for n in range(10, 18)], as_of=NOW)
    store.update([post(n) for n in range(0, 8)], as_of=NOW)  # eight new cards at once
    assert len(wall._to_paint) == 7  # one painted now, the others on the next turns
    assert all(m.began == posts.WAITING for m in wall._motions.values())  # nothing moves yet
    assert not wall.context.frames.is_animating(wall)
    qtbot.waitUntil(lambda: wall.context.frames.is_animating(wall), timeout=2000)
    assert wall._to_paint == []
    assert all(m.began != posts.WAITING for m in wall._motions.values())  # all move together
    image = snapshot.render(wall.scene())  # every new card comes from the cache: nothing is lost
    assert not image.isNull()


def _wall_pixels(wall: Any) -> set[int]:
    """The colours painted over the wall's rectangle (a blank wall: its background's only)."""
    image = snapshot.render(wall.scene(), 0.25)
    rect = wall.sceneBoundingRect()
    box = image.copy(*(round(v * 0.25) for v in (rect.x(), rect.y(), rect.width(), rect.height())))
    return {box.pixel(x, y) for x in range(0, box.width(), 2) for y in range(0, box.height(), 2)}


def test_the_cards_leaving_stay_on_the_wall_while_the_new_ones_are_painted(
    write_json: Any, qtbot: Any
) -> None:
    """A frame painted in the turns the new cards take to paint showed the wall empty: the cards leaving
    were dropped, and the new ones faded in from nothing (the soak found post walls blank)."""
    ticks = {"t": 100.0}
    widget = {**WALL, "options": {"columns": 2, "rows": 1, "dwell": 0}}
    _, store, wall = scene_with(write_json, widget, ticks=ticks)
    store.update([post(n) for n in range(10, 12)], as_of=NOW)
    shown = _wall_pixels(wall)
    store.update([post(n) for n in range(0, 2)], as_of=NOW)  # two new cards: the old two leave
    assert wall._to_paint  # still painting the new cards
    assert _wall_pixels(wall) == shown  # a frame now shows the old cards, not an empty wall
    assert {i for i, m in wall._motions.items() if m.fade_out} == {"p10", "p11"}  # and they still leave
    qtbot.waitUntil(lambda: wall.context.frames.is_animating(wall), timeout=2000)
    assert _wall_pixels(wall) == shown  # the move's first frame: the old cards, the new ones not yet
    ticks["t"] += wall.style.theme.motion.move / 2
    leaving = [m.opacity(ticks["t"]) for m in wall._motions.values() if m.fade_out]
    arriving = [m.opacity(ticks["t"]) for m in wall._motions.values() if m.fade_in]
    assert len(leaving) == len(arriving) == 2
    assert all(0 < o < 1 for o in leaving + arriving)


def test_a_page_turn_stops_its_frames_once_they_would_change_no_pixel(write_json: Any, qtbot: Any) -> None:
    """An easing's last frames move a card less than half a pixel and fade it less than half a level: the
    wall stops repainting there, already showing what it shows at rest."""
    ticks = {"t": 100.0}
    widget = {**WALL, "options": {"columns": 2, "rows": 1, "dwell": 0}}
    scene, store, wall = scene_with(write_json, widget, ticks=ticks)
    store.update([post(n) for n in range(10, 12)], as_of=NOW)
    store.update([post(n) for n in range(0, 2)], as_of=NOW)  # a whole page turns
    qtbot.waitUntil(lambda: wall.context.frames.is_animating(wall), timeout=2000)
    began, enter = wall._motions["p0"].began, wall.style.theme.motion.enter
    ticks["t"] = began + enter * 0.5
    snapshot.render(scene, 0.5)  # a frame halfway: the cards still fading in
    assert wall.context.frames.is_animating(wall)
    ticks["t"] = began + enter * 0.95
    almost = snapshot.render(scene, 0.5)
    assert not wall.context.frames.is_animating(wall)  # no more frames
    assert wall._motions["p0"].progress(ticks["t"]) < 1  # though the easing has not ended
    ticks["t"] = began + enter * 10
    assert snapshot.render(scene, 0.5) == almost  # the last frame was the wall at rest


def test_the_pictures_of_the_cards_shown_are_kept_decoded_while_they_are(write_json: Any) -> None:
    images = ImageCache(None)
    widget = {**WALL, "options": {"columns": 2, "rows": 1, "dwell": 0}}
    scene, store, _ = scene_with(write_json, widget, images=images)

    def pictured(n: int) -> Post:
        return post(n).model_copy(update={"avatar_url": identicon(f"user{n}")})

    store.update([pictured(n) for n in range(10, 12)], as_of=NOW)
    assert images.shown_urls == {identicon("user10"), identicon("user11")}
    store.update([pictured(n) for n in range(0, 2)], as_of=NOW)  # a page turns: the old cards fade out
    assert images.shown_urls == {identicon(f"user{n}") for n in (0, 1, 10, 11)}
    scene.dispose()  # switched away from: the wall shows nothing any more
    assert images.shown_urls == frozenset()


def test_a_card_leaving_before_it_has_faded_in_fades_out_from_where_it_was(
    write_json: Any, qtbot: Any
) -> None:
    ticks = {"t": 100.0}
    widget = {**WALL, "options": {"columns": 2, "rows": 1, "dwell": 0}}
    _, store, wall = scene_with(write_json, widget, ticks=ticks)
    store.update([post(n) for n in range(10, 12)], as_of=NOW)
    store.update([post(n) for n in range(5, 7)], as_of=NOW)
    qtbot.waitUntil(lambda: wall.context.frames.is_animating(wall), timeout=2000)
    ticks["t"] += wall.style.theme.motion.enter * 0.2  # p5 and p6 a little way into their fade
    halfway = wall._motions["p5"].opacity(ticks["t"])
    assert 0 < halfway < 1
    store.update([post(n) for n in range(0, 2)], as_of=NOW)  # they leave before they have arrived
    leaving = wall._motions["p5"]
    assert leaving.fade_out
    assert leaving.opacity(ticks["t"]) == pytest.approx(halfway)
    assert wall._motions["p10"].fade_out  # the cards that were leaving go on leaving


def test_a_first_fill_paints_its_cards_ahead_one_per_turn_and_nothing_moves(
    write_json: Any, qtbot: Any
) -> None:
    _, store, wall = scene_with(write_json, {**WALL, "options": {"columns": 4, "rows": 2, "dwell": 0}})
    store.update([post(n) for n in range(8)], as_of=NOW)
    assert len(wall._to_paint) == 8  # none painted in the turn the scene is built
    assert not wall._cards._images
    qtbot.waitUntil(lambda: not wall._to_paint)
    assert len(wall._cards._images) == 8  # ready for the first frame
    assert [p.id for p in wall.posts] == [f"p{n}" for n in range(8)]  # and all still shown
    assert not wall.context.frames.is_animating(wall)
    assert all(m.progress(wall.context.ticks()) >= 1 for m in wall._motions.values())


def test_social_text_is_never_markup(write_json: Any) -> None:
    from wallapp.qt import text

    raw = 'Win a phone! <img src="http://x.example/a.png"> <b>now</b> <a href="http://x.example">here</a>'
    _, store, wall = scene_with(write_json, WALL)
    store.update([post(1, text=raw)], as_of=NOW)
    block = text.fit(wall.style, raw, 2000, 1000, "body")
    assert " ".join(block.lines) == raw


def test_posts_arriving_during_the_dwell_join_together_after_it(write_json: Any) -> None:
    ticks = {"t": 100.0}
    widget = {**WALL, "options": {"columns": 4, "rows": 2, "dwell": 30}}
    _, store, wall = scene_with(write_json, widget, ticks=ticks)
    store.update([post(n) for n in range(3, 11)], as_of=NOW)
    first = [p.id for p in wall.posts]
    ticks["t"] += 10
    store.update([post(2)], as_of=NOW)
    ticks["t"] += 10
    store.update([post(1)], as_of=NOW)
    assert [p.id for p in wall.posts] == first  # held still for reading
    assert wall._dwell.isActive()  # until the dwell is over
    ticks["t"] += 10
    wall._dwell.timeout.emit()  # its timer's call at the end of the dwell
    assert wall.posts[0].id == "p1"
    assert [p.id for p in wall.posts][:3] == ["p1", "p2", "p3"]  # both joined in one move


SPOT = {
    "id": "spot",
    "kind": "spotlight",
    "source": "posts",
    "place": {"screen": [1, 0]},
    "options": {"every": 10, "among": 3},
}


def test_the_spotlight_takes_turns_by_the_clock_among_the_most_reached(write_json: Any) -> None:
    clock = {"now": datetime.fromtimestamp(1_000_000_000, UTC)}  # a multiple of 10 s
    _, store, spot = scene_with(write_json, SPOT, clock)
    store.update([post(1, 10), post(2, 900), post(3, 50), post(4, 10_000)], as_of=NOW)
    assert [p.id for p in spot.candidates] == ["p2", "p3", "p1"]  # among the 3 latest, by reach
    first, _ = spot.turn()
    clock["now"] += timedelta(seconds=10)
    assert spot.turn()[0] == first + 1


def test_pinned_posts_take_the_spotlight(write_json: Any) -> None:
    widget = {**SPOT, "options": {"pinned": ["p3", "p1", "missing"]}}
    _, store, spot = scene_with(write_json, widget)
    store.update([post(1), post(2), post(3)], as_of=NOW)
    assert [p.id for p in spot.candidates] == ["p3", "p1"]


def test_the_spotlight_waits_for_data(write_json: Any) -> None:
    _, _, spot = scene_with(write_json, SPOT)
    assert spot.state is WidgetState.EMPTY
    assert isinstance(spot.boundingRect(), QRectF)


def test_the_first_post_in_the_spotlight_appears_without_a_fade(write_json: Any) -> None:
    clock = {"now": datetime.fromtimestamp(1_000_000_000.2, UTC)}  # 0.2 s into a turn: mid-fade
    scene, store, spot = scene_with(write_json, SPOT, clock)
    store.update([post(1, 10), post(2, 900)], as_of=NOW)
    assert not snapshot.render(scene, 0.25).isNull()
    assert not spot.context.frames.is_animating(spot)  # nothing to fade on the first turn
    clock["now"] += timedelta(seconds=10)  # the next turn fades in
    spot._turn.timeout.emit()  # its timer's call at the turn
    snapshot.render(scene, 0.25)
    assert spot.context.frames.is_animating(spot)  # painting found the fade under way


@pytest.mark.parametrize("media", [False, True])
def test_a_card_as_tall_as_card_height_shows_its_text_whole_at_its_size(media: bool) -> None:
    """Masonry measures each card with ``card_height``; ``paint_card`` must then lay the text out whole,
    at the text role's size, not shrunk or elided."""
    from wallapp.core.config.theme import load_theme
    from wallapp.qt import text
    from wallapp.qt.style import Style
    from wallapp.qt.widgets import post_card

    style = Style(load_theme(load_settings().themes().path("dark")))
    seen: list[text.TextBlock] = []
    fit = text.fit

    def watched(*args: Any, **kwargs: Any) -> text.TextBlock:
        block = fit(*args, **kwargs)
        seen.append(block)
        return block

    words = "Fibre installed today, speed test shows 940 Mbps down #Fibre @Orbis_Care 🎉 "
    for length in (1, 4):  # 4: more than MOST_LINES lines at the body size
        shown = Post(**{**post(1).model_dump(), "text": words * length})
        if media:
            shown = Post(**{**shown.model_dump(), "media_url": "https://cdn.example/p.jpg"})
        height = post_card.card_height(shown, 700, style, NOW, media=media)
        image = QImage(700, int(height), QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        seen.clear()
        text.fit = watched
        try:
            post_card.paint_card(painter, QRectF(0, 0, 700, height), shown, style, NOW, None, media=media)
        finally:
            text.fit = fit
            painter.end()
        body = [b for b in seen if b.lines and b.lines[0].startswith("Fibre installed")]
        if length == 1:  # whole, at the body size
            assert " ".join(body[0].lines).split() == shown.text.split()
            assert body[0].px == style.text.size("body")
        else:  # a card is at most MOST_LINES lines tall: longer text shrinks, or is elided, at the floor
            assert style.min_px <= body[0].px < style.text.size("body")


def test_each_network_has_a_mark_and_an_unknown_one_its_initial() -> None:
    import numpy as np

    from wallapp.core.config.theme import load_theme
    from wallapp.qt.style import Style
    from wallapp.qt.widgets.post_card import paint_network

    style = Style(load_theme(load_settings().themes().path("dark")))

    def mark(network: str) -> bytes:
        image = QImage(48, 48, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        painter = QPainter(image)
        paint_network(painter, QRectF(0, 0, 48, 48), network, style)
        painter.end()
        pixels = np.frombuffer(image.constBits(), np.uint8).reshape(48, 48, 4)
        assert (pixels[..., 3] > 0).sum() > 100  # something is drawn
        return pixels.tobytes()

    marks = {n: mark(n) for n in ("twitter", "instagram", "facebook", "linkedin", "youtube", "mastodon")}
    assert len(set(marks.values())) == len(marks)  # all different
    assert mark("X") == marks["twitter"]


def test_a_post_behind_a_content_warning_shows_the_warning_never_the_text(write_json: Any) -> None:
    from wallapp.qt import text

    hidden = Post(
        **{**post(1).model_dump(), "text": "The butler did it #Finale", "content_warning": "TV spoilers"}
    )
    seen: list[str] = []
    fit = text.fit

    def watched(*args: Any, **kwargs: Any) -> text.TextBlock:
        seen.append(args[1])
        return fit(*args, **kwargs)

    for widget in (WALL, SPOT):
        scene, store, _ = scene_with(write_json, widget)
        store.update([hidden], as_of=NOW)
        text.fit = watched
        try:
            snapshot.render(scene, 0.25)
        finally:
            text.fit = fit
        assert "CW: TV spoilers" in seen
        assert not [shown for shown in seen if "butler" in shown]
        seen.clear()


def test_columns_are_as_many_as_asked_across_screens(write_json: Any) -> None:
    """Five columns over three screens are 2 + 2 + 1, not 2 on each (six)."""
    widget = {**WALL, "place": {"screen": [0, 1], "span": [3, 1]}, "options": {"columns": 5}}
    _, _, wall = scene_with(write_json, widget)
    assert [len(columns) for columns in wall.columns()] == [2, 2, 1]
    widget = {**WALL, "place": {"screen": [0, 1], "span": [3, 1]}, "options": {"columns": 2}}
    _, _, wall = scene_with(write_json, widget)
    assert [len(columns) for columns in wall.columns()] == [1, 1, 1]  # no screen left without a card


def test_a_short_wall_shows_fewer_rows_and_a_narrow_one_fewer_columns(write_json: Any) -> None:
    from wallapp.qt.widgets.post_card import least_card_height, least_card_width

    short = {**WALL, "place": {"rect": [0, 0, 1920, 400]}, "options": {"columns": 5, "rows": 2}}
    _, _, wall = scene_with(write_json, short)
    assert len(wall.slots()) == 5  # one row: two would not hold a header and a line of text each
    assert all(slot.height() >= least_card_height(wall.style) for slot in wall.slots())
    narrow = {**WALL, "place": {"rect": [0, 0, 800, 1000]}, "options": {"columns": 5}}
    _, _, wall = scene_with(write_json, narrow)
    assert len(wall.columns()[0]) == 2
    assert all(slot.width() >= least_card_width(wall.style) for slot in wall.slots())


def card_text(post_: Post, width: float, height: float, look: Any = None) -> list[str]:
    """The lines of text a card of that size draws."""
    from wallapp.core.config.theme import load_theme
    from wallapp.qt import text
    from wallapp.qt.style import Style
    from wallapp.qt.widgets import post_card

    style = Style(load_theme(load_settings().themes().path("dark")))
    image = QImage(round(width), round(height), QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    with text.recording() as runs:
        post_card.paint_card(
            painter, QRectF(0, 0, width, height), post_, style, NOW, None, look=look or post_card.CardLook()
        )
    painter.end()
    return [run.text for run in runs]


def test_a_short_card_drops_its_footer_before_its_text_and_its_text_before_its_header() -> None:
    shown = post(1, reach=1200, text="Fibre installed today, speed test shows 940 Mbps down")
    header, footer = {"User 1", "@user1 · 1 min"}, "Reach 1.2k  ·  Positive"

    def body(lines: list[str]) -> bool:
        return any(line.startswith("Fibre installed") for line in lines)

    tall = card_text(shown, 900, 400)
    assert header <= set(tall)
    assert body(tall)
    assert footer in tall
    short = card_text(shown, 900, 240)  # a header and a line of text: no footer
    assert header <= set(short)
    assert body(short)
    assert footer not in short
    shorter = card_text(shown, 900, 190)  # the header alone
    assert header <= set(shorter)
    assert not body(shorter)
    assert footer not in shorter
    assert card_text(shown, 900, 100) == []  # not even the header: the panel alone


def test_a_card_with_room_for_two_lines_of_text_shows_two() -> None:
    """A body 87.4 px tall holds two lines of 43.6 px (it was rounded down to 87 and held one)."""
    from wallapp.core.config.theme import load_theme
    from wallapp.qt import text
    from wallapp.qt.style import Style

    style = Style(load_theme(load_settings().themes().path("dark")))
    words = "Big thanks to @Orbis_Care for sorting my #Fibre issue in minutes, great service today " * 2
    block = text.fit(style, words, 900, 87.36, "body")
    assert block.px == style.min_px
    assert len(block.lines) == 2


@pytest.mark.parametrize(
    ("code", "shown"), [("und", ""), ("zxx", ""), ("qme", ""), (None, ""), ("pt-BR", "PT-BR")]
)
def test_a_language_that_names_none_shows_no_badge(code: str | None, shown: str) -> None:
    from wallapp.core.view.formatting import language_tag

    assert language_tag(code) == shown
    undetermined = Post(**{**post(1).model_dump(), "lang": code})
    assert (shown in card_text(undetermined, 900, 400)) is bool(shown)
    assert "UND" not in card_text(undetermined, 900, 400)
