"""Fitting text: plain text only, never below the legibility floor, elided at a word boundary."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QFontMetricsF, QImage

from wallapp.core.config.settings import load_settings
from wallapp.core.config.theme import load_theme
from wallapp.core.view.richtext import SpanKind
from wallapp.qt import text
from wallapp.qt.style import Style

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def style() -> Style:
    return Style(load_theme(load_settings().themes().path("dark")))


def test_markup_is_shown_as_the_characters_it_is_made_of(style: Style) -> None:
    raw = 'Check <b>this</b> <img src="x.png"> <a href="https://evil.example">link</a>'
    block = text.fit(style, raw, 5000, 500, "body")
    assert " ".join(block.lines) == raw


def test_text_that_fits_keeps_its_role_size(style: Style) -> None:
    block = text.fit(style, "Response rate", 1000, 200, "headline")
    assert block.px == style.text.headline
    assert not block.elided


def test_text_shrinks_before_it_is_cut_but_never_below_the_floor(style: Style) -> None:
    words = "Customers in twelve countries report slower answers since the outage this morning " * 6
    block = text.fit(style, words, 900, 260, "title")
    assert block.px == style.min_px
    assert block.elided
    assert block.lines[-1].endswith(text.ELLIPSIS)
    # Cut after a whole word: the visible words are a prefix of the text's words.
    shown = " ".join(block.lines).removesuffix(text.ELLIPSIS).split()
    assert shown == words.split()[: len(shown)]
    assert block.height <= 260
    metrics = QFontMetricsF(block.font)
    assert all(metrics.horizontalAdvance(line) <= 900 for line in block.lines)


def test_a_single_line_box_elides_the_end(style: Style) -> None:
    block = text.fit(style, "Average time before response per country", 600, 400, "headline", max_lines=1)
    assert len(block.lines) == 1
    assert block.lines[0].endswith(text.ELLIPSIS)


def test_scripts_without_spaces_are_cut_between_characters(style: Style) -> None:
    cjk = "我们的客服团队正在处理今天上午网络中断后的大量咨询请大家耐心等待" * 3
    line = text.elide(cjk, style.font("body"), 500)
    assert line.endswith(text.ELLIPSIS)
    assert cjk.startswith(line.removesuffix(text.ELLIPSIS))


def test_explicit_line_breaks_are_kept(style: Style) -> None:
    assert text.wrap("first\nsecond", style.font("body"), 2000) == ["first", "second"]


def test_lines_after_an_emoji_keep_their_words_whole(style: Style) -> None:
    words = "Top service van @Orbis_Care vandaag 📶 #Payment 🎉🎉 done"
    for width in (500, 560, 600):
        lines = text.wrap(words, style.font("body"), width)
        assert " ".join(lines).split() == words.split()


def test_a_hashtag_after_an_emoji_is_coloured_to_its_last_letter(style: Style) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    block = text.fit(style, "📶 #eSIM", 2000, 200, "body")
    image = QImage(800, 120, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    accent, white = QColor("#FF0000"), QColor("#FFFFFF")
    accents: dict[SpanKind, QColor] = {k: accent for k in ("link", "hashtag", "mention", "term")}
    text.draw_rich(painter, block, QRectF(0, 0, 800, 120), white, accents)
    painter.end()
    inked = [x for x in range(800) if any(QColor(image.pixel(x, y)).value() > 80 for y in range(120))]
    last = max(inked)
    # The last glyph ("M") is red, not white: the coloured range did not stop one letter short.
    reds = [QColor(image.pixel(x, y)) for x in range(last - 10, last + 1) for y in range(120)]
    assert any(c.red() > 150 and c.green() < 80 for c in reds)
    assert not any(c.red() > 150 and c.green() > 150 for c in reds)


def _red_ink(image: QImage) -> np.ndarray:
    """How much red ink each column of ``image`` has, from the first inked column to the last."""
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)
    red: np.ndarray = ((rgb[..., 2] > 120) & (rgb[..., 1] < 90)).sum(axis=0)
    columns = np.flatnonzero(red)
    return red[columns[0] : columns[-1] + 1]


@pytest.mark.parametrize("tag", ["#ServiceClient", "@Orbis_Care"])
def test_a_latin_tag_in_right_to_left_text_keeps_its_sign_in_front(style: Style, tag: str) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QPainter

    def drawn(line: str) -> np.ndarray:
        block = text.fit(style, line, 1800, 200, "body")
        image = QImage(1800, 200, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.black)
        painter = QPainter(image)
        accents: dict[SpanKind, QColor] = dict.fromkeys(("link", "hashtag", "mention", "term"), QColor("red"))
        text.draw_rich(painter, block, QRectF(0, 0, 1800, 200), QColor("white"), accents)
        painter.end()
        return _red_ink(image)

    alone = drawn(tag)  # a line of its own: left to right, the sign first
    inside = drawn(f"شكرا جزيلا {tag} على الرد السريع")
    width = min(len(alone), len(inside))
    # Inked column by column as on its own (correlation 0.8 to 1 here); with the sign on the far side
    # ("ServiceClient#") every letter is shifted and the correlation falls to about 0.
    assert np.corrcoef(alone[:width], inside[:width])[0, 1] > 0.6


def test_every_line_of_a_right_to_left_post_starts_on_the_right(style: Style) -> None:
    """The paragraph's direction holds for each wrapped line, also one that begins with a Latin tag."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QPainter

    block = text.TextBlock(
        style.font("body"), ("الشبكة مقطوعة منذ الصباح", "#DataProtection"), 60.0, elided=False
    )
    image = QImage(1200, 120, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    accents: dict[SpanKind, QColor] = dict.fromkeys(("link", "hashtag", "mention", "term"), QColor("red"))
    text.draw_rich(painter, block, QRectF(0, 0, 1200, 120), QColor("white"), accents)
    painter.end()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(120, 1200, 4)
    for top in (0, 60):
        inked = np.flatnonzero(pixels[top : top + 60, :, :3].max(axis=(0, 2)) > 100)
        assert inked.min() > 600  # both lines sit on the right half
        assert inked.max() > 1180  # and end at the right edge


def test_right_to_left_paragraphs_are_recognised_by_their_first_strong_letter() -> None:
    assert text.right_to_left("خدمة ممتازة من @OrbisTelecom")
    assert text.right_to_left("😂 שירות מעולה")
    assert not text.right_to_left("@OrbisTelecom خدمة")  # starts with a Latin (left-to-right) letter
    assert not text.right_to_left("123 !")


@pytest.mark.parametrize(
    "sample", ["日本語のテキスト", "中文客服很快", "한국어 고객 서비스", "خدمة ممتازة", "שירות מעולה"]
)
def test_every_script_the_feed_carries_has_real_glyphs(style: Style, sample: str) -> None:
    """No box for a missing glyph: the theme's fonts and their fallbacks cover the script."""
    from PySide6.QtGui import QTextLayout

    layout = QTextLayout(sample, style.font("body"))
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    glyphs = [g for run in layout.glyphRuns() for g in run.glyphIndexes()]
    assert glyphs
    assert 0 not in glyphs, [run.rawFont().familyName() for run in layout.glyphRuns()]


def test_emoji_are_drawn_in_colour(style: Style) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    block = text.fit(style, "🎉😂🚀", 600, 200, "body")
    image = QImage(600, 200, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    text.draw(painter, block, QRectF(0, 0, 600, 200), QColor("#FFFFFF"))
    painter.end()
    saturated = sum(
        1
        for x in range(0, 600, 3)
        for y in range(0, 200, 3)
        if QColor(image.pixel(x, y)).hsvSaturation() > 120
    )
    assert saturated > 50  # a white-only (monochrome) emoji would have none
