"""A title or text block: one main line in a theme role, an optional smaller subtitle.

A title or display line takes the room it has (up to the theme's ``grow.heading``): a welcome line fills its
screen, a long one is still whole."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from wallapp.core.config.widgets import TextWidget
from wallapp.qt import text
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import WidgetItem


class TextItem(WidgetItem):
    spec: TextWidget

    def has_panel(self) -> bool:
        return self.spec.options.panel

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        rect = parts.centred(self, rect)
        options = self.spec.options
        sub = None
        main_height = rect.height()
        if options.subtitle:
            room = parts.share(self, rect.height(), 1 / 3)
            sub = text.fit(self.style, options.subtitle, rect.width(), room, "body", max_lines=2)
            main_height -= sub.height + self.style.spacing.padding / 2
        # A heading (title or display) is as large as its room allows, up to the theme's grow.heading;
        # a smaller role keeps its size, as the layout asked.
        grows = options.role in ("title", "display")
        most = max(self.style.text.size(options.role), self.style.theme.grow.heading) if grows else None
        main = text.fit(
            self.style, options.text, rect.width(), main_height, options.role, strong=True, most=most
        )
        total = main.height + (sub.height + self.style.spacing.padding / 2 if sub else 0)
        top = rect.top() + (rect.height() - total) / 2
        text.draw(
            painter,
            main,
            QRectF(rect.left(), top, rect.width(), main.height),
            self.style.colour("text"),
            options.align,
        )
        if sub:
            sub_top = top + main.height + self.style.spacing.padding / 2
            sub_rect = QRectF(rect.left(), sub_top, rect.width(), sub.height)
            text.draw(painter, sub, sub_rect, self.style.colour("text_muted"), options.align)
