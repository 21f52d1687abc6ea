"""The spotlight's post drawn as a hero: what a visitor reads from the door.

The author large at the top (picture, name, @handle and age, the network's mark), the post's text as large as
its room allows (up to the theme's ``grow.spotlight``) with its lines balanced and the block centred in the
space left, the post's picture beside it, as tall as the panel, and the reach and sentiment at the foot.
Painted once per post into a picture, like a card.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath

from wallapp.core.data.records import Post
from wallapp.core.view.formatting import language_tag
from wallapp.core.view.richtext import SpanKind
from wallapp.qt import text
from wallapp.qt.images import ImageCache
from wallapp.qt.style import Style
from wallapp.qt.widgets.post_card import (
    _SENTIMENT,
    _SPAN_KINDS,
    THUMBNAIL_SHARE,
    CardLook,
    _footer_block,
    age_text,
    paint_avatar,
    paint_network,
    paint_plate,
)

MEDIA_SHARE = 0.42
"""On a wide panel, the post's picture takes this share of the panel's width, its whole height."""
WIDE = 1.2
"""A panel this many times as wide as it is tall is wide; on a narrower one, the picture is a square beside
the text (``THUMBNAIL_SHARE`` of its width), as on a card."""
RAISED = 0.45
"""Text and picture sit in the room left with this share of it above them: a little above the middle."""
AVATAR_LINES = 1.15
"""The author's picture is this many times as tall as the name and the handle's lines together."""


def paint_hero(
    painter: QPainter,
    rect: QRectF,
    post: Post,
    style: Style,
    now: datetime,
    images: ImageCache | None,
    *,
    highlight: tuple[str, ...] = (),
    media: bool = True,
) -> None:
    pad = style.spacing.padding
    paint_plate(painter, rect, style)
    inner = rect.adjusted(pad * 1.5, pad * 1.5, -pad * 1.5, -pad * 1.5)
    if inner.width() <= 0 or inner.height() <= 0:
        return
    column = QRectF(inner)
    picture = images.image(post.media_url) if images and post.media_url else None
    has_media = media and bool(post.media_url)
    wide = has_media and inner.width() > inner.height() * WIDE
    if wide:
        # Beside the text on a wide panel, the whole height: the picture is part of the story.
        width = inner.width() * MEDIA_SHARE
        column.setRight(inner.right() - width - pad * 1.5)
        _paint_picture(
            painter, QRectF(inner.right() - width, inner.top(), width, inner.height()), picture, style
        )
    top = _paint_author(painter, column, post, style, now, images)
    if top is None:
        return
    bottom = column.bottom()
    footer = _footer_block(post, style, column.width(), _FOOT)
    if footer is not None and bottom - top > footer.height * 3:
        bottom = _paint_foot(painter, column, post, style, footer) - pad
    body = QRectF(column.left(), top + pad, column.width(), max(0.0, bottom - top - pad))
    if body.height() <= 0:
        return
    side = min(body.height(), body.width() * THUMBNAIL_SHARE) if has_media and not wide else 0.0
    words = body.adjusted(0, 0, -(side + pad) if side else 0.0, 0)
    # Centred in the room left, a little above the middle, where the eye expects it.
    if side:
        where = QRectF(body.right() - side, body.top() + (body.height() - side) * RAISED, side, side)
        _paint_picture(painter, where, picture, style)
    if not post.shown_text.strip() or words.width() <= 0:
        return
    most = style.theme.grow.spotlight
    block = text.fit(style, post.shown_text, words.width(), words.height(), "title", most=most)
    block = text.balanced(block, post.shown_text, words.width())
    shown = QRectF(
        words.left(), words.top() + (words.height() - block.height) * RAISED, words.width(), block.height
    )
    accents: dict[SpanKind, QColor] = {kind: style.colour("accent") for kind in _SPAN_KINDS}
    text.draw_rich(painter, block, shown, style.colour("text"), accents, highlight)


_FOOT = CardLook(meta="headline")
"""The hero's foot: the reach and the sentiment at a headline's size."""


def _paint_author(
    painter: QPainter, column: QRectF, post: Post, style: Style, now: datetime, images: ImageCache | None
) -> float | None:
    """The author's picture, name and "@handle · age", the network's mark and language on the right.
    Returns the bottom of the header; None when not even the name fits."""
    pad = style.spacing.padding
    author = post.author_name or post.handle or "Unknown"
    meta_text = " · ".join(p for p in (f"@{post.handle}" if post.handle else "", age_text(post, now)) if p)
    # The picture is as tall as the name and the handle's lines at their roles' sizes.
    side = (
        text.line_height(style, "title", strong=True) + text.line_height(style, "headline")
    ) * AVATAR_LINES
    side = min(side, column.height() / 3)
    mark = text.line_height(style, "title", strong=True) * 0.8 if post.network else 0.0
    lang = language_tag(post.lang)
    tag = text.fit(style, lang, column.width() * 0.2, side / 2, "headline", max_lines=1) if lang else None
    corner = max(mark, tag.width() if tag else 0.0)
    right = column.right() - (corner + pad if corner else 0.0)
    left = column.left() + side + pad
    if right - left < column.width() * 0.4:  # a narrow panel gives up the picture, never the name
        left, side = column.left(), 0.0
    # Shrunk to the room beside the picture before cut: the whole name at a smaller size.
    name = text.fit(style, author, right - left, column.height() / 3, "title", strong=True, max_lines=1)
    meta = text.fit(style, meta_text, right - left, column.height() / 4, "headline", max_lines=1)
    if not name.lines:
        return None
    if side:
        avatar = QRectF(column.left(), column.top(), side, side)
        paint_avatar(painter, avatar, post, style, images.image(post.avatar_url) if images else None)
    lines = name.height + meta.height
    first = column.top() + max(0.0, (side - lines) / 2)  # name and handle centred on the picture
    text.draw(painter, name, QRectF(left, first, right - left, name.height), style.colour("text"))
    below = QRectF(left, first + name.height, right - left, meta.height)
    text.draw(painter, meta, below, style.colour("text_muted"))
    if post.network:
        where = QRectF(column.right() - mark, first + max(0.0, (name.height - mark) / 2), mark, mark)
        paint_network(painter, where, post.network, style)
    if tag:
        where = QRectF(column.right() - tag.width() - 1, first + name.height, tag.width() + 1, tag.height)
        text.draw(painter, tag, where, style.colour("text_muted"), align="right")
    return column.top() + max(side, lines)


def _paint_foot(painter: QPainter, column: QRectF, post: Post, style: Style, block: text.TextBlock) -> float:
    """A sentiment dot, the reach and the sentiment, at the foot of the column. Returns its top."""
    pad = style.spacing.padding
    dot = block.line_height * 0.3
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.colour(_SENTIMENT.get(post.sentiment or "", "text_muted")))
    middle = column.bottom() - block.line_height / 2
    painter.drawEllipse(QPointF(column.left() + dot / 2, middle), dot / 2, dot / 2)
    where = QRectF(
        column.left() + dot + pad / 2, column.bottom() - block.height, column.width(), block.height
    )
    text.draw(painter, block, where, style.colour("text_muted"))
    return column.bottom() - block.height


def _paint_picture(painter: QPainter, rect: QRectF, image: QImage | None, style: Style) -> None:
    """The post's picture covering ``rect`` (centred, cut to it), on the raised colour until it arrives."""
    radius = style.spacing.radius
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    painter.save()
    painter.setClipPath(path, Qt.ClipOperation.IntersectClip)
    painter.fillPath(path, style.colour("surface_alt"))
    if image is not None and not image.isNull():
        scale = max(rect.width() / image.width(), rect.height() / image.height())
        width, height = image.width() * scale, image.height() * scale
        painter.drawImage(
            QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2, width, height), image
        )
    painter.restore()
