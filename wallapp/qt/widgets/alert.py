"""An alert banner: the level in a tag and the message large; a crisis fills the banner in its colour.

With no alert the banner is calm: a quiet "All clear" line on the usual panel (or nothing, if the layout
asks for it hidden), so the wall shows that monitoring works without drawing the eye.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from wallapp.core.config.widgets import AlertWidget
from wallapp.core.data.alerts import Alert, latest_alert
from wallapp.core.data.diagnosis import missing_field
from wallapp.core.data.records import Record
from wallapp.core.view.geometry import Rect
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState

#: Palette colour of each level.
COLOURS = {"info": "accent", "warning": "warning", "crisis": "critical"}
LABELS = {"info": "Info", "warning": "Warning", "crisis": "Crisis"}


class AlertItem(WidgetItem):
    spec: AlertWidget

    def __init__(self, spec: AlertWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        options = spec.options
        self.alert: Alert | None = Alert(options.level, options.message) if options.message else None
        if spec.source is not None and self.alert is None:
            self.set_state(WidgetState.EMPTY)  # not "All clear" before the source has said anything
        self.pinned: Alert | None = None
        """The operator's alert (control API): shown over the source's until cleared."""
        self.heard: Alert | Literal[False] | None = False if self.state is WidgetState.EMPTY else self.alert
        """What the source (or the static message) says: None clears, False nothing yet."""

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        found = latest_alert(records, options.level_field, options.message_field)
        if found is False:  # no row has a level: a source of other records, or another field name
            self.misconfigured(records, lambda: missing_field(records, options.level_field, self.source_name))
            return
        self.heard = found
        if self.pinned is None:
            self.raise_alert(found)

    def pin(self, alert: Alert | None) -> None:
        """Show the operator's ``alert`` whatever the source says; None: what the source says again."""
        self.pinned = alert
        if alert is not None or self.heard is not False:
            self.raise_alert(alert or (self.heard if self.heard is not False else None))
        else:
            self.alert = None
            self.set_state(WidgetState.EMPTY)
            self.update()

    def raise_alert(self, alert: Alert | None) -> None:
        """Show ``alert``, or clear the banner with None."""
        if alert != self.alert:
            self.alert = alert
            self.update()
        self.set_state(WidgetState.READY)

    def has_panel(self) -> bool:
        return self.alert is not None or self.spec.options.cleared == "calm"

    def paint_panel(self, painter: QPainter) -> None:
        super().paint_panel(painter)
        if self.alert is None:
            return
        radius, colour = self.style.spacing.radius, self.style.colour(COLOURS[self.alert.level])
        path = QPainterPath()
        path.addRoundedRect(self.panel_rect(), radius, radius)
        if self.alert.level == "crisis":
            painter.fillPath(path, colour)
        else:  # outlined in the level's colour
            painter.setPen(QPen(colour, max(3.0, self.style.spacing.border * 2)))
            painter.setBrush(QColor(0, 0, 0, 0))
            painter.drawPath(path)

    def label(self) -> str:
        assert self.alert is not None
        return self.spec.options.labels.get(self.alert.level) or LABELS[self.alert.level]

    def blocks(self, rect: QRectF) -> tuple[text.TextBlock, text.TextBlock]:
        """The level's tag and the message, laid out for the banner's content ``rect``."""
        width = self.beside_badge(rect)
        tag = text.fit(
            self.style, self.label().upper(), width / 4, rect.height(), "headline", strong=True, max_lines=1
        )
        room = width - tag.width() - self.style.spacing.padding * 2
        message = text.fit(
            self.style,
            self.alert.message if self.alert else "",
            room,
            rect.height(),
            "title",
            strong=True,
            max_lines=2,
            most=max(self.style.text.size("title"), self.style.theme.grow.banner),
        )
        return tag, message

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        rect = parts.centred(self, rect)
        if self.alert is None:
            if self.spec.options.cleared == "calm":
                self._paint_clear(painter, rect)
            return
        style, pad = self.style, self.style.spacing.padding
        crisis = self.alert.level == "crisis"
        colour = style.colour(COLOURS[self.alert.level])
        tag, message = self.blocks(rect)
        # The level in a tag: filled in the level's colour, or outlined in the dark colour on a crisis fill.
        box = QRectF(
            rect.left(), rect.center().y() - tag.height / 2 - pad / 4, tag.width() + pad, tag.height + pad / 2
        )
        path = QPainterPath()
        path.addRoundedRect(box, style.spacing.radius / 2, style.spacing.radius / 2)
        ink = style.colour("background")
        if crisis:
            painter.setPen(QPen(ink, max(3.0, style.spacing.border * 2)))
            painter.drawPath(path)
        else:
            painter.fillPath(path, colour)
        text.draw(painter, tag, box, ink, "center", "center")
        left = box.right() + pad
        text.draw(
            painter,
            message,
            QRectF(left, rect.top(), rect.right() - left, rect.height()),
            ink if crisis else style.colour("text"),
            valign="center",
        )

    def _paint_clear(self, painter: QPainter, rect: QRectF) -> None:
        """A small positive dot and the calm line, muted."""
        style = self.style
        # The dot takes 0.66 of a line's height before the line: room for it at the role's size.
        dot_room = parts.line_height(self, "headline") * 0.66
        line = text.fit(
            style,
            self.spec.options.clear_text,
            min(self.beside_badge(rect) * 0.9, self.beside_badge(rect) - dot_room),
            rect.height(),
            "headline",
            max_lines=1,
        )
        if not line.lines:
            return
        dot = line.line_height * 0.3
        painter.setPen(QColor(0, 0, 0, 0))
        painter.setBrush(style.colour("positive"))
        painter.drawEllipse(QPointF(rect.left() + dot, rect.center().y()), dot / 2, dot / 2)
        box = QRectF(rect.left() + dot * 2.2, rect.top(), rect.width() - dot * 2.2, rect.height())
        text.draw(painter, line, box, style.colour("text_muted"), valign="center")
