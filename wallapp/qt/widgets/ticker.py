"""A ticker: headlines crawling across any width, spanning screens, at a speed set in pixels per second.

The strip's position is a function of the wall clock (see ``wallapp.core.view.tape``): every window showing
it, and every machine with a synchronised clock, draws the same frame at the same moment. On a node of a wall,
new headlines follow those laid by the instant the data changed (``WidgetItem.changed_at``), however late the
node heard of it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPixmap

from wallapp.core.config.widgets import TickerWidget
from wallapp.core.data.records import Record
from wallapp.core.data.selection import headlines
from wallapp.core.view.geometry import Rect
from wallapp.core.view.tape import Tape, offset_at
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState

#: Wider than this in device pixels, a headline is drawn as text each frame rather than kept as a picture.
WIDEST_PICTURE = 8192


class TickerItem(WidgetItem):
    cached = False  # it moves every frame
    empty_text = "No posts yet"
    spec: TickerWidget

    def __init__(self, spec: TickerWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        options = spec.options
        # The role's size, smaller in a strip too short for it; in one too short for the legibility floor,
        # no text at all rather than text cut by the strip's edges.
        self._font = text.line_font(style, options.role, self.panel_rect().height(), strong=True)
        metrics = QFontMetricsF(self._font or style.font(options.role, strong=True))
        self._line_height = metrics.lineSpacing()
        # Between headlines, the separator with the theme's gutter twice on either side: the same rhythm as
        # the space between widgets, whatever the font's spaces.
        self._gap = metrics.horizontalAdvance(options.separator) + 4 * style.spacing.gutter
        origin = context.origin
        start = None if origin is None else offset_at(origin, 0.0, options.speed)
        self.tape = Tape(metrics.horizontalAdvance, self._gap, start)
        # Each headline on the strip, with its separator, drawn once at the screen's scale: the crawl is
        # then a copy of pictures at whole pixels each frame, not large text laid out again.
        self._pictures: dict[tuple[str, float], QPixmap] = {}
        self.set_items(options.items)
        self.animate(True)  # a ticker always crawls

    def on_records(self, records: tuple[Record, ...]) -> None:
        """The latest posts crawl; until there are any, the layout's own items do (unless the source has
        records of another kind: then the ticker says it is bound to the wrong source)."""
        latest = headlines(records, self.spec.options.max_items)
        if latest or not self.misconfigured(records):
            self.set_items(latest or self.spec.options.items, self.changed_at())

    def set_items(self, items: list[str], since: float | None = None) -> None:
        """Crawl ``items`` from now on; on a node, after the headlines laid by the ``since`` instant (the
        shared time the data changed): the new headlines start at the same place on every node."""
        edge = None
        if since is not None:
            edge = offset_at(since, 0.0, self.spec.options.speed) + self.strip_rect().width()
        self.tape.set_items(items, edge)
        self.set_state(WidgetState.READY if self.tape.items else WidgetState.EMPTY)

    def strip_rect(self) -> QRectF:
        """The whole width (right of the badge, if any): a ticker crosses seams on purpose."""
        pad = self.style.spacing.padding
        strip = self.panel_rect().adjusted(pad / 2, 0, -pad / 2, 0)
        badge = self.badge_rect(self.content_rect())
        return strip.adjusted(badge.width() + pad / 2, 0, 0, 0) if not badge.isEmpty() else strip

    def badge_rect(self, rect: QRectF) -> QRectF:
        """At the left end of the strip, so the crawling text never runs under it."""
        badge = super().badge_rect(rect)
        if badge.isEmpty():
            return badge
        panel = self.panel_rect()
        left = panel.left() + self.style.spacing.padding / 2
        return QRectF(left, panel.center().y() - badge.height() / 2, badge.width(), badge.height())

    def text_band(self) -> QRectF:
        """The part of the strip the crawl changes: its line of text, with room for glyphs that reach
        beyond the line (the crawl is clipped to it), not the panel's padding."""
        strip = self.strip_rect()
        half = self._line_height / 2 + self.style.spacing.padding / 2
        centre = strip.center().y()
        return strip.intersected(QRectF(strip.left(), centre - half, strip.width(), 2 * half))

    def frame_area(self) -> QRectF:
        """What a frame of the crawl repaints."""
        return self.text_band()

    def offset(self) -> float:
        return offset_at(self.context.now().timestamp(), 0.0, self.spec.options.speed)

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        if self._font is None:
            return
        rect = self.strip_rect()
        offset = self.offset()
        scale = painter.deviceTransform().m11() or 1.0
        painter.save()
        painter.setClipRect(self.text_band(), Qt.ClipOperation.IntersectClip)  # within what the view repaints
        kept: dict[tuple[str, float], QPixmap] = {}
        for segment in self.tape.visible(offset, rect.width()):
            left = rect.left() + segment.start - offset
            if segment.width * scale > WIDEST_PICTURE:
                box = QRectF(left, rect.top(), segment.width, rect.height())
                self._draw_segment(painter, segment.text, box)
                continue
            key = (segment.text, scale)
            picture = self._pictures.get(key)
            if picture is None:
                picture = self._picture(segment.text, rect.height(), scale)
            kept[key] = picture
            painter.drawPixmap(QPointF(round(left * scale) / scale, rect.top()), picture)
        # Pictures of what is on the strip now are kept, at every scale (each screen's view paints it).
        shown = {headline for headline, _ in kept}
        self._pictures = {key: p for key, p in (self._pictures | kept).items() if key[0] in shown}
        painter.restore()

    def _picture(self, headline: str, height: float, scale: float) -> QPixmap:
        width = self.tape.measure(headline)
        return parts.picture(
            width + self._gap,
            height,
            scale,
            lambda painter, box: self._draw_segment(painter, headline, box.adjusted(0, 0, -self._gap, 0)),
        )

    def _draw_segment(self, painter: QPainter, headline: str, box: QRectF) -> None:
        """A headline in ``box``, then the separator centred in the gap after it."""
        if self._font is None:
            return
        words, separator = (
            text.TextBlock(self._font, (line,), self._line_height, elided=False)
            for line in (headline, self.spec.options.separator)
        )
        text.draw(painter, words, box.adjusted(0, 0, 1, 0), self.style.colour("text"), valign="center")
        gap = QRectF(box.right(), box.top(), self._gap, box.height())
        text.draw(painter, separator, gap, self.style.colour("accent"), "center", "center")
