"""Layouts that always fit: every widget kind, in boxes from the smallest the schema allows to a whole screen,
draws no text over other text, none outside its box, none cut and none below the legibility floor.

What is drawn is observed where it is drawn: ``wallapp.qt.text.recording`` lists every line of text with its
box. Text painted into a picture first (a post card, a ticker's headline, a ranking's row) is placed where
that picture is then drawn, by watching ``drawImage`` and ``drawPixmap``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtGui import QImage, QPaintDevice, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene
from widget_kit import NOW

from wallapp.app import Opened, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.config.widgets import Widget
from wallapp.core.view.geometry import Rect
from wallapp.live.feeds import Feeds
from wallapp.qt import text
from wallapp.qt.images import ImageCache
from wallapp.qt.scene import Sources
from wallapp.qt.style import Style
from wallapp.qt.widgets import ITEMS, Binding, ItemContext, make_item

pytestmark = pytest.mark.usefixtures("qapp")

ROOT = Path(__file__).resolve().parent.parent
WIDGET: TypeAdapter[Widget] = TypeAdapter(Widget)
SIZES = [
    (1, 1),  # the smallest the schema allows
    (64, 48),
    (240, 120),
    (420, 90),
    (320, 1000),  # narrow and tall
    (1900, 64),  # wide and short
    (1200, 180),
    (640, 360),
    (960, 540),
    (1920, 1080),  # a whole screen
]
MORE = [
    {
        "id": "masonry",
        "kind": "posts",
        "source": "posts",
        "options": {"arrangement": "masonry", "columns": 3},
    },
    {"id": "five-columns", "kind": "posts", "source": "posts", "options": {"columns": 5, "rows": 3}},
    {"id": "list", "kind": "topics", "source": "topics", "options": {"title": "Trending", "style": "list"}},
    # A title as long as the box: the volume column's caption goes beside it or not at all, never over it.
    {
        "id": "long-title",
        "kind": "topics",
        "source": "topics",
        "options": {"title": "Trending now across every network", "style": "list"},
    },
    {"id": "unbound", "kind": "kpi", "options": {"label": "Response rate", "metric": "response_rate"}},
]
"""Arrangements and states the showcase does not show."""
SLACK = 1.0
"""Pixels a line may pass its box by (its box is its line spacing, taller than its letters)."""


@dataclass(frozen=True)
class Drawn:
    """A line of text on the rendered box: the box of its words, and the part of it shown (clips applied)."""

    words: str
    px: int
    box: QRectF
    shown: QRectF
    room: QRectF


@dataclass(frozen=True)
class _Placed:
    """A picture drawn on a device: how its pixels map to the device's, and where it is clipped there."""

    onto: QPaintDevice
    transform: QTransform
    clip: QRectF


class Pictures:
    """Where each picture with text in it was drawn, to place its text on the rendered box."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.placed: dict[int, list[_Placed]] = {}
        for name in ("drawImage", "drawPixmap"):
            monkeypatch.setattr(QPainter, name, self._watching(getattr(QPainter, name)))

    def _watching(self, draw: Callable[..., None]) -> Callable[..., None]:
        def watched(painter: QPainter, *args: Any) -> None:
            if (
                len(args) == 2
                and isinstance(args[0], QPointF | QPoint)
                and isinstance(args[1], QImage | QPixmap)
            ):
                corner, picture = QPointF(args[0]), args[1]
                device = painter.combinedTransform()
                clip = device.mapRect(QRectF(corner, picture.deviceIndependentSize()))
                if painter.hasClipping():
                    clip = clip.intersected(device.mapRect(painter.clipBoundingRect()))
                transform = QTransform.fromTranslate(corner.x(), corner.y()) * device
                self.placed.setdefault(id(picture), []).append(_Placed(painter.device(), transform, clip))
            draw(painter, *args)

        return watched

    def on(self, root: QPaintDevice, runs: list[text.Run]) -> list[Drawn]:
        """Every run, once for each time it was drawn on ``root``, in ``root``'s pixels."""
        drawn = []
        for run in runs:
            for transform, clip in self._to(root, run.device):
                shown = transform.mapRect(run.box)
                for cut in (transform.mapRect(run.clip) if run.clip is not None else None, clip):
                    if cut is not None:
                        shown = shown.intersected(cut)
                box, room = transform.mapRect(run.box), transform.mapRect(run.room)
                drawn.append(Drawn(run.text, run.px, box, shown, room))
        return drawn

    def _to(self, root: QPaintDevice, device: QPaintDevice) -> Iterator[tuple[QTransform, QRectF | None]]:
        if device is root:
            yield QTransform(), None
            return
        for placed in self.placed.get(id(device), []):
            for outer, clip in self._to(root, placed.onto):
                mine = outer.mapRect(placed.clip)
                yield placed.transform * outer, mine if clip is None else mine.intersected(clip)


def problems(drawn: list[Drawn], width: int, height: int, floor: int) -> list[str]:
    """What is wrong with the text drawn in a box: below the floor, outside the box, cut, overlapping."""
    found = []
    box = QRectF(0, 0, width, height).adjusted(-SLACK, -SLACK, SLACK, SLACK)
    for run in drawn:
        if run.px < floor:
            found.append(f"{run.words!r} at {run.px} px")
        if run.shown.isEmpty():
            continue  # clipped away whole: a ticker's headline off the strip
        if not box.contains(run.shown):
            found.append(f"{run.words!r} leaves the box: {run.shown.getRect()}")
        if run.shown.height() < run.box.height() - SLACK:  # cut across: a crawl is cut at its ends only
            found.append(f"{run.words!r} is cut: {run.box.getRect()} shows {run.shown.getRect()}")
        if run.box.left() < run.room.left() - SLACK or run.box.right() > run.room.right() + SLACK:
            found.append(
                f"{run.words!r} is wider than its place: {run.box.getRect()} in {run.room.getRect()}"
            )
    for index, one in enumerate(drawn):
        for other in drawn[index + 1 :]:
            meet = one.shown.intersected(other.shown)
            if meet.width() > SLACK and meet.height() > SLACK:
                found.append(f"{one.words!r} overlaps {other.words!r}")
    return found


@pytest.fixture(scope="module")
def showcase() -> tuple[Opened, Sources, list[dict[str, Any]]]:
    """The showcase's sources filled from the demo feed, and a widget of every kind (its and ``MORE``)."""
    opened = open_layout(load_settings(), "showcase")
    feeds = Feeds(None, now=lambda: NOW)
    sources = feeds.use(opened.loaded)
    feeds.prime(NOW)
    return opened, sources, json.loads(opened.loaded.path.read_text())["widgets"] + MORE


def rendered(
    spec: Widget, size: tuple[int, int], opened: Opened, sources: Sources
) -> tuple[QImage, list[text.Run]]:
    """``spec`` alone in a box of ``size``, bound to its source, and the text drawn."""
    width, height = size
    context = ItemContext(
        resolve=opened.loaded.resolve, now=lambda: NOW, ticks=lambda: 1000.0, images=ImageCache(None)
    )
    item = make_item(spec, Rect(0, 0, width, height), Style(opened.theme), context)
    item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    scene = QGraphicsScene()
    scene.addItem(item)
    if spec.source is not None:
        store, freshness = sources[spec.source]
        item.bind(Binding(store, freshness))
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    with text.recording() as runs:
        painter = QPainter(image)
        scene.render(painter, QRectF(image.rect()), QRectF(image.rect()))
        painter.end()
    item.unbind()
    return image, runs


def test_every_kind_fits_every_box(
    showcase: tuple[Opened, Sources, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened, sources, widgets = showcase
    pictures = Pictures(monkeypatch)
    kinds, found = set(), []
    for widget in widgets:
        for size in SIZES:
            spec = WIDGET.validate_python({**widget, "place": {"rect": [0, 0, *size]}})
            kinds.add(type(spec))
            image, runs = rendered(spec, size, opened, sources)
            for problem in problems(pictures.on(image, runs), *size, opened.theme.text.min):
                found.append(f"{spec.id} ({spec.kind}) in {size[0]}x{size[1]}: {problem}")
            if size == SIZES[-1] and spec.kind != "image":  # a whole screen shows every text kind's text
                assert runs, spec.id
    assert kinds == set(ITEMS)  # every kind in the registry (the showcase has one of each)
    assert not found, "\n".join(found)


def test_every_text_on_the_wall_is_drawn_where_it_is_recorded() -> None:
    """Only ``wallapp.qt.text`` draws text: what the test above observes is all the wall shows."""
    drawing = re.compile(r"\b(drawText|drawStaticText|QTextLayout|QTextDocument)\b")
    # The host's own screen and the operator's editor: desktop windows, Qt's widgets and text.
    not_the_wall = {"presenter_window.py"}
    elsewhere = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "wallapp").rglob("*.py")
        if path.name not in {"text.py", *not_the_wall}
        and path.parent.name != "editor"
        and drawing.search(path.read_text())
    ]
    assert elsewhere == []
