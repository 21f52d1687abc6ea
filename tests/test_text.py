"""Fitting text: plain text only, never below the legibility floor, elided at a word boundary."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetricsF

from wallapp.core.settings import load_settings
from wallapp.core.theme import load_theme
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
