"""Helpers for widget tests: a one-widget layout on a real store, rendered for real."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from PySide6.QtGui import QColor, QImage

from wallapp.app import build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.config.widgets import Widget
from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.core.timing import Now, Ticks
from wallapp.qt import snapshot
from wallapp.qt.images import ImageCache
from wallapp.qt.widgets.base import WidgetItem, WidgetState

NOW = datetime(2026, 11, 22, 9, 41, tzinfo=UTC)
LIVE = Freshness(SourceState.LIVE, timedelta(0), None, 0)


class Bench:
    """One widget on the wall, bound to a store the test fills."""

    def __init__(
        self,
        tmp_path: Path,
        widget: dict[str, Any],
        theme: str | None = None,
        ticks: Ticks = time.monotonic,
        now: Now | None = None,
    ) -> None:
        """``ticks``: the widget's monotonic clock (a test that animates drives its own); ``now``: its wall
        clock (``NOW`` unless given)."""
        self.store = Store("feed")
        self.freshness = LIVE
        # A source of the records the widget shows (the store is filled by the test, never read from it).
        reads = TypeAdapter(Widget).validate_python(widget).reads or "post"
        feed = {"kind": "file", "path": "feed.json", "mapping": {"record": reads}}
        layout = {"name": "Bench", "sources": {"feed": feed}, "widgets": [widget]}
        path = tmp_path / "bench.json"
        path.write_text(json.dumps(layout), encoding="utf-8")
        opened = open_layout(load_settings(), str(path), theme)
        self.scene = build_scene(
            opened,
            now=now or (lambda: NOW),
            sources={"feed": (self.store, lambda: self.freshness)},
            images=ImageCache(None),  # inline (data:) pictures only: no network in widget tests
            ticks=ticks,
        )
        self.item: Any = self.scene.items_by_id[widget["id"]]
        self.palette = opened.theme.palette

    def feed(self, records: Iterable[Record], replace: bool = True) -> None:
        self.store.update(list(records), as_of=NOW, replace=replace)

    def render(self) -> QImage:
        return snapshot.render(self.scene)

    def colour(self, name: str) -> tuple[int, int, int]:
        spec: str = getattr(self.palette, name)
        return int(spec[1:3], 16), int(spec[3:5], 16), int(spec[5:7], 16)

    def close(self) -> None:
        self.scene.dispose()


def state_of(item: WidgetItem) -> WidgetState:
    """The item's state as it is now. A test that watches the state change reads it through this: after
    ``assert item.state is WidgetState.EMPTY`` mypy takes the attribute for EMPTY for the rest of the test
    (it cannot see that feeding the store changes it) and skips what follows as unreachable."""
    return item.state


def rgb(image: QImage, x: float, y: float) -> tuple[int, int, int]:
    colour = QColor(image.pixel(round(x), round(y)))
    return colour.red(), colour.green(), colour.blue()


def count(image: QImage, colour: tuple[int, int, int], x0: float, y0: float, x1: float, y1: float) -> int:
    """Pixels of exactly ``colour`` in a box of the canvas (every other pixel, for speed)."""
    return sum(
        1
        for x in range(round(x0), round(x1), 2)
        for y in range(round(y0), round(y1), 2)
        if rgb(image, x, y) == colour
    )
