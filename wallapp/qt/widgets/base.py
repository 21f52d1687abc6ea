"""The base of every widget on the canvas: a themed panel, its content, and its empty or error state.

A widget with nothing to show says why (``paint_state``): its source connecting or failing, in plain
words and since when; nothing yet; or records that do not fit its configuration, a mistake also logged
once. A widget showing data that is not live marks it: a badge on the first line, which the heading
makes room for, and figures in the muted colour.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from wallapp.core.config.widgets import Widget
from wallapp.core.data.diagnosis import Mismatch, wrong_kind
from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.core.timing import Now, Ticks
from wallapp.core.view.geometry import Rect, clear_of
from wallapp.core.view.notices import Notice, badge_forms, mismatch_notice, waiting_notice
from wallapp.qt import text
from wallapp.qt.frames import FrameClock
from wallapp.qt.images import ImageCache
from wallapp.qt.style import Style

log = logging.getLogger("wallapp.widgets")

DIMMED = 0.4
"""Opacity of a threshold's colour stripe over data that is not live: an old level, not a current one."""


@dataclass(frozen=True)
class ItemContext:
    """What items need from outside: files named in the layout, and the clocks (fixed in snapshots/tests)."""

    resolve: Callable[[str], Path]
    now: Now
    ticks: Ticks = time.monotonic
    """Seconds that only move forward: what animations and waits are timed by (on a node, the wall's
    shared time: seconds since the epoch on the leader's clock)."""
    seams: tuple[Rect, ...] = ()
    images: ImageCache | None = None
    frames: FrameClock | None = None
    """The canvas's frame clock: animated items repaint on its ticks (none in a still snapshot)."""
    origin: float | None = None
    """The scene's start instant, seconds on ``now``'s scale, where several PCs show it in step: what
    moves is timed from it (None: from when each item first shows)."""


@dataclass(frozen=True)
class Binding:
    """A bound source as a widget sees it: its store, and how fresh its data is now."""

    store: Store
    freshness: Callable[[], Freshness]


class WidgetState(enum.Enum):
    READY = "ready"
    EMPTY = "empty"
    """Nothing to show: ``waiting`` says why (the source connecting, failing, or up with nothing yet)."""
    ERROR = "error"
    """Cannot show: ``notice`` says why (a configuration mistake, a picture that cannot be read)."""


class WidgetItem(QGraphicsObject):
    """A widget at its canvas rectangle. Subclasses draw their content in ``paint_content``."""

    empty_text = "Waiting for data"
    cached = True
    """Keep the widget's picture per screen while it is still (Qt's ``DeviceCoordinateCache``): large
    figures are drawn as paths (beyond the glyph cache), too costly to draw again for every frame that
    repaints the screen. Widgets that move every frame anyway set ``False``; those that move now and then
    (``animate``) drop the picture while they move and keep it again at rest."""

    def __init__(self, spec: Widget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__()
        self.spec = spec
        self.style = style
        self.context = context
        self.state = WidgetState.READY
        self.notice = Notice("")
        self.waiting = Notice(self.empty_text)
        self.binding: Binding | None = None
        self.badges: tuple[str, ...] = ()
        """The badge's texts, longest first (none while the data is live)."""
        self.not_live = False
        """The data shown is old: stale, or the last good data of a failing source."""
        self.failing = False
        """The source's last attempt failed: the badge's dot turns from the warning to the critical colour."""
        self._reported: set[str] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self.setPos(rect.x, rect.y)
        self._bounds = QRectF(0, 0, rect.width, rect.height)
        # What it paints: the panel and its border's outer half, not the gutter around it. Neighbours then
        # do not overlap: a ticker crawling along a post wall's edge does not repaint the post wall.
        edge = style.spacing.gutter / 2 - style.spacing.border / 2 - 1
        self._painted = self._bounds.adjusted(edge, edge, -edge, -edge) if edge > 0 else QRectF(self._bounds)
        self._moving = False
        self._keep_picture(True)
        # Not ``QTimer.singleShot(0, self, lambda: ...)``: PySide6 6.11 never frees the lambda when the
        # item goes before it fires (a scene switched away from while a widget started moving), and with
        # it the item, its records and its pictures (the fault soak's leak). A timer of the item's own
        # goes with it.
        self._cache_mode = QTimer(self)
        self._cache_mode.setSingleShot(True)
        self._cache_mode.setInterval(0)
        self._cache_mode.timeout.connect(self._moved_or_still)
        self._content: QRectF | None = None
        # Seams running through this widget, in its own coordinates.
        self.seams = [seam.translated(-rect.x, -rect.y) for seam in context.seams if seam.intersects(rect)]
        self.setObjectName(spec.id)

    def boundingRect(self) -> QRectF:
        return self._painted

    def has_panel(self) -> bool:
        return True

    def animate(self, moving: bool) -> None:
        """Repaint on every frame while ``moving`` (on the canvas's one clock), not at all otherwise."""
        if self.context.frames is not None:
            self.context.frames.animate(self, moving)
        if moving != self._moving:
            self._moving = moving
            # Often called from ``paint``: the cache mode changes once the paint is over.
            self._cache_mode.start()

    def _moved_or_still(self) -> None:
        self._keep_picture(not self._moving)

    def _keep_picture(self, still: bool) -> None:
        cache = QGraphicsItem.CacheMode
        mode = cache.DeviceCoordinateCache if self.cached and still else cache.NoCache
        if self.cacheMode() != mode:
            self.setCacheMode(mode)

    # Data

    def bind(self, binding: Binding) -> None:
        """Show ``binding``'s records from now on, starting with those it already holds (the cached ones),
        laid out knowing whether they need a badge."""
        self.unbind()
        self.binding = binding
        self.refresh_freshness()
        self._unsubscribe = binding.store.subscribe(lambda store: self.on_records(store.records()))
        self.on_records(binding.store.records())

    def unbind(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe, self.binding = None, None
        self.show_pictures(())

    def show_pictures(self, urls: Iterable[str | None]) -> None:
        """The pictures (avatars, media) this widget shows from now on, kept decoded while it does (see
        ``ImageCache.showing``)."""
        if self.context.images is not None:
            self.context.images.showing(self, urls)

    def on_records(self, records: tuple[Record, ...]) -> None:
        """The bound source's records changed (newest first). Widgets that show data override this."""

    def changed_at(self) -> float | None:
        """On a node of a wall (a scene with an ``origin``): the shared instant the data shown took effect
        here, the leader's instant of the last change (``Store.changed_at``), or the scene's start if that
        came later. A motion the data starts is timed from it, so every node draws it alike at the same
        instant, however late the data reached it. None on a single PC: motions start when data comes."""
        origin = self.context.origin
        if origin is None:
            return None
        changed = self.binding.store.changed_at if self.binding is not None else None
        return origin if changed is None else max(origin, changed)

    def data_moved_at(self) -> float:
        """When a motion the data just started begins (on ``ticks``): now on a single PC; on a node, the
        instant the data took effect (``changed_at``)."""
        changed = self.changed_at()
        return self.context.ticks() if changed is None else changed

    def refresh_freshness(self) -> None:
        """Mark the data with its age when it is not live, and say why there is none when there is none;
        repaint only if what is said changed."""
        fresh = self.binding.freshness() if self.binding is not None else None
        badges = badge_forms(fresh) if fresh is not None else ()
        waiting = waiting_notice(fresh, self.spec.source, self.empty_text)
        not_live = fresh is not None and fresh.badge
        failing = fresh is not None and fresh.state is SourceState.FAILING
        if (badges, waiting, not_live, failing) != (self.badges, self.waiting, self.not_live, self.failing):
            moved = bool(badges) != bool(self.badges)
            self.badges, self.waiting, self.not_live, self.failing = badges, waiting, not_live, failing
            if moved:
                self.badge_moved()
            self.update()

    @property
    def badge(self) -> str:
        """The badge's longest text; empty without one."""
        return self.badges[0] if self.badges else ""

    @property
    def source_name(self) -> str:
        """The name of the source the widget shows ("" for none)."""
        return self.spec.source or ""

    def badge_moved(self) -> None:
        """A badge appeared or went: widgets that lay out their content ahead of painting do it again."""

    def settle(
        self,
        records: Sequence[Record],
        shown: int,
        diagnose: Callable[[], Mismatch | None] | None = None,
    ) -> None:
        """Ready when something is shown; otherwise the configuration mistake the records reveal, if any
        (``diagnose`` names the widget's own; a source of the wrong kind is checked here); else empty."""
        if shown:
            self.set_state(WidgetState.READY)
        elif not self.misconfigured(records, diagnose):
            self.set_state(WidgetState.EMPTY)

    def misconfigured(
        self, records: Sequence[Record], diagnose: Callable[[], Mismatch | None] | None = None
    ) -> bool:
        """Whether ``records`` show the widget's configuration selects nothing in them: if so it says so
        (logged once) instead of waiting for data that cannot come."""
        if not records:
            return False
        kind = self.spec.reads
        mismatch = (wrong_kind(records, kind, self.source_name) if kind else None) or (
            diagnose() if diagnose else None
        )
        if mismatch is None:
            return False
        self.report(mismatch)
        self.set_state(WidgetState.ERROR, mismatch_notice(mismatch))
        return True

    def report(self, mismatch: Mismatch) -> None:
        """Log a configuration mistake, once per widget."""
        if mismatch.problem not in self._reported:
            self._reported.add(mismatch.problem)
            log.warning("widget %r: %s", self.spec.id, mismatch)

    def figure_colour(self, name: str) -> QColor:
        """The colour of a figure: the palette's ``name``, or the muted text colour while the data is not
        live, so an old value does not pass for a live one (muted text keeps the theme's contrast)."""
        return self.style.colour("text_muted" if self.not_live else name)

    def panel_rect(self) -> QRectF:
        half = self.style.spacing.gutter / 2
        return self._bounds.adjusted(half, half, -half, -half)

    def content_rect(self) -> QRectF:
        """Where text and figures go: inside the padding, and clear of any seam the widget spans.

        A widget neither moves nor resizes: worked out once, not on every paint.
        """
        if self._content is None:
            pad = self.style.spacing.padding
            inner = self.panel_rect().adjusted(pad, pad, -pad, -pad)
            if self.seams:
                clear = clear_of(Rect(inner.x(), inner.y(), inner.width(), inner.height()), self.seams, pad)
                inner = QRectF(*clear.as_tuple())
            self._content = inner
        return QRectF(self._content)

    def set_state(self, state: WidgetState, notice: Notice | str = "") -> None:
        if isinstance(notice, str):
            notice = Notice(notice, warn=bool(notice))
        if (state, notice) != (self.state, self.notice):
            self.state, self.notice = state, notice
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.has_panel() or self.state is not WidgetState.READY:
            self.paint_panel(painter)
        content = self.content_rect()
        if self.state is WidgetState.READY:
            self.paint_content(painter, content)
            if self.badges:
                self.paint_badge(painter, self.badge_area())
        else:
            self.paint_state(painter, content)

    def opaque_areas(self) -> tuple[QRectF, ...]:
        """Where the widget paints every pixel opaque whatever it shows (its own coordinates): the panel
        less its rounded corners and its antialiased edge, as two rectangles (one wide, one tall). The view
        need not fill the background there."""
        if not (self.has_panel() or self.state is not WidgetState.READY):
            return ()
        if self.style.colour("surface").alpha() != 255:
            return ()
        panel, corner = self.panel_rect(), self.style.spacing.radius + 1
        return panel.adjusted(corner, 1, -corner, -1), panel.adjusted(1, corner, -1, -corner)

    def paint_panel(self, painter: QPainter) -> None:
        spacing = self.style.spacing
        path = QPainterPath()
        path.addRoundedRect(self.panel_rect(), spacing.radius, spacing.radius)
        painter.fillPath(path, self.style.colour("surface"))
        if spacing.border:
            painter.setPen(QPen(self.style.colour("border"), spacing.border))
            painter.drawPath(path)

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    def heading(self) -> str | None:
        """The text that shares the first line with the badge (a title): the badge leaves it its room."""
        title: str | None = getattr(self.spec.options, "title", None)
        return title

    def badge_area(self) -> QRectF:
        """The rectangle whose first line the badge takes: the content's, or for a widget without a panel
        (cards that are panels themselves) the whole panel's, above the cards."""
        if self.has_panel():
            return self.content_rect()
        return self.panel_rect().adjusted(0, self.style.spacing.padding / 4, 0, 0)

    def under_badge(self, rect: QRectF) -> QRectF:
        """``rect`` less the badge's line at the top of ``badge_area`` (as it is without a badge)."""
        badge = self.badge_rect(self.badge_area())
        if badge.isEmpty():
            return QRectF(rect)
        return rect.adjusted(0, max(0.0, badge.bottom() + self.style.spacing.padding / 2 - rect.top()), 0, 0)

    def _badge_block(self, rect: QRectF) -> text.TextBlock:
        """The longest of the badge's texts that fits beside the heading at its full size; else the
        shortest, and the heading shrinks beside it (never under it)."""
        pad = self.style.spacing.padding / 2
        extra = self._dot() + 3 * pad
        heading = self.heading()
        taken = (
            QFontMetricsF(self.style.font("headline")).horizontalAdvance(heading) + pad if heading else 0.0
        )
        width, line = max(1.0, rect.width() - extra), QFontMetricsF(self.style.font("caption")).lineSpacing()
        for form in self.badges[:-1]:
            block = text.fit(self.style, form, width, line, "caption", max_lines=1)
            if not block.elided and block.width() + extra <= rect.width() - taken:
                return block
        return text.fit(self.style, self.badges[-1], width, line, "caption", max_lines=1)

    def _dot(self) -> float:
        return QFontMetricsF(self.style.font("caption")).lineSpacing() * 0.35

    def badge_rect(self, rect: QRectF) -> QRectF:
        """Where the badge goes in a content rectangle: its top-right corner (empty without a badge)."""
        if not self.badges:
            return QRectF()
        pad = self.style.spacing.padding / 2
        block = self._badge_block(rect)
        width = block.width() + self._dot() + 3 * pad
        return QRectF(rect.right() - width, rect.top() - pad / 2, width, block.line_height + pad)

    def beside_badge(self, rect: QRectF) -> float:
        """Width left on a content rectangle's first line once the badge is drawn there."""
        badge = self.badge_rect(rect)
        return rect.width() - (badge.width() + self.style.spacing.padding / 2 if not badge.isEmpty() else 0)

    def paint_badge(self, painter: QPainter, rect: QRectF) -> None:
        """A discreet pill: a dot, in the warning colour (critical while the source fails), and the
        data's age (or, over content a failing source never replaced, the failure)."""
        pad = self.style.spacing.padding / 2
        block = self._badge_block(rect)
        pill = self.badge_rect(rect)
        dot, height = self._dot(), pill.height()
        path = QPainterPath()
        path.addRoundedRect(pill, height / 2, height / 2)
        painter.fillPath(path, self.style.colour("surface_alt"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.style.colour("critical" if self.failing else "warning"))
        painter.drawEllipse(QPointF(pill.left() + pad + dot / 2, pill.center().y()), dot / 2, dot / 2)
        label = QRectF(pill.left() + 2 * pad + dot, pill.top(), block.width() + 1, height)
        text.draw(painter, block, label, self.style.colour("text_muted"), valign="center")

    def state_notice(self) -> Notice:
        """What the widget says instead of its content."""
        if self.state is WidgetState.EMPTY:
            return self.waiting
        return self.notice if self.notice.headline else Notice("Unavailable", warn=True)

    def paint_state(self, painter: QPainter, rect: QRectF) -> None:
        """Never a blank rectangle: under the widget's heading, say what it is waiting for, or what went
        wrong, as a headline and a quieter detail line (left out where both do not fit), centred together."""
        notice, style = self.state_notice(), self.style
        gap = style.spacing.padding / 4
        if heading := self.heading():
            block = text.fit(style, heading, rect.width(), rect.height() / 4, "headline", max_lines=1)
            text.draw(
                painter,
                block,
                QRectF(rect.left(), rect.top(), rect.width(), block.height),
                style.colour("text_muted"),
            )
            rect = rect.adjusted(0, block.height + gap, 0, 0)
        detail = None
        if notice.detail:
            detail = text.fit(style, notice.detail, rect.width(), rect.height(), "caption", max_lines=1)
            floor = QFontMetricsF(style.font("body", px=style.min_px)).lineSpacing()
            if rect.height() - detail.height - gap < floor:
                detail = None
        under = detail.height + gap if detail is not None else 0.0
        headline = text.fit(style, notice.headline, rect.width(), rect.height() - under, "body", max_lines=3)
        if headline.elided and detail is not None:  # the headline whole matters more than the detail
            alone = text.fit(style, notice.headline, rect.width(), rect.height(), "body", max_lines=3)
            if not alone.elided:
                headline, detail, under = alone, None, 0.0
        top = rect.top() + (rect.height() - headline.height - under) / 2
        box = QRectF(rect.left(), top, rect.width(), headline.height)
        text.draw(painter, headline, box, style.colour("warning" if notice.warn else "text_muted"), "center")
        if detail is not None:
            line = QRectF(rect.left(), box.bottom() + gap, rect.width(), detail.height)
            text.draw(painter, detail, line, style.colour("text_muted"), "center")
