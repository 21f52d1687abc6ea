"""The wall looks as it did: every shipped layout in both themes against its golden picture.

A picture that differs beyond the tolerance fails with the path of the new picture and of the difference
(``tests/golden/failed/``). If the change is meant, ``./dev golden`` draws the references again (see
``tests/golden.py``).
"""

from __future__ import annotations

import golden
import pytest
from golden import THEMES, compare, difference_picture, layouts, quantized, reference, render, write_failure
from PySide6.QtGui import QImage


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", layouts())
def test_the_layout_looks_as_its_golden_picture(name: str, theme: str) -> None:
    path = reference(name, theme)
    assert path.is_file(), f"no golden picture {path}: make it with ./dev golden"
    expected = QImage(str(path))
    actual = render(name, theme)
    difference = compare(expected, quantized(actual))
    if not difference.same:
        folder = write_failure(name, theme, actual, difference)
        size = f"size {actual.width()}x{actual.height()}, was {expected.width()}x{expected.height()}"
        what = f"{difference.share:.2%} of the pixels differ" if difference.mask is not None else size
        pytest.fail(
            f"{name} ({theme}) no longer looks as {path.name}: {what}; see {folder}/{name}-{theme}*.png, "
            "and if the change is meant, run ./dev golden"
        )


@pytest.mark.usefixtures("qapp")
def test_two_renders_are_identical() -> None:
    """Golden pictures hold only if drawing is deterministic: the time, the seed and the fonts fixed."""
    first, second = render("showcase", "dark"), render("showcase", "dark")
    assert golden.pixels(first).tobytes() == golden.pixels(second).tobytes()


def _picture(colour: str, size: int = 100) -> QImage:
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(colour)
    return image


def test_a_few_edge_pixels_pass_and_a_changed_block_fails() -> None:
    expected = _picture("#102030")
    edges = expected.copy()
    for x in range(10):  # a glyph's edge: 10 pixels of 10 000, slightly off
        edges.setPixelColor(x, 0, "#FFFFFF")
    assert compare(expected, edges).same
    shaded = _picture("#142434")  # anti-aliasing off by a few levels everywhere
    assert compare(expected, shaded).same
    moved = expected.copy()
    for x in range(20):
        for y in range(20):
            moved.setPixelColor(x, y, "#F0F0F0")
    difference = compare(expected, moved)
    assert not difference.same
    assert difference.differing == 400
    marked = difference_picture(moved, difference)
    assert marked.pixelColor(5, 5).name() == "#ff00ff"
    assert marked.pixelColor(50, 50).name() != "#ff00ff"


def test_a_picture_in_its_own_colours_keeps_its_look() -> None:
    image = _picture("#0A0E15")
    for x in range(20):  # anti-aliased edges: 400 colours near the ground, more than the 256 kept
        for y in range(20):
            image.setPixelColor(x, y, f"#{10 + x:02X}{14 + y:02X}15")
    reduced = quantized(image)
    assert reduced.format() == QImage.Format.Format_Indexed8
    assert compare(image, reduced).same
    assert golden.pixels(quantized(image)).tobytes() == golden.pixels(reduced).tobytes()


def test_a_picture_of_another_size_fails() -> None:
    assert not compare(_picture("#000000", 100), _picture("#000000", 90)).same
