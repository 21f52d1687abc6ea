"""Pieces several widgets share: a heading beside the stale badge, arrows, row cards, pictures."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPixmap, QPolygonF

from wallapp.core.config.theme import TextRole
from wallapp.qt import text
from wallapp.qt.widgets.base import WidgetItem


def header(item: WidgetItem, rect: QRectF, title: str | None) -> tuple[text.TextBlock | None, float]:
    """The heading fitted beside the badge, and the height it takes with its gap (0 without either)."""
    gap = item.style.spacing.padding / 2
    if title:
        block = text.fit(
            item.style,
            title,
            item.beside_badge(rect),
            share(item, rect.height(), 1 / 4),
            "headline",
            max_lines=1,
        )
        return block, block.height + gap
    badge = item.badge_rect(rect)
    return None, (badge.height() + gap if not badge.isEmpty() else 0.0)


def draw_header(painter: QPainter, item: WidgetItem, rect: QRectF, block: text.TextBlock | None) -> None:
    if block is not None:
        box = QRectF(rect.left(), rect.top(), rect.width(), block.height)
        text.draw(painter, block, box, item.style.colour("text_muted"))


def centred(item: WidgetItem, rect: QRectF) -> QRectF:
    """A content rectangle grown into half the padding above and below, for text centred in a banner: in
    a short one, a line of text may use the padding's breathing room rather than not show."""
    half = item.style.spacing.padding / 2
    return rect.adjusted(0, -half, 0, half)


def share(item: WidgetItem, height: float, fraction: float, rest: int = 1) -> float:
    """The height a part of a widget may take: its ``fraction`` of ``height``, or one line at the legibility
    floor if that is more and leaves ``rest`` lines for the others (a short widget keeps its title)."""
    line = line_height(item)
    return max(height * fraction, line) if height - line >= rest * line else height * fraction


def line_height(item: WidgetItem, role: TextRole | None = None, strong: bool = False) -> float:
    """Line spacing of a theme role (None: of the legibility floor)."""
    style = item.style
    font = style.font("caption", px=style.min_px) if role is None else style.font(role, strong=strong)
    return QFontMetricsF(font).lineSpacing()


def triangle(painter: QPainter, centre: QPointF, size: float, up: bool, colour: QColor) -> None:
    """A solid arrowhead pointing up or down, ``size`` wide: drawn, so no font needs the glyph."""
    half, tall = size / 2, size * 0.45
    sign = -1 if up else 1
    points = [
        QPointF(centre.x() - half, centre.y() - sign * tall),
        QPointF(centre.x() + half, centre.y() - sign * tall),
        QPointF(centre.x(), centre.y() + sign * tall),
    ]
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(QPolygonF(points))


def card(painter: QPainter, item: WidgetItem, rect: QRectF, colour: str = "surface_alt") -> None:
    """A raised rounded card inside the panel (a ranking row, a country tile)."""
    radius = item.style.spacing.radius / 2
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    painter.fillPath(path, item.style.colour(colour))


TOO_SMALL = "Too small to show"


def too_small(painter: QPainter, item: WidgetItem, rect: QRectF) -> None:
    """Say that the data is there but the box holds none of it legibly (if it holds that much)."""
    block = text.fit(item.style, TOO_SMALL, rect.width(), rect.height(), "caption")
    text.draw(painter, block, rect, item.style.colour("text_muted"), "center", "center")


def at_size(
    item: WidgetItem, words: str, role: TextRole, px: int, width: float, strong: bool = False
) -> text.TextBlock:
    """One line at a given size (never below the floor), elided at a word boundary only if too wide."""
    font = item.style.font(role, strong=strong, px=px)
    metrics = QFontMetricsF(font)
    line = words if metrics.horizontalAdvance(words) <= width else text.elide(words, font, width)
    return text.TextBlock(font, (line,), metrics.lineSpacing(), line != words)


def picture(width: float, height: float, scale: float, draw: Callable[[QPainter, QRectF], None]) -> QPixmap:
    """A transparent picture of ``width`` x ``height`` canvas pixels at a screen's ``scale`` (device
    pixels per canvas pixel), drawn by ``draw`` into its rectangle: drawn once, then copied frame after
    frame at whole device pixels."""
    pixmap = QPixmap(max(0, math.ceil(width * scale)), max(0, math.ceil(height * scale)))
    if pixmap.isNull():  # nothing to draw in a box with no room
        return pixmap
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    draw(painter, QRectF(0, 0, width, height))
    painter.end()
    return pixmap
