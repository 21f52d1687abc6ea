"""Legible from across the room: no text on any shipped layout is drawn below the theme's floor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QFont, QPainter

from wallapp.app import build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.live.feeds import Feeds
from wallapp.qt import snapshot
from wallapp.qt.images import ImageCache

LAYOUTS = load_settings().layouts().names()


@pytest.fixture
def font_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every font pixel size wallapp sets on a painter (widgets, cards, badges, tickers alike)."""
    sizes: list[int] = []
    original = QPainter.setFont

    def recording(painter: QPainter, font: QFont) -> None:
        sizes.append(font.pixelSize())
        original(painter, font)

    monkeypatch.setattr(QPainter, "setFont", recording)
    return sizes


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("name", LAYOUTS)
def test_no_text_below_the_legibility_floor(name: str, theme: str, font_sizes: list[int]) -> None:
    settings = load_settings()
    opened = open_layout(settings, name, theme)
    feeds = Feeds(None)
    sources = feeds.use(opened.loaded)
    feeds.prime(datetime.now(UTC))
    scene = build_scene(opened, sources=sources, images=ImageCache(None))
    snapshot.render(scene, 0.25)
    floor = opened.theme.text.min
    writers = [w for w in opened.loaded.layout.widgets if w.kind != "image"]  # each writes something
    assert len(font_sizes) >= max(len(writers), 1), "nothing was drawn"
    assert min(font_sizes) >= floor, sorted(set(font_sizes))[:5]
    scene.dispose()
