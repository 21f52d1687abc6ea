"""An influencer ranking: rank, avatar, name, @handle and topic, reach, how each moved; rows glide on change.

Rows are prepared when the ranking changes (text fitted once) and drawn once into a picture per screen scale;
a paint only places the pictures, at whole pixels. A reorder glides rows to their new places over ``move_ms``
(the theme's ``motion.move`` unless set), as a function of the time: the item repaints while rows move, and
not at all otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap

from wallapp.core.config.widgets import RankingWidget
from wallapp.core.data.records import Person, Record
from wallapp.core.data.selection import RankMove, initials, rank_move, ranking
from wallapp.core.view.formatting import format_value
from wallapp.core.view.geometry import Rect
from wallapp.core.view.motion import Glide
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState


@dataclass(frozen=True)
class Row:
    """One person's row, its text already fitted."""

    person: Person
    rank: text.TextBlock
    name: text.TextBlock
    detail: text.TextBlock
    figure: text.TextBlock
    move: RankMove
    places: text.TextBlock | None

    def looks(self) -> tuple[object, ...]:
        """What the row's picture depends on (besides its avatar having arrived)."""
        blocks = (self.rank, self.name, self.detail, self.figure, self.places)
        shown = tuple((b.lines, b.px) if b is not None else None for b in blocks)
        return (self.person.id, self.person.avatar_url, self.move, *shown)


@dataclass(frozen=True)
class Columns:
    """Where each part of a row goes, in offsets from the row's left edge, for a row height."""

    height: float
    gap: float
    rank: float
    move: float
    avatar: float
    figure: float


class RankingItem(WidgetItem):
    spec: RankingWidget

    def __init__(self, spec: RankingWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.rows: list[Row] = []
        move = spec.options.move_ms
        self.glide = Glide(style.theme.motion.move if move is None else move / 1000)
        self._pictures: dict[tuple[object, ...], QPixmap] = {}
        self.set_state(WidgetState.EMPTY)
        if context.images is not None:
            context.images.ready.connect(self._image_arrived)

    def _image_arrived(self, url: str) -> None:
        if any(row.person.avatar_url == url for row in self.rows):
            self.update()

    # Geometry (fixed: the item does not move or resize)

    def _widths(self) -> tuple[float, bool, float]:
        """The move column's width, whether rows show avatars, and the figure column's width. A narrow
        ranking gives up the move, then the avatar, then the figure's large size, then the figure, while
        the name would get less room than a few letters at the legibility floor."""
        style, pad = self.style, self.style.spacing.padding
        width = self.content_rect().width()
        strong = QFontMetricsF(style.font("headline", strong=True))
        least = QFontMetricsF(style.font("headline", strong=True, px=style.min_px))
        avatar = 0.8 * (parts.line_height(self, "headline") + parts.line_height(self, "body") + pad)
        move = self._move_width()
        figure, small = strong.horizontalAdvance("000.0M"), least.horizontalAdvance("000.0M")
        choices = [(move, True, figure), (0.0, True, figure), (0.0, False, figure), (0.0, False, small)]
        for move, avatars, figure in choices:
            used = strong.horizontalAdvance("00") + 1.5 * pad  # the rank, its margins and the name's
            used += (move + pad / 2 if move else 0) + (avatar + pad / 2 if avatars else 0)
            if width - used - (figure + pad) >= least.horizontalAdvance("Mmm…"):
                return move, avatars, figure
        return 0.0, False, 0.0

    def _move_width(self) -> float:
        caption = QFontMetricsF(self.style.font("caption", strong=True))
        return max(caption.horizontalAdvance("NEW"), caption.height() * 0.7 + caption.horizontalAdvance("00"))

    def _header(self, content: QRectF) -> tuple[text.TextBlock | None, float]:
        """The heading, clear of the figure column's caption drawn at its right."""
        figure = self._widths()[2]
        room = content.adjusted(0, 0, -figure - self.style.spacing.padding, 0) if figure else content
        block, used = parts.header(self, room, self.spec.options.title)
        return block, used

    def list_rect(self) -> QRectF:
        """Where the rows go: the content under the header."""
        content = self.content_rect()
        return content.adjusted(0, self._header(content)[1], 0, 0)

    def capacity(self) -> int:
        """How many rows fit without any text going below the legibility floor (none in a box too small)."""
        gap = self.style.spacing.padding / 4
        smallest = 2 * parts.line_height(self) + self.style.spacing.padding / 2
        return max(
            0, min(self.spec.options.limit, math.floor((self.list_rect().height() + gap) / (smallest + gap)))
        )

    def columns(self) -> Columns:
        area, rows, style = self.list_rect(), max(1, self.capacity()), self.style
        gap = style.spacing.padding / 4
        tallest = (
            parts.line_height(self, "headline") + parts.line_height(self, "body") + style.spacing.padding
        )
        height = min(tallest, (area.height() - gap * (rows - 1)) / rows)
        move, avatars, figure = self._widths()
        return Columns(
            height=height,
            gap=gap,
            rank=QFontMetricsF(style.font("headline", strong=True)).horizontalAdvance("00"),
            move=move,
            avatar=min(height - style.spacing.padding / 2, height * 0.8) if avatars else 0.0,
            figure=figure,
        )

    # Data

    def on_records(self, records: tuple[Record, ...]) -> None:
        people = ranking(records, self.spec.options.limit)
        rows = [self._row(person, index + 1) for index, person in enumerate(people[: self.capacity()])]
        if rows != self.rows:
            now, began = self.context.ticks(), self.data_moved_at()  # from when the order took effect
            self.glide.retarget({row.person.id: i for i, row in enumerate(rows)}, began, float(len(rows)))
            self.rows = rows
            self.show_pictures(row.person.avatar_url for row in rows)
            if self.glide.moving(now):
                self.animate(True)
            self.update()
        self.settle(records, len(people))

    def _row(self, person: Person, shown: int) -> Row:
        style, options, cols = self.style, self.spec.options, self.columns()
        pad = style.spacing.padding
        rank = person.rank if person.rank is not None else shown
        value = person.reach if options.figure == "reach" else person.followers
        figure = format_value(float(value), "compact") if value is not None else "–"
        name_width = self._name_width(cols)
        detail = f"@{person.handle}" if person.handle else ""
        if options.topic and person.topic:
            detail = f"{detail}  ·  {person.topic}" if detail else person.topic
        move, places = rank_move(person, rank)
        height = cols.height - pad / 2
        # The name takes 55 % of the height (a line at least), the detail what is left.
        name = text.fit(
            style,
            person.name or detail or "?",
            name_width,
            max(height * 0.55, min(height, parts.line_height(self))),
            "headline",
            strong=True,
            max_lines=1,
        )
        return Row(
            person=person,
            rank=text.fit(style, str(rank), cols.rank + pad, height, "headline", strong=True, max_lines=1),
            name=name,
            detail=text.fit(style, detail, name_width, height - name.height, "caption", max_lines=1),
            figure=text.fit(style, figure, cols.figure, height * 0.55, "headline", strong=True, max_lines=1),
            move=move,
            places=text.fit(style, str(places), cols.move, height / 2, "caption", strong=True, max_lines=1)
            if move in ("up", "down")
            else None,
        )

    def _name_width(self, cols: Columns) -> float:
        pad = self.style.spacing.padding
        used = cols.rank + 1.5 * pad  # the rank, its margins and the name's
        for width in (cols.move, cols.avatar):
            used += width + pad / 2 if width else 0
        used += cols.figure + pad / 2 if cols.figure else 0
        return self.list_rect().width() - used

    def frame_area(self) -> QRectF:
        """What a frame of a glide repaints: the rows from the highest to the lowest place a moving row
        passes through (two neighbours changing places: two rows), not the whole ranking."""
        span = self.glide.span()
        area = self.list_rect().adjusted(-1, -1, 1, 1)  # as the rows are clipped
        if span is None:
            return area
        cols = self.columns()
        pitch = cols.height + cols.gap
        # A row is placed at whole device pixels: a pixel of margin either side.
        top, bottom = area.top() + span[0] * pitch, area.top() + span[1] * pitch + cols.height + 2
        return area.intersected(QRectF(area.left(), top, area.width(), bottom - top))

    def moving(self) -> bool:
        """Whether the canvas's frame clock repaints this ranking (only while rows glide)."""
        frames = self.context.frames
        return frames is not None and frames.is_animating(self)

    # Painting

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        block, _ = self._header(rect)
        parts.draw_header(painter, self, rect, block)
        area, cols = self.list_rect(), self.columns()
        if not self.rows:
            parts.too_small(painter, self, area)
            return
        if block is not None and not self.badge and cols.figure:
            self._paint_figure_label(painter, rect, block, cols)
        now = self.context.ticks()
        slots = self.glide.positions(now)
        self.animate(self.glide.moving(now))
        painter.save()
        painter.setClipRect(area.adjusted(-1, -1, 1, 1), Qt.ClipOperation.IntersectClip)
        # Rows that climb are drawn last, so they pass over the ones going down.
        order = sorted(self.rows, key=lambda r: slots.get(r.person.id, 0) - self.rows.index(r))
        scale = painter.deviceTransform().m11() or 1.0
        kept: dict[tuple[object, ...], QPixmap] = {}
        for row in reversed(order):
            top = area.top() + slots.get(row.person.id, 0.0) * (cols.height + cols.gap)
            key = (*row.looks(), self._avatar_ready(row.person), area.width(), cols.height, scale)
            picture = self._pictures.get(key)
            if picture is None:
                picture = self._row_picture(row, area.width(), cols, scale)
            kept[key] = picture
            where = QPointF(round(area.left() * scale) / scale, round(top * scale) / scale)
            painter.drawPixmap(where, picture)
        painter.restore()
        # At this scale, the pictures just drawn; at others (another screen's view), those of people shown.
        people = {row.person.id for row in self.rows}
        self._pictures = {
            key: kept_picture
            for key, kept_picture in (self._pictures | kept).items()
            if key[0] in people and (key in kept or key[-1] != scale)
        }

    def _avatar_ready(self, person: Person) -> bool:
        images = self.context.images
        return images is not None and images.image(person.avatar_url) is not None

    def _row_picture(self, row: Row, width: float, cols: Columns, scale: float) -> QPixmap:
        return parts.picture(
            width, cols.height, scale, lambda painter, box: self._paint_row(painter, row, box, cols)
        )

    def figure_label(self) -> str:
        options = self.spec.options
        return options.figure_label or options.figure.capitalize()

    def _paint_figure_label(
        self, painter: QPainter, rect: QRectF, title: text.TextBlock, cols: Columns
    ) -> None:
        """The figure column's caption, right-aligned on the heading's baseline."""
        width = cols.figure + self.style.spacing.padding
        label = text.fit(self.style, self.figure_label(), width, title.height, "caption", max_lines=1)
        ascent = QFontMetricsF(title.font).ascent() - QFontMetricsF(label.font).ascent()
        box = QRectF(
            rect.right() - self.style.spacing.padding / 2 - width, rect.top() + ascent, width, label.height
        )
        text.draw(painter, label, box, self.style.colour("text_muted"), "right")

    def _paint_row(self, painter: QPainter, row: Row, box: QRectF, cols: Columns) -> None:
        style, pad = self.style, self.style.spacing.padding
        parts.card(painter, self, box)
        x = box.left() + pad / 2
        text.draw(
            painter,
            row.rank,
            QRectF(x, box.top(), cols.rank, box.height()),
            style.colour("text"),
            "right",
            "center",
        )
        x += cols.rank + pad / 2
        if cols.move:
            self._paint_move(painter, row, QRectF(x, box.top(), cols.move, box.height()))
            x += cols.move + pad / 2
        if cols.avatar:
            avatar = QRectF(x, box.center().y() - cols.avatar / 2, cols.avatar, cols.avatar)
            self.paint_avatar(painter, avatar, row.person)
            x += cols.avatar + pad / 2
        figure_left = box.right() - pad / 2 - cols.figure
        if cols.figure:
            text.draw(
                painter,
                row.figure,
                QRectF(figure_left, box.top(), cols.figure, box.height()),
                style.colour("text"),
                "right",
                "center",
            )
        else:
            figure_left = box.right()
        lines = row.name.height + (row.detail.height if any(row.detail.lines) else 0)
        top = box.center().y() - lines / 2
        width = figure_left - pad / 2 - x
        text.draw(painter, row.name, QRectF(x, top, width, row.name.height), style.colour("text"))
        text.draw(
            painter,
            row.detail,
            QRectF(x, top + row.name.height, width, row.detail.height),
            style.colour("text_muted"),
        )

    def _paint_move(self, painter: QPainter, row: Row, box: QRectF) -> None:
        style = self.style
        if row.move == "new":
            badge = text.fit(style, "NEW", box.width(), box.height(), "caption", strong=True, max_lines=1)
            text.draw(painter, badge, box, style.colour("accent"), "center", "center")
            return
        if row.move == "same" or row.places is None:
            painter.setPen(QPen(style.colour("text_muted"), max(3.0, style.min_px / 8)))
            mid = box.center()
            painter.drawLine(
                QPointF(mid.x() - style.min_px / 3, mid.y()), QPointF(mid.x() + style.min_px / 3, mid.y())
            )
            return
        up = row.move == "up"
        colour = style.colour("positive" if up else "critical")
        size = row.places.line_height * 0.6
        width = size + row.places.width() + style.spacing.padding / 6
        left = box.center().x() - width / 2
        parts.triangle(painter, QPointF(left + size / 2, box.center().y()), size, up, colour)
        label = QRectF(left + width - row.places.width() - 1, box.top(), row.places.width() + 2, box.height())
        text.draw(painter, row.places, label, colour, "left", "center")

    def paint_avatar(self, painter: QPainter, rect: QRectF, person: Person) -> None:
        """The person's picture in a ringed disc; initials until it arrives (or if it never does)."""
        style = self.style
        ring = max(3.0, rect.width() / 24)
        disc = rect.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
        picture = self.context.images.image(person.avatar_url) if self.context.images else None
        if picture is not None:
            clip = QPainterPath()
            clip.addEllipse(disc)
            painter.save()
            painter.setClipPath(clip, Qt.ClipOperation.IntersectClip)
            painter.drawImage(disc, picture)
            painter.restore()
            painter.setPen(QPen(style.colour("accent"), ring))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(disc)
            return
        painter.setPen(QPen(style.colour("accent"), ring))
        painter.setBrush(style.colour("surface"))
        painter.drawEllipse(disc)
        letters = text.fit(
            style,
            initials(person.name, person.handle),
            rect.width() * 0.8,
            rect.height(),
            "caption",
            strong=True,
            max_lines=1,
        )
        text.draw(painter, letters, rect, style.colour("text"), "center", "center")
        painter.setBrush(Qt.BrushStyle.NoBrush)
