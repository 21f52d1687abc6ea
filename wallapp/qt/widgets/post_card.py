"""One post drawn as a card: avatar, name, @handle, age, network and language, text, media, sentiment.

Cards are painted once into an image and reused frame after frame; they are painted again only when the
post, the card's size, the shown age or an arriving image changes.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF

from wallapp.core.config.theme import TextRole
from wallapp.core.data.records import Post
from wallapp.core.view.formatting import format_value, language_tag, post_age
from wallapp.core.view.richtext import SpanKind
from wallapp.qt import text
from wallapp.qt.images import ImageCache
from wallapp.qt.style import Style

_SENTIMENT = {"positive": "positive", "negative": "critical", "neutral": "text_muted"}
_SPAN_KINDS: tuple[SpanKind, ...] = ("link", "hashtag", "mention", "term")


@dataclass(frozen=True)
class CardLook:
    """Text roles of a card: a wall's cards use body text; the spotlight shows one post large."""

    name: TextRole = "body"
    meta: TextRole = "caption"
    body: TextRole = "body"


def paint_plate(painter: QPainter, rect: QRectF, style: Style) -> None:
    """A card's themed panel alone (the hero's too: what shows between two posts)."""
    radius = style.spacing.radius
    panel = QPainterPath()
    panel.addRoundedRect(rect, radius, radius)
    painter.fillPath(panel, style.colour("surface"))
    if style.spacing.border:
        painter.setPen(QPen(style.colour("border"), style.spacing.border))
        painter.drawPath(panel)


def initials(post: Post) -> str:
    words = (post.author_name or post.handle or "?").replace("_", " ").split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


def avatar_colour(post: Post) -> QColor:
    """A stable, muted colour per author for the placeholder avatar."""
    digest = hashlib.blake2b((post.handle or post.author_name).encode(), digest_size=2).digest()
    return QColor.fromHsl(int.from_bytes(digest, "big") % 360, 110, 110)


def paint_avatar(painter: QPainter, rect: QRectF, post: Post, style: Style, image: QImage | None) -> None:
    """A round avatar; until the image arrives (or if it never does), initials on a colour of the author."""
    path = QPainterPath()
    path.addEllipse(rect)
    painter.save()
    painter.setClipPath(path, Qt.ClipOperation.IntersectClip)
    if image is not None:
        painter.drawImage(rect, image)
    else:
        painter.fillPath(path, avatar_colour(post))
        block = text.fit(style, initials(post), rect.width() * 0.8, rect.height() * 0.8, "body", strong=True)
        text.draw(painter, block, rect, QColor("#FFFFFF"), align="center", valign="center")
    painter.restore()


CardKey = tuple[str, tuple[int, int], str, int]


def card_key(post: Post, size: tuple[int, int], now: datetime, px: int = 0) -> CardKey:
    """What a card's picture depends on: the post, the size, the age shown (it changes once a minute at
    most) and the size of its text (0: the text role's)."""
    return post.id, size, age_text(post, now), px


def age_text(post: Post, now: datetime) -> str:
    return post_age((now - post.created_at).total_seconds()) if post.created_at else ""


THUMBNAIL_SHARE = 1 / 3
"""A media thumbnail is this share of the card's width, as tall as the text's room."""
MOST_LINES = 8
"""A card as tall as its text (masonry) shows this many lines at most."""


def least_line(style: Style, look: CardLook = CardLook()) -> float:
    """The height of one line of a card's text at the legibility floor."""
    return QFontMetricsF(style.font(look.body, px=style.min_px)).lineSpacing()


def least_card_height(style: Style, look: CardLook = CardLook()) -> float:
    """The height a card needs for its header and one line of text (no footer), at the theme's sizes."""
    pad = style.spacing.padding
    name = QFontMetricsF(style.font(look.name, strong=True)).lineSpacing()
    meta = QFontMetricsF(style.font(look.meta)).lineSpacing()
    return math.ceil(2 * pad + name + meta + pad / 2 + least_line(style, look))


def least_card_width(style: Style, look: CardLook = CardLook()) -> float:
    """The width a card needs for its avatar, the first letters of the name and the network's mark."""
    pad = style.spacing.padding
    name = QFontMetricsF(style.font(look.name, strong=True)).lineSpacing()
    side = name + QFontMetricsF(style.font(look.meta)).lineSpacing()
    letters = QFontMetricsF(style.font(look.name, strong=True, px=style.min_px)).horizontalAdvance("Mm…")
    return math.ceil(2 * pad + side + pad / 2 + letters + pad / 2 + name * 0.8)


def card_height(
    post: Post, width: float, style: Style, now: datetime, *, look: CardLook = CardLook(), media: bool = True
) -> float:
    """How tall a card ``width`` wide must be to show its text whole at the text role's size (up to
    ``MOST_LINES`` lines), as ``paint_card`` lays it out at ``now`` (the age in the header): padding, header,
    text or thumbnail, footer."""
    pad = style.spacing.padding
    inner = width - 2 * pad
    name, meta = _header_blocks(post, style, now, inner, look)
    footer = _footer_block(post, style, inner, look)
    body_width, thumbnail = inner, 0.0
    if media and post.media_url:
        thumbnail = inner * THUMBNAIL_SHARE
        body_width = inner - thumbnail - pad / 2
    # Whole pixels, rounded down: text.fit lays out at a rounded width, and a narrower measure never
    # counts fewer lines.
    shown = post.shown_text
    lines = text.wrap(shown, style.font(look.body), math.floor(body_width)) if shown.strip() else []
    line_height = QFontMetricsF(style.font(look.body)).lineSpacing()
    body = max(min(len(lines), MOST_LINES) * line_height, thumbnail)
    below = pad / 3 + footer.height if footer is not None else 0.0
    return math.ceil(2 * pad + name.height + meta.height + pad / 2 + body + below + 2)


def text_box(
    rect: QRectF,
    post: Post,
    style: Style,
    now: datetime,
    *,
    look: CardLook = CardLook(),
    media: bool = True,
) -> QRectF | None:
    """Where ``paint_card`` writes the post's text in a card of ``rect``: between the header and the footer,
    beside the thumbnail. None when the card has no room for a line of text."""
    return _card_parts(rect, post, style, now, look, media)[2]


def text_px(
    post: Post,
    size: tuple[int, int],
    style: Style,
    now: datetime,
    most: int,
    *,
    look: CardLook = CardLook(),
    media: bool = True,
) -> int:
    """The largest size, from ``most`` down to the floor, at which the post's text fits its card of
    ``size`` whole (the floor if it fits at none)."""
    box = text_box(QRectF(0, 0, *size), post, style, now, look=look, media=media)
    if box is None or not post.shown_text.strip():
        return style.min_px
    return text.fitted_px(style, post.shown_text, box.width(), box.height(), look.body, most)


def _card_parts(
    rect: QRectF, post: Post, style: Style, now: datetime, look: CardLook, media: bool
) -> tuple[text.TextBlock | None, QRectF | None, QRectF | None, QRectF]:
    """The card's footer (None: no room for it), thumbnail, text box and inner rectangle."""
    pad = style.spacing.padding
    inner = rect.adjusted(pad, pad, -pad, -pad)
    name, meta = _header_blocks(post, style, now, inner.width(), look)
    if not name.lines or name.height + meta.height > inner.height():
        return None, None, None, inner  # not even the header fits: the panel alone
    # Below the header, one line of text at least; the footer only if there is room left for it.
    least = name.height + meta.height + pad / 2 + least_line(style, look)
    footer = _footer_block(post, style, inner.width(), look)
    if footer is not None and inner.height() < least + pad / 3 + footer.height:
        footer = None
    if inner.height() < least:
        return footer, None, None, inner
    header = inner.top() + name.height + meta.height
    bottom = inner.bottom() - footer.height - pad / 3 if footer else inner.bottom()
    body = QRectF(inner.left(), header + pad / 2, inner.width(), max(0.0, bottom - header - pad / 2))
    thumb = None
    if media and post.media_url:
        # The picture the text's whole height (a square at least where the card is as tall as its
        # text, see ``card_height``), a third of the width: room to see what it shows.
        side = body.width() * THUMBNAIL_SHARE
        thumb = QRectF(body.right() - side, body.top(), side, body.height())
        body.setRight(thumb.left() - pad / 2)
    return footer, thumb, body, inner


def paint_card(
    painter: QPainter,
    rect: QRectF,
    post: Post,
    style: Style,
    now: datetime,
    images: ImageCache | None,
    *,
    look: CardLook = CardLook(),
    highlight: tuple[str, ...] = (),
    media: bool = True,
    px: int | None = None,
) -> None:
    """A themed panel with the header on top, the footer at the bottom and the text in between: at the
    text role's size (shrunk to fit), or with ``px`` at that size at most (the size of its row of cards)."""
    paint_plate(painter, rect, style)
    footer, thumb, body, inner = _card_parts(rect, post, style, now, look, media)
    name, meta = _header_blocks(post, style, now, inner.width(), look)
    if not name.lines or name.height + meta.height > inner.height():
        return
    _paint_header(painter, inner, post, style, now, images, look)
    if body is None:
        return
    if footer is not None:
        _paint_footer(painter, inner, post, style, footer)
    if thumb is not None:
        _paint_thumbnail(painter, thumb, images.image(post.media_url) if images else None, style)
    if post.shown_text.strip() and body.height() > 0:
        block = text.fit(style, post.shown_text, body.width(), body.height(), look.body, most=px)
        accents: dict[SpanKind, QColor] = {kind: style.colour("accent") for kind in _SPAN_KINDS}
        text.draw_rich(painter, block, body, style.colour("text"), accents, highlight)


def _paint_header(
    painter: QPainter,
    inner: QRectF,
    post: Post,
    style: Style,
    now: datetime,
    images: ImageCache | None,
    look: CardLook,
) -> float:
    """Avatar, name, "@handle · 5 min" under it, network and language on the right. Returns its bottom."""
    pad = style.spacing.padding
    lang = language_tag(post.lang)
    tag = text.fit(style, lang, inner.width() * 0.3, 200, look.meta, max_lines=1) if lang else None
    name, meta = _header_blocks(post, style, now, inner.width(), look)
    side = name.height + meta.height
    # On the right, the network's mark with the language under it; the name and "@handle · age" end
    # where they begin, never under them on a narrow card.
    mark = name.height * 0.8 if post.network else 0.0
    corner = max(mark, tag.width() if tag else 0.0)
    right = inner.right() - (corner + pad / 2 if corner else 0)
    left = inner.left() + side + pad / 2
    # A card too narrow for the avatar and the first letters of the name gives up the avatar.
    if right - left >= QFontMetricsF(name.font).horizontalAdvance("Mm…"):
        avatar = QRectF(inner.left(), inner.top(), side, side)
        paint_avatar(painter, avatar, post, style, images.image(post.avatar_url) if images else None)
    else:
        left = inner.left()
    if name.width() > right - left:
        name = _elided(name, right - left)
    if meta.width() > right - left:
        meta = _elided(meta, right - left)
    text.draw(painter, name, QRectF(left, inner.top(), right - left, name.height), style.colour("text"))
    below = QRectF(left, inner.top() + name.height, right - left, meta.height)
    text.draw(painter, meta, below, style.colour("text_muted"))
    if post.network:
        where = QRectF(inner.right() - mark, inner.top() + (name.height - mark) / 2, mark, mark)
        paint_network(painter, where, post.network, style)
    if tag:
        where = QRectF(
            inner.right() - tag.width() - 1, inner.top() + name.height, tag.width() + 1, tag.height
        )
        text.draw(painter, tag, where, style.colour("text_muted"), align="right")
    return inner.top() + side


NETWORK_LETTERS = {"twitter": "X", "x": "X", "facebook": "f", "linkedin": "in", "threads": "@"}


def paint_network(painter: QPainter, rect: QRectF, network: str, style: Style) -> None:
    """A network's mark in the muted colour: a camera for Instagram, a play button for YouTube, its
    letter on a rounded square for the others (Twitter/X, Facebook, LinkedIn, and any other by its
    initial). Simple shapes rather than the brands' logos."""
    colour = style.colour("text_muted")
    kind = network.strip().lower()
    radius = rect.width() * 0.22
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if kind == "instagram":
        pen = QPen(colour, max(3.0, rect.width() / 10))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = pen.widthF() / 2
        painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), radius, radius)
        painter.drawEllipse(rect.center(), rect.width() * 0.22, rect.width() * 0.22)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(
            QPointF(rect.right() - rect.width() * 0.26, rect.top() + rect.width() * 0.26),
            rect.width() / 16,
            rect.width() / 16,
        )
    elif kind == "youtube":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(
            rect.adjusted(0, rect.height() * 0.15, 0, -rect.height() * 0.15), radius, radius
        )
        painter.setBrush(style.colour("surface"))
        c, r = rect.center(), rect.width() * 0.18
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(c.x() - r * 0.8, c.y() - r),
                    QPointF(c.x() - r * 0.8, c.y() + r),
                    QPointF(c.x() + r, c.y()),
                ]
            )
        )
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, radius, radius)
        letter = NETWORK_LETTERS.get(kind, kind[:1].upper() or "?")
        # A line's spacing is a third taller than its capitals: a letter fits a mark that much shorter.
        block = text.fit(
            style, letter, rect.width() * 0.9, rect.height() * 1.3, "caption", strong=True, max_lines=1
        )
        text.draw(painter, block, rect, style.colour("surface"), align="center", valign="center")
    painter.restore()


def _elided(block: text.TextBlock, width: float) -> text.TextBlock:
    """One line of ``block`` elided to ``width``, in the same font."""
    if not block.lines:
        return block
    line = text.elide(block.lines[0], block.font, max(1.0, width))
    return text.TextBlock(block.font, (line,), block.line_height, elided=True)


def _header_blocks(
    post: Post, style: Style, now: datetime, width: float, look: CardLook
) -> tuple[text.TextBlock, text.TextBlock]:
    """The author's name, and "@handle · 5 min" under it."""
    author = post.author_name or post.handle or "Unknown"
    name = text.fit(style, author, width * 0.6, 200, look.name, strong=True, max_lines=1)
    meta_text = " · ".join(p for p in (f"@{post.handle}" if post.handle else "", age_text(post, now)) if p)
    return name, text.fit(style, meta_text, width * 0.6, 200, look.meta, max_lines=1)


def _footer_block(post: Post, style: Style, width: float, look: CardLook) -> text.TextBlock | None:
    """The reach and the sentiment, if the post has either."""
    parts = []
    if post.reach:
        parts.append(f"Reach {format_value(post.reach, 'compact')}")
    if post.sentiment:
        parts.append(post.sentiment.capitalize())
    if not parts:
        return None
    return text.fit(style, "  ·  ".join(parts), width - style.spacing.padding, 200, look.meta, max_lines=1)


def _paint_footer(painter: QPainter, inner: QRectF, post: Post, style: Style, block: text.TextBlock) -> float:
    """A sentiment dot, the sentiment and the reach. Returns the footer's top."""
    pad = style.spacing.padding
    dot = block.line_height * 0.3
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.colour(_SENTIMENT.get(post.sentiment or "", "text_muted")))
    painter.drawEllipse(
        QPointF(inner.left() + dot / 2, inner.bottom() - block.line_height / 2), dot / 2, dot / 2
    )
    where = QRectF(inner.left() + dot + pad / 3, inner.bottom() - block.height, inner.width(), block.height)
    text.draw(painter, block, where, style.colour("text_muted"))
    return inner.bottom() - block.height


def _paint_thumbnail(painter: QPainter, rect: QRectF, image: QImage | None, style: Style) -> None:
    radius = style.spacing.radius / 2
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    painter.save()
    painter.setClipPath(path, Qt.ClipOperation.IntersectClip)
    painter.fillPath(path, style.colour("surface_alt"))
    if image is not None:  # cover the box, centred
        scale = max(rect.width() / image.width(), rect.height() / image.height())
        width, height = image.width() * scale, image.height() * scale
        painter.drawImage(
            QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2, width, height), image
        )
    painter.restore()
