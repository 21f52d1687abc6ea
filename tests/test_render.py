"""Real painting into images: mullions, seams, themes, fitted text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from wallapp.app import build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.qt import snapshot
from wallapp.qt.widgets import WidgetState

FIXED = datetime(2026, 11, 22, 9, 41, 0, tzinfo=UTC)


def scene_for(path: Path | str, theme: str | None = None) -> Any:
    return build_scene(open_layout(load_settings(), str(path), theme), now=lambda: FIXED)


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    colour = QColor(image.pixel(x, y))
    return colour.red(), colour.green(), colour.blue()


def hexrgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.usefixtures("qapp")
def test_a_widget_spanning_a_seam_shows_the_mullion_gap_at_the_right_pixels(write_json: Any) -> None:
    path = write_json(
        "span.json",
        {
            "name": "Span",
            "widgets": [
                {
                    "id": "wide",
                    "kind": "text",
                    "place": {"screen": [0, 0], "span": [2, 1]},
                    "options": {"text": "Across"},
                },
            ],
        },
    )
    scene = scene_for(path)
    image = snapshot.render(scene)
    assert (image.width(), image.height()) == (5772, 2166)
    surface = hexrgb(scene.wall_style.theme.palette.surface)
    row = 540
    # The panel continues on both sides of the seam; the mullion (x 1920..1925) is black.
    assert rgb(image, 1919, row) == surface
    for x in range(1920, 1926):
        assert rgb(image, x, row) == (0, 0, 0), x
    assert rgb(image, 1926, row) == surface
    # The horizontal mullion under the first row, and the vertical one between columns 2 and 3.
    assert rgb(image, 100, 1082) == (0, 0, 0)
    assert rgb(image, 3848, 1500) == (0, 0, 0)


@pytest.mark.usefixtures("qapp")
def test_text_keeps_clear_of_the_seam_it_spans(write_json: Any) -> None:
    path = write_json(
        "centred.json",
        {
            "name": "Centred",
            "widgets": [
                {
                    "id": "wide",
                    "kind": "text",
                    "place": {"screen": [0, 1], "span": [2, 1]},
                    "options": {
                        "text": "Centred headline that would cross the seam",
                        "align": "center",
                        "role": "title",
                    },
                },
            ],
        },
    )
    scene = scene_for(path)
    image = snapshot.render(scene)
    surface = hexrgb(scene.wall_style.theme.palette.surface)
    padding = scene.wall_style.spacing.padding
    band = range(1920 - padding, 1926 + padding)
    ink = [(x, y) for x in band for y in range(1086, 2166, 2) if rgb(image, x, y) not in (surface, (0, 0, 0))]
    # Only the panel's border may be drawn there, at its top and bottom edges.
    assert all(y < 1086 + 40 or y > 2166 - 40 for _, y in ink)
    # ...and the text itself is drawn somewhere: bright pixels in the left screen.
    text_pixels = sum(
        1 for x in range(0, 1900, 3) for y in range(1500, 1760, 3) if sum(rgb(image, x, y)) > 600
    )
    assert text_pixels > 50


@pytest.mark.usefixtures("qapp")
def test_snapshot_scale_and_file(tmp_path: Path) -> None:
    scene = scene_for("hub")
    image = snapshot.render(scene, 0.25)
    assert (image.width(), image.height()) == (1443, 542)
    out = tmp_path / "hub.png"
    snapshot.save(image, out)
    assert QImage(str(out)).size() == image.size()


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_theme_colours_the_canvas(theme: str) -> None:
    scene = scene_for("hub", theme)
    image = snapshot.render(scene, 0.5)
    # The logo's area has no panel: the canvas background shows through in its corner.
    assert rgb(image, 2, 2) == hexrgb(scene.wall_style.theme.palette.background)


@pytest.mark.usefixtures("qapp")
def test_a_missing_or_corrupt_image_shows_a_placeholder(write_json: Any, tmp_path: Path) -> None:
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)
    path = write_json(
        "images.json",
        {
            "name": "Images",
            "widgets": [
                {
                    "id": "gone",
                    "kind": "image",
                    "place": {"screen": [0, 0]},
                    "options": {"path": "missing.png"},
                },
                {
                    "id": "bad",
                    "kind": "image",
                    "place": {"screen": [1, 0]},
                    "options": {"path": "corrupt.png"},
                },
            ],
        },
    )
    scene = scene_for(path)
    for wid in ("gone", "bad"):
        assert scene.items_by_id[wid].state is WidgetState.ERROR
    image = snapshot.render(scene, 0.25)
    # A themed panel with a message, never a blank rectangle.
    surface = hexrgb(scene.wall_style.theme.palette.surface)
    assert rgb(image, 240, 135) != hexrgb(scene.wall_style.theme.palette.background)
    assert surface in {rgb(image, x, 30) for x in range(20, 460, 10)}


@pytest.mark.usefixtures("qapp")
def test_kpi_without_a_value_waits_for_data(write_json: Any) -> None:
    path = write_json(
        "kpi.json",
        {
            "name": "KPI",
            "widgets": [
                {
                    "id": "k",
                    "kind": "kpi",
                    "place": {"screen": [0, 0]},
                    "options": {"label": "Response rate", "format": "percent"},
                },
            ],
        },
    )
    scene = scene_for(path)
    assert scene.items_by_id["k"].state is WidgetState.EMPTY


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_shipped_layout_renders_in_every_theme_without_errors(theme: str) -> None:
    settings = load_settings()
    for name in settings.layouts().names():
        scene = scene_for(name, theme)
        broken = [wid for wid, item in scene.items_by_id.items() if item.state is WidgetState.ERROR]
        assert broken == [], f"{name} in {theme}: {broken}"
        image = snapshot.render(scene, 0.1)
        assert not image.isNull()


@pytest.mark.usefixtures("qapp")
def test_neighbouring_widgets_do_not_overlap_so_one_repaints_without_the_other() -> None:
    """A widget's bounds are what it paints (its panel), not its grid cell: when the ticker moves, the
    post wall above it, whose cell touches the ticker's, is not repainted on every frame."""
    settings = load_settings()
    for name in settings.layouts().names():
        scene = scene_for(name)
        items = list(scene.items_by_id.items())
        for index, (first, a) in enumerate(items):
            for second, b in items[index + 1 :]:
                # A view repaints whole device pixels: bounds closer than a pixel would overlap there.
                near = a.sceneBoundingRect().toAlignedRect().intersects(b.sceneBoundingRect().toAlignedRect())
                assert not near, f"{name}: {first} and {second} overlap"
