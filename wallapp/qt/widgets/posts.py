"""The post wall (cards in columns) and the spotlight (one post, large, taking turns).

Both take posts from their source, newest first. Cards are painted once and reused; on the wall, new posts
fade in and settle at their place (the theme's ``motion.enter``), others glide to their new place and the
oldest fade out (``motion.move``), repainting only while something moves. A card's text is as large as its
room allows up to the theme's ``grow.card``, one size for each row of cards. The new cards are painted
before the move starts, one per turn of the event loop: painting eight at once held one frame for about
40 ms, a visible hitch. A first fill's cards are painted ahead the same way, without a move: a scene built
off screen has them ready for its first frame (on 4K panels, the wall's first paint took 50-60 ms).

On a node of a wall of several PCs, both are a function of the data and of the shared time, not of when the
data reached the node (``WidgetItem.changed_at``): the wall's pages turn at the same instants on every node,
and the spotlight takes new posts from the same turn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt, QTimer
from PySide6.QtGui import QImage, QPainter

from wallapp.core.config.widgets import PostWallWidget, SpotlightWidget
from wallapp.core.data.records import Post, Record
from wallapp.core.view.geometry import Rect, apportion, pieces
from wallapp.core.view.masonry import masonry
from wallapp.core.view.motion import arriving, ease_in_out, ease_out, rise, turn
from wallapp.core.view.sizing import shared
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState
from wallapp.qt.widgets.hero import paint_hero
from wallapp.qt.widgets.post_card import (
    CardKey,
    CardLook,
    card_height,
    card_key,
    least_card_height,
    least_card_width,
    paint_card,
    paint_plate,
    text_px,
)

WAITING = math.inf
"""When a move begins whose new cards are still being painted."""
MIN_CARD_HEIGHT = 380
"""Room for a header, two lines of text and a footer at the theme's default sizes."""
MIN_MASONRY_HEIGHT = 240
"""A masonry card is never shorter than this, however short its text."""
MASONRY_MOST = 60
"""Posts measured for a masonry wall that sets no ``max_cards`` (more never fit on a screen's column)."""
PREPARE_S = 0.25
"""On a node of a wall, how long before its page turns the wall lays out and paints its new cards: the
move then starts at the page's instant, on every node alike."""


LEVEL = 0.5 / 255
"""Half a level of an 8-bit colour channel: a card this close to transparent or to opaque is drawn as
such (its pixels at most a level apart), an opaque one copied rather than blended."""


def seen(opacity: float) -> float:
    """``opacity`` as drawn: 0 or 1 within ``LEVEL`` of them."""
    return 0.0 if opacity < LEVEL else 1.0 if opacity > 1 - LEVEL else opacity


def pixel(point: QPointF) -> QPoint:
    """The whole pixel a card's corner is drawn at."""
    return QPoint(round(point.x()), round(point.y()))


def posts_in(records: Sequence[Record]) -> list[Post]:
    return [r for r in records if isinstance(r, Post) and r.shown_text.strip()]


@dataclass
class _Motion:
    start: QPointF
    end: QPointF
    began: float
    duration: float
    fade_in: bool = False
    fade_out: bool = False
    seen: float = 1.0
    """How opaque the card is as the motion begins: a card fades in from there to 1 or out from there to 0
    (a card leaving before it had finished fading in fades out from where it was, not from 1)."""

    def progress(self, now: float) -> float:
        """0 to 1 over the motion's time (below 0 while its cards are painted; 1 for no time at all)."""
        return (now - self.began) / self.duration if self.duration > 0 else 1.0

    def opacity(self, now: float) -> float:
        eased = ease_out(self.progress(now))
        if self.fade_in:
            return self.seen + (1 - self.seen) * eased
        return self.seen * (1 - eased) if self.fade_out else 1.0


PaintCard = Callable[[QPainter, QRectF, Post, int], None]
"""Paints a post's card in a rectangle, its text at a size (0: the text role's)."""


class _CardCache:
    """Card pictures by what they depend on; pictures not drawn in the last frame are dropped."""

    def __init__(self) -> None:
        self._images: dict[CardKey, QImage] = {}
        self._used: set[CardKey] = set()
        self._kept: set[CardKey] = set()

    def prepare(
        self, post: Post, size: tuple[int, int], now: datetime, paint: PaintCard, px: int = 0
    ) -> bool:
        """Paint a card ahead of showing it, kept until ``release``; whether it had to be painted."""
        key = card_key(post, size, now, px)
        self._kept.add(key)
        if key in self._images:
            return False
        self.get(post, size, now, paint, px)
        return True

    def release(self) -> None:
        self._kept.clear()

    def get(self, post: Post, size: tuple[int, int], now: datetime, paint: PaintCard, px: int = 0) -> QImage:
        key = card_key(post, size, now, px)
        self._used.add(key)
        if min(size) < 1:
            return QImage()  # no room for a card: nothing to paint, or draw
        if (image := self._images.get(key)) is None:
            image = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            paint(painter, QRectF(0, 0, size[0], size[1]), post, px)
            painter.end()
            self._images[key] = image
        return image

    def end_frame(self) -> None:
        self._images = {k: v for k, v in self._images.items() if k in self._used or k in self._kept}
        self._used = set()

    def forget(self, post_ids: set[str]) -> None:
        self._images = {k: v for k, v in self._images.items() if k[0] not in post_ids}


class _CardsItem(WidgetItem):
    """Shows posts as cached cards: an avatar or picture arriving repaints the cards that show it."""

    _cards: _CardCache
    spec: PostWallWidget | SpotlightWidget
    empty_text = "No posts yet"
    look = CardLook()
    """The text roles of this item's cards."""
    cached = False
    """Its cards are its kept pictures: a still wall is repainted by copying them, as a kept picture of the
    whole widget would be, which would hold the wall's pixels a second time (14 MB on two 1080p screens,
    56 MB at 4K) and be drawn again after every move."""

    def card_posts(self) -> list[Post]:
        raise NotImplementedError

    def media(self) -> bool:
        """Whether cards show a post's picture."""
        return True

    def _paint_card(self, painter: QPainter, rect: QRectF, post: Post, px: int) -> None:
        paint_card(
            painter,
            rect,
            post,
            self.style,
            self.context.now(),
            self.context.images,
            look=self.look,
            highlight=tuple(self.spec.options.highlight),
            media=self.media(),
            px=px or None,
        )

    def show_cards(self) -> None:
        """Keep the pictures of the cards shown decoded while they are (see ``show_pictures``)."""
        media = self.media()
        self.show_pictures(
            url for post in self.card_posts() for url in (post.avatar_url, post.media_url if media else None)
        )

    def _image_arrived(self, url: str) -> None:
        stale = {p.id for p in self.card_posts() if url in (p.avatar_url, p.media_url)}
        if stale:
            self._cards.forget(stale)
            self.update()


class PostWallItem(_CardsItem):
    spec: PostWallWidget

    def __init__(self, spec: PostWallWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.posts: list[Post] = []
        self._motions: dict[str, _Motion] = {}
        self._shown: dict[str, Post] = {}
        self._sizes: dict[str, tuple[int, int]] = {}
        self._px: dict[str, int] = {}
        self._fitted: dict[tuple[str, str, str | None, tuple[int, int]], int] = {}
        """The largest text size of each shown card at its size, before its row's is taken."""
        """The size of each shown card's text: one per row of cards."""
        self._heights: dict[tuple[str, str, str | None, float], float] = {}
        self._cards = _CardCache()
        self._latest: tuple[Record, ...] = ()
        self._changed_at = float("-inf")
        self._page: float | None = None
        """On a node, the instant the wall's last page turned (see ``page_of``)."""
        self._before: dict[str, _Motion] = {}
        """On a node, the motions as they were before that page: what its moves start from."""
        self._due: float | None = None
        """On a node, the page the dwell timer turns to."""
        self._dwell = QTimer(self)
        self._dwell.setSingleShot(True)
        self._dwell.timeout.connect(lambda: self._show(self._latest, self._due))
        self._to_paint: list[Post] = []
        self._filling = False
        """Whether the cards painted ahead are the first fill's (nothing moves once they are)."""
        self._painting = QTimer(self)
        self._painting.setSingleShot(True)
        self._painting.timeout.connect(self._paint_next_card)
        self._moving_at = QTimer(self)
        """On a node, the page's instant: the frames of its move begin then, none before."""
        self._moving_at.setSingleShot(True)
        self._moving_at.setTimerType(Qt.TimerType.PreciseTimer)
        self._moving_at.timeout.connect(self._move)
        if context.images is not None:
            context.images.ready.connect(self._image_arrived)
        self.set_state(WidgetState.EMPTY)

    def has_panel(self) -> bool:
        return False  # every card is a panel

    def columns(self) -> list[list[Rect]]:
        """The columns of cards, full height (under the badge, if any), on each screen the wall spans (no
        card under a seam), screen by screen in reading order: as many as asked for in all (one at least per
        screen), fewer where cards would be too narrow for their header."""
        options, gap = self.spec.options, self.style.spacing.gutter
        area = self.under_badge(self.panel_rect())
        whole = Rect(area.x(), area.y(), area.width(), area.height())
        parts = pieces(whole, self.seams, gap / 2)
        counts: list[int] = []
        for top in dict.fromkeys(part.y for part in parts):  # each row of screens shares the columns
            counts += apportion(options.columns, [part.width for part in parts if part.y == top])
        least = least_card_width(self.style)
        result: list[list[Rect]] = []
        for part, asked in zip(parts, counts, strict=True):
            count = max(1, min(asked, int((part.width + gap) // (least + gap))))
            width = (part.width - gap * (count - 1)) / count
            result.append(
                [Rect(part.x + c * (width + gap), part.y, width, part.height) for c in range(count)]
            )
        return result

    def slots(self) -> list[QRectF]:
        """The grid's card places, in reading order on each screen in turn."""
        options, gap = self.spec.options, self.style.spacing.gutter
        result: list[QRectF] = []
        least = least_card_height(self.style)
        for columns in self.columns():
            height = columns[0].height
            rows = options.rows or max(1, int((height + gap) // (MIN_CARD_HEIGHT + gap)))
            # Fewer rows rather than cards too short for their header and a line of text.
            rows = max(1, min(rows, int((height + gap) // (least + gap))))
            card = (height - gap * (rows - 1)) / rows
            result += [
                QRectF(c.x, c.y + r * (card + gap), c.width, card) for r in range(rows) for c in columns
            ]
        return result[: options.max_cards]

    def places(self, posts: Sequence[Post]) -> list[tuple[Post, QRectF]]:
        """Where each post shown goes: the grid's slots, or packed into the columns by the height of each
        card's text (masonry), screen by screen."""
        options = self.spec.options
        if options.arrangement == "grid":
            return list(zip(posts, self.slots(), strict=False))
        placed: list[tuple[Post, QRectF]] = []
        waiting = list(posts[: options.max_cards or MASONRY_MOST])
        heights: dict[tuple[str, str, str | None, float], float] = {}
        for columns in self.columns():
            # More than this many cards of the least height never fit on this screen: measure no more.
            room = len(columns) * math.ceil(columns[0].height / MIN_MASONRY_HEIGHT)
            candidates = waiting[:room]
            wanted = [self._natural_height(post, columns[0].width, heights) for post in candidates]
            # A column shorter than the least card still shows one card, cut to the column.
            least = min(MIN_MASONRY_HEIGHT, columns[0].height)
            rects = masonry(columns, wanted, self.style.spacing.gutter, least=least)
            placed += [(post, QRectF(*r.as_tuple())) for post, r in zip(candidates, rects, strict=False)]
            waiting = waiting[len(rects) :]
        self._heights = heights
        return placed

    def _natural_height(
        self, post: Post, width: float, measured: dict[tuple[str, str, str | None, float], float]
    ) -> float:
        """A card's height for its text (measured once per post, text and width while it is shown)."""
        key = (post.id, post.shown_text, post.media_url, width)
        if key not in measured:
            known = self._heights.get(key)
            measured[key] = (
                known
                if known is not None
                else max(
                    MIN_MASONRY_HEIGHT,
                    card_height(post, width, self.style, self.context.now(), media=self.media()),
                )
            )
        return measured[key]

    def on_records(self, records: tuple[Record, ...]) -> None:
        """Posts arriving within ``dwell`` seconds of the last change join together at its end: a card
        stays long enough to be read, and the wall moves a few times a minute, not with every post. A
        post taken away (hidden from the console) goes at once. On a node of a wall: see ``_in_step``."""
        self._latest = records
        changed = self.changed_at()
        if changed is not None:
            self._in_step(records, changed)
            return
        wait = self._changed_at + self.spec.options.dwell - self.context.ticks()
        # A post shown that is no longer there (hidden by the operator) leaves at once, without waiting.
        ids = {record.id for record in records}
        if wait <= 0 or not self._shown or any(post.id not in ids for post in self.posts):
            self._show(records)
        elif not self._dwell.isActive():
            self._dwell.start(int(wait * 1000) + 1)

    def page_of(self, instant: float) -> float:
        """On a node, the page a change at ``instant`` shows on: the wall's pages turn every ``dwell``
        seconds from the scene's start (shared time), the same instants on every node."""
        origin, dwell = self.context.origin or 0.0, self.spec.options.dwell
        return origin + math.ceil((instant - origin) / dwell) * dwell if dwell > 0 else instant

    def _in_step(self, records: tuple[Record, ...], changed: float) -> None:
        """On a node, what the wall shows is a function of the data and of the shared time, not of when
        the data reached this node: the first posts show at once; a change shows at its page (cards laid
        out and painted ``PREPARE_S`` ahead), a post taken away goes from the instant it was; a change
        heard after its instant (a follower hears the leader's a little later) starts where its move is
        by then, as the nodes that heard it earlier show it."""
        ids = {record.id for record in records}
        if not self._shown:
            self._show(records)
        elif any(post.id not in ids for post in self.posts):
            self._dwell.stop()
            self._show(records, changed)
        else:
            page = self.page_of(changed)
            wait = page - PREPARE_S - self.context.ticks()
            if wait <= 0:
                self._dwell.stop()
                self._show(records, page)
            else:
                self._due = page
                self._dwell.start(int(wait * 1000) + 1)

    def _show(self, records: tuple[Record, ...], page: float | None = None) -> None:
        """Lay ``records`` out and move the cards there: from now on a single PC (``page`` None), or on a
        node from where they were before ``page`` (the instant the move starts; again from there when the
        page is shown again with later data)."""
        self._changed_at = self.context.ticks()
        posts = posts_in(records)
        if self.spec.options.order == "reach":
            posts.sort(key=lambda p: p.reach or 0, reverse=True)
        places = self.places(posts)
        shown = [post for post, _ in places]
        now, before, began = self.context.ticks(), self._motions, WAITING
        animate = bool(self._shown)  # the first fill appears at once
        if page is None or not animate:
            self._page = None
        else:
            if page != self._page:
                self._page, self._before = page, self._motions
            now, before, began = page, self._before, page
        motions: dict[str, _Motion] = {}
        sizes = {post.id: (math.floor(slot.width()), math.floor(slot.height())) for post, slot in places}
        px = self._text_sizes(places, sizes)
        timing = self.style.theme.motion
        for post, slot in places:
            end = slot.topLeft()
            was = before.get(post.id)
            if not animate:
                motions[post.id] = _Motion(end, end, now - timing.move, timing.move)
            elif was is None or was.fade_out:
                # From a little below its place: it rises and settles as it fades in (from where its
                # fading out had got to, if it was leaving).
                start = end + QPointF(0, self.style.spacing.gutter * 2)
                seen = 0.0 if was is None else was.opacity(now)
                motions[post.id] = _Motion(start, end, began, timing.enter, fade_in=True, seen=seen)
            elif was.fade_in and was.progress(now) < 1:  # still fading in: it goes on, to its new place
                where, seen = self._position(was, now), was.opacity(now)
                motions[post.id] = _Motion(where, end, began, timing.enter, fade_in=True, seen=seen)
            else:
                motions[post.id] = _Motion(self._position(was, now), end, began, timing.move)
        for post_id, motion in before.items():
            if post_id in motions or not animate:
                continue
            if motion.fade_out:  # already leaving: it goes on fading out as it was
                motions[post_id] = motion
            elif (seen := motion.opacity(now)) > 0:  # leaves from where it is, as opaque as it is
                where = self._position(motion, now)
                motions[post_id] = _Motion(where, where, began, timing.move, fade_out=True, seen=seen)
        changed = {
            p.id
            for p in shown
            if self._shown.get(p.id) != p
            or self._sizes.get(p.id) != sizes[p.id]
            or self._px.get(p.id) != px[p.id]
        }
        self._cards.forget(changed)
        self._sizes = {i: self._sizes[i] for i in motions if i not in sizes} | sizes
        self._px = {i: self._px[i] for i in motions if i not in px} | px
        self._shown = {p.id: p for p in shown} | {
            i: self._shown[i] for i in motions if i not in {p.id for p in shown}
        }
        self._motions, self.posts = motions, shown
        self.show_cards()
        self.settle(records, len(posts))  # posts but none shown: the box is too small (it says so)
        self._paint_ahead(shown if not animate else [p for p in shown if p.id in changed], animate)
        self.update()

    def _paint_ahead(self, posts: list[Post], move: bool) -> None:
        """Paint the new cards one a turn of the loop, then ``move``; a first fill's (``move`` False) all
        of them, ahead of the first frame (a scene built off screen: see ``wallapp.qt.handover``)."""
        self._filling, self._to_paint = not move, list(posts)  # a copy: painting takes them off it
        if move:
            self._paint_next_card()
        else:
            self._painting.start(0)

    def _text_sizes(
        self, places: Sequence[tuple[Post, QRectF]], sizes: dict[str, tuple[int, int]]
    ) -> dict[str, int]:
        """Each card's text size: the largest at which its text fits its card whole (up to the theme's
        ``grow.card``), lowered to the smallest of its row (a grid's row, or the whole masonry wall)."""
        most, now = self.style.theme.grow.card, self.context.now()
        known, self._fitted = self._fitted, {}
        for post, _ in places:  # measured once while shown at a size: most cards are the same next time
            key = (post.id, post.shown_text, post.media_url, sizes[post.id])
            self._fitted[key] = known.get(key) or text_px(
                post, sizes[post.id], self.style, now, most, media=self.media()
            )
        fitted = [self._fitted[(p.id, p.shown_text, p.media_url, sizes[p.id])] for p, _ in places]
        grid = self.spec.options.arrangement == "grid"
        rows = [round(slot.top()) if grid else 0 for _, slot in places]
        return {post.id: size for (post, _), size in zip(places, shared(fitted, rows), strict=True)}

    def badge_moved(self) -> None:
        """The cards make room for the badge, or take it back, gliding there."""
        if self._shown:
            self._show(self._latest)

    def _paint_next_card(self) -> None:
        """Paint one new card, and come back on the next turn of the event loop; with every card painted,
        start the move."""
        while self._to_paint:
            post = self._to_paint.pop(0)
            if self._cards.prepare(
                post, self._sizes[post.id], self.context.now(), self._paint_card, self._px.get(post.id, 0)
            ):
                self._painting.start(0)
                return
        if self._filling:  # nothing moves: the cards are ready for the first frame
            return
        began = self.context.ticks()
        self._motions = {
            i: replace(m, began=began) if m.began == WAITING else m for i, m in self._motions.items()
        }
        if self._page is not None and (ahead := self._page - self.context.ticks()) > 0:
            self._moving_at.start(int(ahead * 1000))  # the new cards kept, painted, until then
            self.update()
        else:
            self._move()

    def _move(self) -> None:
        """The move begins: frames until it ends."""
        self._cards.release()
        self.animate(True)
        self.update()

    @staticmethod
    def _position(motion: _Motion, now: float) -> QPointF:
        progress = motion.progress(now)  # below 0 while waiting for its cards: at the start
        if motion.fade_in:
            return motion.end + (motion.start - motion.end) * rise(progress)
        return motion.start + (motion.end - motion.start) * ease_in_out(progress)

    def card_posts(self) -> list[Post]:
        return list(self._shown.values())

    def media(self) -> bool:
        return self.spec.options.media

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        if not self._motions:
            parts.too_small(painter, self, rect)
            return
        now, wall_time = self.context.ticks(), self.context.now()
        moving = due = False
        for post_id, motion in self._motions.items():
            progress = motion.progress(now)
            # Before its start (its new cards being painted, or on a node before its page): still, no
            # frames until then, and the cards leaving stay on the wall until they have faded.
            due |= progress < 0
            opacity, where = seen(motion.opacity(now)), pixel(self._position(motion, now))
            # An easing's last frames change no pixel (under half a pixel of travel, half a level of
            # opacity): the motion is over for the eye, and the frames stop there.
            moving |= 0 <= progress < 1 and not (where == pixel(motion.end) and opacity in (0.0, 1.0))
            if opacity == 0:
                continue
            painter.setOpacity(opacity)
            image = self._cards.get(
                self._shown[post_id],
                self._sizes[post_id],
                wall_time,
                self._paint_card,
                self._px.get(post_id, 0),
            )
            # Whole pixels: the cached card is then copied as it is, not resampled, every frame.
            painter.drawImage(where, image)
        painter.setOpacity(1.0)
        self._cards.end_frame()
        if not moving and not due:
            self._motions = {i: m for i, m in self._motions.items() if not m.fade_out}
        self.animate(moving)


class SpotlightItem(_CardsItem):
    """One post as a hero (``hero.paint_hero``); posts take turns every ``every`` seconds of the wall clock
    (in step everywhere): over the theme's ``motion.turn`` the last fades out, the panel breathes, the next
    fades in and rises into place."""

    spec: SpotlightWidget

    def __init__(self, spec: SpotlightWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.candidates: list[Post] = []
        self.operator_pin: str | None = None
        """A post id the operator pinned from the console: shown alone while the source has it."""
        self._taking: list[tuple[float, list[Post]]] = [(-math.inf, [])]
        """The candidates taking turns from each turn number on (see ``_in_turn``), oldest first."""
        self._cards = _CardCache()
        # The first post shown appears at once, without a fade (on a node: the scene's first).
        origin = context.origin
        self._first_turn = self.turn()[0] if origin is None else int(origin // spec.options.every)
        self._turn = QTimer(self)
        self._turn.setSingleShot(True)
        self._turn.timeout.connect(self._next_turn)
        self._ahead = QTimer(self)
        self._ahead.setSingleShot(True)
        self._ahead.timeout.connect(self._paint_ahead)
        if context.images is not None:
            context.images.ready.connect(self._image_arrived)
        self.set_state(WidgetState.EMPTY)

    def card_posts(self) -> list[Post]:
        return list({p.id: p for _, posts in self._taking for p in posts}.values())

    def has_panel(self) -> bool:
        return False

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        posts = posts_in(records)
        by_id = {p.id: p for p in posts}
        pinned = [by_id[i] for i in options.pinned if i in by_id]
        if self.operator_pin in by_id:
            self.candidates = [by_id[self.operator_pin]]
        elif pinned:
            self.candidates = pinned
        else:
            latest = posts[: options.among]
            if options.pick == "reach":
                latest.sort(key=lambda p: p.reach or 0, reverse=True)
            self.candidates = latest
        self._take_turns(self.candidates)
        self.show_cards()
        self.settle(records, len(self.candidates))
        self._next_turn()

    def _take_turns(self, candidates: list[Post]) -> None:
        """The candidates take turns from now on a single PC; on a node, from the first turn that begins
        at or after the instant the data changed (``changed_at``), the turns before keep the candidates
        they had: every node shows the same post at each turn, however late the data reached it."""
        changed = self.changed_at()
        if changed is None:
            self._taking = [(-math.inf, candidates)]
            return
        number = self.turn()[0]
        # None shown yet: at once (every node shows them from the turn it is in, with the same posts).
        since = math.ceil(changed / self.spec.options.every) if self._in_turn(number) else -math.inf
        kept = [(start, posts) for start, posts in self._taking if start < since]
        # The candidates of the turn before this one, and those after: older ones are done.
        done = [i for i, (start, _) in enumerate(kept) if start <= number - 1]
        self._taking = [*kept[done[-1] if done else 0 :], (since, candidates)]

    def _in_turn(self, number: int) -> list[Post]:
        """The candidates taking turns at turn ``number``."""
        return next((posts for start, posts in reversed(self._taking) if start <= number), [])

    def pin(self, post: str | None) -> None:
        """Show ``post`` alone (the console's pin; None: take turns again)."""
        if post != self.operator_pin:
            self.operator_pin = post
            if self.binding is not None:
                self.on_records(self.binding.store.records())

    def turn(self) -> tuple[int, float]:
        """Which candidate is shown now, and how far into its turn (seconds)."""
        every = self.spec.options.every
        seconds = self.context.now().timestamp()
        return int(seconds // every), seconds % every

    def _next_turn(self) -> None:
        _, into = self.turn()
        left = self.spec.options.every - into
        self._turn.start(max(50, int(left * 1000)))
        self._ahead.start(max(0, int(left * 500)))  # halfway to the next turn, while nothing moves
        self.animate(True)  # the fade; paint stops it when done
        self.update()

    def _area(self) -> QRectF:
        """Where the hero goes: the whole panel, under the badge if any."""
        pad = self.style.spacing.padding
        return self.under_badge(self.content_rect().adjusted(-pad, -pad, pad, pad))

    def _size(self) -> tuple[int, int]:
        area = self._area()
        return math.floor(area.width()), math.floor(area.height())

    def _paint_ahead(self) -> None:
        """Paint the next post's hero before its turn: painting it in the turn's first frame held that
        frame for 25 ms or more, a stutter just as the eye follows the change."""
        number, _ = self.turn()
        taking = self._in_turn(number + 1)
        if len(taking) < 2:
            return
        upcoming = taking[(number + 1) % len(taking)]
        self._cards.release()  # the one painted ahead last time has had its turn
        self._cards.prepare(upcoming, self._size(), self.context.now(), self._paint_card)

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        number, into = self.turn()
        taking, before = self._in_turn(number), self._in_turn(number - 1)
        if not taking:
            return
        area, size = self._area(), self._size()
        count = len(taking)
        now = self.context.now()
        current = taking[number % count]
        previous = before[(number - 1) % len(before)] if before else current
        duration = self.style.theme.motion.turn
        turning = previous != current and number != self._first_turn and duration > 0
        progress = min(1.0, into / duration) if turning else 1.0
        leaving, coming = turn(progress)
        corner = area.topLeft().toPoint()  # whole pixels: the card is copied, not resampled
        if progress < 1:  # the bare panel under both: the canvas never shows through
            paint_plate(painter, QRectF(corner, QSizeF(*size)), self.style)
        if leaving > 0:
            painter.setOpacity(leaving)
            painter.drawImage(corner, self._cards.get(previous, size, now, self._paint_card))
        if coming > 0:
            # The next post rises into place as it fades in, from within the widget's margin.
            lift = round(self.style.spacing.gutter / 2 * rise(arriving(progress)))
            painter.setOpacity(coming)
            painter.drawImage(corner + QPoint(0, lift), self._cards.get(current, size, now, self._paint_card))
        painter.setOpacity(1.0)
        self._cards.end_frame()
        self.animate(progress < 1)

    def _paint_card(self, painter: QPainter, rect: QRectF, post: Post, px: int) -> None:
        paint_hero(
            painter,
            rect,
            post,
            self.style,
            self.context.now(),
            self.context.images,
            highlight=tuple(self.spec.options.highlight),
        )
