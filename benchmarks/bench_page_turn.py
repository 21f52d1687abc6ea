"""The raster engine's own cost of one frame of a post wall's page turn, on one screen: what no code of
the wall's can go under on this CPU (see docs/performance.md, "60 frames a second at 4K: the page turn's
floor").

A screen under the hub's post wall shows four cards (two columns, two rows). While a page turns, every
frame fills the background under the wall, then blends the cards leaving (fading out) and the cards
arriving (fading in), each a cached picture copied at whole pixels: the cheapest way the raster engine
has to draw them. Measured here with nothing else: no scene, no Python per card but the calls.

Run: ``python benchmarks/bench_page_turn.py [REPEATS]``. Prints, for a 1080p and a 4K screen, the
median milliseconds of each part and of the whole frame.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter

SCREENS = {"1080p": (1920, 1080), "4k": (3840, 2160)}
WALL_SHARE = 0.84
"""The share of the screen's height the hub's post wall takes (the ticker has the rest)."""
GUTTER = 16


def cards(width: int, height: int) -> list[QRect]:
    """The four cards' places on one screen under the wall."""
    wall = int(height * WALL_SHARE)
    w, h = (width - 3 * GUTTER) // 2, (wall - 3 * GUTTER) // 2
    return [QRect(GUTTER + c * (w + GUTTER), GUTTER + r * (h + GUTTER), w, h) for r in (0, 1) for c in (0, 1)]


def card_picture(rect: QRect) -> QImage:
    """A card as the wall keeps it: premultiplied ARGB, rounded corners transparent."""
    image = QImage(rect.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#1b2233"))
    painter.drawRoundedRect(image.rect(), 14, 14)
    painter.end()
    return image


def timed(target: QImage, step: Callable[[QPainter], None], repeats: int) -> float:
    """The median milliseconds of ``step`` painting into ``target``."""
    samples = []
    for _ in range(repeats + 1):
        painter = QPainter(target)
        start = time.perf_counter()
        step(painter)
        painter.end()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples[1:])  # the first warms the caches


def measure(width: int, height: int, repeats: int) -> dict[str, float]:
    places = cards(width, height)
    pictures = [card_picture(place) for place in places]
    under = QRect(0, 0, width, int(height * WALL_SHARE))
    background = QColor("#0b0f19")

    def fill(painter: QPainter) -> None:
        painter.fillRect(under, background)

    def blend(opacity: float, lift: int = 0) -> Callable[[QPainter], None]:
        def draw(painter: QPainter) -> None:
            painter.setOpacity(opacity)
            for place, picture in zip(places, pictures, strict=True):
                painter.drawImage(place.topLeft() + QPoint(0, lift), picture)

        return draw

    def frame(painter: QPainter) -> None:
        fill(painter)
        blend(0.4)(painter)  # leaving
        blend(0.6, 12)(painter)  # arriving, rising into place

    target = QImage(width, height, QImage.Format.Format_RGB32)  # a window's backing store
    return {
        "background": timed(target, fill, repeats),
        "4 cards opaque": timed(target, blend(1.0), repeats),
        "4 cards fading": timed(target, blend(0.5), repeats),
        "page-turn frame": timed(target, frame, repeats),
    }


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    QGuiApplication.instance() or QGuiApplication(["bench_page_turn", "-platform", "offscreen"])
    for name, (width, height) in SCREENS.items():
        figures = measure(width, height, repeats)
        parts = ", ".join(f"{part} {ms:.2f} ms" for part, ms in figures.items())
        print(f"{name} screen ({width}x{height}): {parts}")


if __name__ == "__main__":
    main()
