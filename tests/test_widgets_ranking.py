"""The influencer ranking: selection, rank moves, gliding rows, and what it paints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from widget_kit import NOW, Bench, count, state_of

from wallapp.core.data.records import Person, Post
from wallapp.core.data.selection import initials, rank_move, ranking
from wallapp.core.view.motion import Glide, ease_in_out
from wallapp.qt.widgets import WidgetState

WIDGET: dict[str, Any] = {
    "id": "top",
    "kind": "ranking",
    "source": "feed",
    "place": {"screen": [0, 0]},
    "options": {"title": "Top influencers", "limit": 5},
}


def person(pid: str, rank: int | None, previous: int | None = None, **fields: Any) -> Person:
    return Person(
        id=pid,
        name=fields.pop("name", f"Person {pid.upper()}"),
        handle=fields.pop("handle", pid),
        reach=fields.pop("reach", 1000 * (40 - (rank or 39))),
        rank=rank,
        previous_rank=previous,
        updated_at=NOW,
        **fields,
    )


def test_people_are_ranked_by_rank_then_reach() -> None:
    people = [
        person("c", None, reach=50),
        person("b", 2),
        person("a", 1),
        person("d", None, reach=900),
        Post(id="p", text="not a person"),
    ]
    assert [p.id for p in ranking(people, 10)] == ["a", "b", "d", "c"]
    assert [p.id for p in ranking(people, 2)] == ["a", "b"]


def test_rank_moves_say_how_far_and_which_way() -> None:
    assert rank_move(person("a", 3, 5), 3) == ("up", 2)
    assert rank_move(person("a", 3, 1), 3) == ("down", 2)
    assert rank_move(person("a", 3, 3), 3) == ("same", 0)
    assert rank_move(person("a", 3), 3) == ("new", 0)


def test_initials_for_the_placeholder_avatar() -> None:
    assert initials("Aïssatou Diallo") == "AD"
    assert initials("Mehdi El Amrani") == "MA"
    assert initials("", "@grace") == "G"
    assert initials("  ", "") == "?"


def test_a_glide_is_a_function_of_time() -> None:
    glide = Glide(0.6)
    glide.retarget({"a": 0, "b": 1}, now=10.0, enter_from=2)
    assert glide.positions(10.0) == {"a": 0, "b": 1}  # the first ranking appears in place
    assert not glide.moving(10.0)
    glide.retarget({"b": 0, "a": 1, "c": 2}, now=20.0, enter_from=3)
    assert glide.positions(20.0) == {"b": 1, "a": 0, "c": 3}
    assert glide.positions(20.3) == pytest.approx({"b": 0.5, "a": 0.5, "c": 2.5})
    assert glide.moving(20.3)
    assert glide.positions(20.6) == {"b": 0, "a": 1, "c": 2}
    assert not glide.moving(20.7)
    assert (ease_in_out(0), ease_in_out(0.5), ease_in_out(1)) == (0, 0.5, 1)
    assert glide.span() == (0, 3)  # from c entering below the last row to a at the top


def test_a_glide_spans_the_places_its_moving_keys_pass_through() -> None:
    glide = Glide(0.6)
    glide.retarget({"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}, now=0.0, enter_from=5)
    assert glide.span() is None  # the first places: nothing moves
    glide.retarget({"a": 0, "c": 1, "b": 2, "d": 3, "e": 4}, now=10.0, enter_from=5)
    assert glide.span() == (1, 2)  # two neighbours change places: the rest holds still


@pytest.mark.usefixtures("qapp")
def test_a_frame_of_a_glide_repaints_the_rows_that_move_and_leaves_what_a_whole_repaint_does(
    tmp_path: Path, qtbot: Any
) -> None:
    """Two neighbours changing places repaint their two rows, not the ranking (at 4K a ranking is a screen's
    width); every frame through to the end leaves the window as repainting it whole shows it."""
    from PySide6.QtCore import QRectF
    from windows_kit import PartScreen

    clock = {"t": 100.0}
    bench = Bench(tmp_path, WIDGET, ticks=lambda: clock["t"])
    item, frames = bench.item, bench.item.context.frames
    bench.feed([person(pid, rank) for rank, pid in enumerate("abcde", start=1)])
    view = PartScreen(bench.scene, QRectF(0, 0, 1920, 1080))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: bool(view.painted))
    frames.hold(True)  # the test paints the frames
    bench.feed([person(pid, rank, 3 if pid == "c" else None) for rank, pid in enumerate("abdce", start=1)])
    assert item.moving()
    cols, rows = item.columns(), item.list_rect()
    band = item.mapToScene(item.frame_area()).boundingRect()
    pitch = cols.height + cols.gap
    assert band.top() <= item.mapToScene(rows.topLeft()).y() + 2 * pitch  # from the third row
    assert band.height() <= 2 * pitch + 3  # to the fourth, with a pixel either side
    qtbot.waitUntil(lambda: len(view.painted) > 1)  # the change itself repaints the ranking whole
    for _ in range(8):
        view.painted.clear()
        clock["t"] += 0.1
        item.update(item.frame_area())
        qtbot.waitUntil(lambda: bool(view.painted))
        on_screen = view.mapFromScene(band).boundingRect()
        assert on_screen.adjusted(-3, -3, 3, 3).contains(view.painted[0].boundingRect())  # Qt adds 2 px
    assert not item.moving()
    glided = view.shown()
    assert view.repainted_whole() == (glided, glided)
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_ranking_follows_its_store_and_glides_on_change(tmp_path: Path, qtbot: Any) -> None:
    from PySide6.QtWidgets import QGraphicsItem

    cache = QGraphicsItem.CacheMode
    clock = {"t": 100.0}
    bench = Bench(tmp_path, WIDGET, ticks=lambda: clock["t"])
    item = bench.item
    assert item.state is WidgetState.EMPTY

    bench.feed([person("a", 1, 1), person("b", 2, 4), person("c", 3)])
    assert state_of(item) is WidgetState.READY
    assert [row.person.id for row in item.rows] == ["a", "b", "c"]
    assert [row.move for row in item.rows] == ["same", "up", "new"]
    assert not item.moving()  # the first ranking does not move

    assert item.cacheMode() == cache.DeviceCoordinateCache  # still: its picture is kept

    bench.feed([person("b", 1, 2), person("a", 2, 1), person("c", 3, 3)])
    assert [row.person.id for row in item.rows] == ["b", "a", "c"]
    assert item.moving()
    qtbot.waitUntil(lambda: item.cacheMode() == cache.NoCache)  # moving: painted afresh every frame
    clock["t"] += 0.3
    assert item.glide.positions(clock["t"]) == pytest.approx({"b": 0.5, "a": 0.5, "c": 2})
    clock["t"] += 0.4
    bench.render()  # the next frame sees the glide is over
    assert not item.moving()  # done gliding: no more repaints
    qtbot.waitUntil(lambda: item.cacheMode() == cache.DeviceCoordinateCache)  # and its picture kept again

    # The same ranking again changes nothing and starts no animation.
    bench.feed([person("b", 1, 2), person("a", 2, 1), person("c", 3, 3)])
    assert not item.moving()
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_rows_stay_legible_and_never_exceed_what_fits(tmp_path: Path) -> None:
    widget = {**WIDGET, "place": {"screen": [0, 0], "part": [0, 0, 0.5, 0.5]}, "options": {"limit": 30}}
    bench = Bench(tmp_path, widget)
    bench.feed(person(f"p{n}", n) for n in range(1, 31))
    item = bench.item
    assert 1 <= len(item.rows) == item.capacity() < 30
    style = item.style
    for row in item.rows:
        for block in (row.rank, row.name, row.detail, row.figure):
            assert block.px >= style.min_px
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_wrong_or_bad_records_never_give_a_blank_panel(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    bench.feed([Post(id="p", text="a post, not a person")])
    assert bench.item.state is WidgetState.ERROR
    assert bench.item.notice.headline == "Source 'feed' has posts, not people"
    bench.feed([Person(id="x", name="", handle="", rank=None)])
    item = bench.item
    assert item.state is WidgetState.READY
    (row,) = item.rows
    assert row.figure.lines == ("–",)  # no reach: a dash, not a crash
    assert row.move == "new"
    bench.render()
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_painted_rows_show_moves_in_colour_and_text_as_plain_text(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    bench.feed(
        [
            person("a", 1, 3, name="<b>Ana</b>", topic="tech"),
            person("b", 2, 1),
            person("c", 3, 3),
        ]
    )
    item = bench.item
    assert item.rows[0].name.lines == ("<b>Ana</b>",)
    assert item.rows[0].detail.lines == ("@a  ·  tech",)
    image = bench.render()
    pos = item.scenePos()
    box = item.boundingRect()
    x0, x1 = pos.x(), pos.x() + box.width() * 0.25
    positive, critical = bench.colour("positive"), bench.colour("critical")
    # Rows are laid out top-down: the first (up) has a green arrow, the second (down) a red one.
    area = item.list_rect()
    cols = item.columns()
    first = pos.y() + area.top(), pos.y() + area.top() + cols.height
    second = first[1] + cols.gap, first[1] + cols.gap + cols.height
    assert count(image, positive, x0, *first[:1], x1, first[1]) > 20
    assert count(image, critical, x0, second[0], x1, second[1]) > 20
    assert count(image, critical, x0, first[0], x1, first[1]) == 0
    # The avatar placeholder is ringed in the accent colour.
    assert count(image, bench.colour("accent"), x0, first[0], pos.x() + box.width() * 0.4, first[1]) > 20
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_avatars_show_once_decoded_and_initials_until_then(tmp_path: Path) -> None:
    from PySide6.QtGui import QColor

    from wallapp.core.data.demo import identicon

    bench = Bench(tmp_path, WIDGET)
    item = bench.item
    bench.feed([person("a", 1, avatar_url=identicon("a")), person("b", 2)])
    image = bench.render()
    cols, area, pad = item.columns(), item.list_rect(), item.style.spacing.padding
    left = item.scenePos().x() + area.left() + pad / 2 + cols.rank + pad / 2 + cols.move + pad / 2

    def disc_edge_lightness(row: int) -> int:
        """The brightest pixel in the avatar disc's left quarter (the initials sit in its middle)."""
        centre_y = item.scenePos().y() + area.top() + row * (cols.height + cols.gap) + cols.height / 2
        xs = range(int(left + cols.avatar * 0.12), int(left + cols.avatar * 0.3))
        ys = range(int(centre_y - cols.avatar * 0.1), int(centre_y + cols.avatar * 0.1))
        return max(QColor(image.pixel(x, y)).lightness() for x in xs for y in ys)

    assert disc_edge_lightness(0) > 200  # the identicon's pale background
    assert disc_edge_lightness(1) < 120  # no picture: the dark placeholder disc
    # The rows keep their own pictures: the avatar is kept decoded while its row is shown.
    assert item.context.images.shown_urls == {identicon("a")}
    bench.feed([person("b", 1)])
    assert item.context.images.shown_urls == frozenset()
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_rows_are_pictures_drawn_once_and_again_only_when_they_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np
    from PySide6.QtGui import QImage

    from wallapp.qt.widgets.ranking import RankingItem

    bench = Bench(tmp_path, WIDGET)
    item = bench.item
    people = [person(p, r, r) for r, p in enumerate("abcde", start=1)]
    bench.feed(people)

    def pixels() -> np.ndarray:
        image = bench.render().convertToFormat(QImage.Format.Format_RGB32)
        shape = (image.height(), image.width(), 4)
        return np.frombuffer(image.constBits(), np.uint8).reshape(shape)[..., :3].astype(int)  # a copy

    drawn: list[str] = []
    row_picture = RankingItem._row_picture

    def counted(self: RankingItem, row: Any, *args: Any) -> Any:
        drawn.append(row.person.id)
        return row_picture(self, row, *args)

    monkeypatch.setattr(RankingItem, "_row_picture", counted)
    first = pixels()
    assert sorted(drawn) == list("abcde")
    pixels()
    assert len(drawn) == 5  # nothing changed: every row copied from its picture
    bench.feed([*people[:4], person("e", 5, 5, reach=999_999)])  # one figure changes
    changed = pixels()
    assert drawn[5:] == ["e"]
    assert np.abs(changed - first).sum() > 0  # and it shows
    # The pictures look like the rows painted directly.
    monkeypatch.setattr(
        RankingItem,
        "_row_picture",
        _direct,
    )
    item._pictures.clear()
    assert np.abs(pixels() - changed).mean() < 1.0
    bench.close()


def _direct(item: Any, row: Any, width: float, cols: Any, scale: float) -> Any:
    """A row painted straight onto an opaque panel-coloured picture, as it would be on the panel."""
    import math

    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter, QPixmap

    picture = QPixmap(math.ceil(width * scale), math.ceil(cols.height * scale))
    picture.setDevicePixelRatio(scale)
    picture.fill(item.style.colour("surface"))
    painter = QPainter(picture)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    item._paint_row(painter, row, QRectF(0, 0, width, cols.height), cols)
    painter.end()
    return picture
