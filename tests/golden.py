"""Golden pictures: every shipped layout in both themes, drawn at a fixed time on the demo feed's seeded
records, kept in ``tests/golden/`` and compared by ``tests/test_golden.py``.

A change that alters the look shows up as a failing test with a picture of the difference. When the change
is meant, make the references (and the galleries) again with the one command

    ./dev golden            # or: PYTHONPATH=. python tests/golden.py --update

which writes ``tests/golden/LAYOUT-THEME.png``, ``docs/gallery.md`` (every layout in both themes, from the
same pictures), the README's gallery of failure states (``tests/gallery.py``), its picture of the hub and
of the presenter window (``tests/presenter_picture.py``). Look at every picture it writes before
committing them.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PySide6.QtGui import QImage

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REFERENCES = HERE / "golden"
FAILED = REFERENCES / "failed"
"""Where a failing comparison leaves its pictures (ignored by git)."""
GALLERY = ROOT / "docs" / "gallery.md"

NOW = datetime(2026, 11, 22, 9, 41, tzinfo=UTC)
"""The wall clock of every golden picture: ages, clocks and spotlight turns read the same each time."""
TICKS = 1000.0
"""The monotonic clock, stopped: tickers and moves stand still at the same place."""
SCALE = 0.25
"""A quarter of the wall's pixels: the composition and the text's size and place show, the repository
stays light (70 KB a picture or less, in 256 colours: see ``quantized``)."""
COLOURS = 256
THEMES = ("dark", "light")
README_SCALE = 0.3
"""The README's picture of the hub, in full colour."""

CHANNEL_TOLERANCE = 48
"""A pixel differs when one of its channels is this much off (0-255): anti-aliasing and hinting moved by a
fraction of a pixel stay under it, a colour or a glyph that changed does not."""
MOST_DIFFERING = 0.001
"""The share of a picture's pixels that may differ: a glyph edge here and there (a tenth of a percent is
about two words of body text at this scale), never a moved widget."""


def layouts() -> list[str]:
    from wallapp.core.config.settings import load_settings

    return sorted(load_settings().layouts().names())


def reference(name: str, theme: str) -> Path:
    return REFERENCES / f"{name}-{theme}.png"


def render(name: str, theme: str, scale: float = SCALE) -> QImage:
    """The shipped layout ``name`` in ``theme`` as the golden pictures show it."""
    from wallapp.app import build_scene, open_layout
    from wallapp.core.config.settings import load_settings
    from wallapp.live.feeds import Feeds
    from wallapp.qt import snapshot
    from wallapp.qt.images import ImageCache

    opened = open_layout(load_settings(), name, theme)
    feeds = Feeds(None, now=lambda: NOW)
    sources = feeds.use(opened.loaded)
    feeds.prime(NOW)
    scene = build_scene(
        opened,
        now=lambda: NOW,
        sources=sources,
        images=ImageCache(None, ticks=lambda: TICKS),
        ticks=lambda: TICKS,
    )
    image = snapshot.render(scene, scale)
    scene.dispose()
    return image


def pixels(image: QImage) -> NDArray[np.uint8]:
    """The picture's red, green and blue channels, one row of pixels after the other."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    stride = rgb.bytesPerLine()
    data = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * rgb.height())
    rows = data.reshape(rgb.height(), stride)[:, : rgb.width() * 3]
    return rows.reshape(rgb.height(), rgb.width(), 3).copy()  # its own memory: ``rgb`` goes with this call


@dataclass(frozen=True)
class Difference:
    """How far a picture is from its reference: the pixels beyond the tolerance, and their share."""

    differing: int
    total: int
    mask: NDArray[np.bool_] | None
    """Differing pixels (None when the sizes differ)."""

    @property
    def share(self) -> float:
        return self.differing / self.total if self.total else 1.0

    @property
    def same(self) -> bool:
        return self.mask is not None and self.share <= MOST_DIFFERING


def quantized(image: QImage) -> QImage:
    """The picture in its ``COLOURS`` most frequent colours, every other pixel in the nearest of them.

    A wall is flat colours and their anti-aliased edges: the picture looks the same and its PNG is a third
    of the size. The same picture always gives the same palette, so a reference and a new render of the
    same wall compare equal to the pixel.
    """
    rgb = pixels(image)
    height, width, _ = rgb.shape
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    colours, inverse, counts = np.unique(packed.ravel(), return_inverse=True, return_counts=True)
    kept = colours[np.argsort(-counts, kind="stable")[:COLOURS]]
    every, palette = _channels(colours), _channels(kept)
    nearest = np.empty(len(colours), dtype=np.uint8)
    for start in range(0, len(colours), 4096):  # bounded memory: 4096 colours x 256 distances at a time
        chunk = every[start : start + 4096, None, :] - palette[None, :, :]
        nearest[start : start + 4096] = (chunk**2).sum(axis=2).argmin(axis=1)
    stride = (width + 3) // 4 * 4  # Qt's rows of 8-bit pixels are 32-bit aligned
    rows = np.zeros((height, stride), dtype=np.uint8)
    rows[:, :width] = nearest[inverse.ravel()].reshape(height, width)
    data = rows.tobytes()
    result = QImage(data, width, height, stride, QImage.Format.Format_Indexed8).copy()
    result.setColorTable([0xFF000000 | int(colour) for colour in kept])
    return result


def _channels(packed: NDArray[np.uint32]) -> NDArray[np.int32]:
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=-1).astype(np.int32)


def compare(expected: QImage, actual: QImage) -> Difference:
    if expected.size() != actual.size():
        return Difference(actual.width() * actual.height(), actual.width() * actual.height(), None)
    a, b = pixels(expected).astype(np.int16), pixels(actual).astype(np.int16)
    mask = (np.abs(a - b) > CHANNEL_TOLERANCE).any(axis=2)
    return Difference(int(mask.sum()), mask.size, mask)


def difference_picture(actual: QImage, difference: Difference) -> QImage:
    """The new picture dimmed to a quarter, differing pixels in pure magenta: where to look."""
    assert difference.mask is not None
    shown = (pixels(actual) // 4).copy()
    shown[difference.mask] = (255, 0, 255)
    return picture(shown)


def picture(rgb: NDArray[np.uint8]) -> QImage:
    """An image of its own from rows of red, green and blue pixels."""
    height, width, _ = rgb.shape
    data = rgb.tobytes()
    return QImage(data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


def write_failure(name: str, theme: str, actual: QImage, difference: Difference) -> Path:
    """The new picture and, if comparable, the difference, next to the references; returns the folder."""
    FAILED.mkdir(parents=True, exist_ok=True)
    actual.save(str(FAILED / f"{name}-{theme}.png"))
    if difference.mask is not None:
        difference_picture(actual, difference).save(str(FAILED / f"{name}-{theme}-diff.png"))
    return FAILED


def write_gallery(names: list[str]) -> Path:
    """``docs/gallery.md``: every shipped layout in both themes, from the golden pictures."""
    from wallapp.app import open_layout
    from wallapp.core.config.settings import load_settings

    settings = load_settings()
    lines = [
        "# Gallery",
        "",
        "Every shipped layout in the dark and light themes, on the built-in demo feed at "
        f"{NOW:%Y-%m-%d %H:%M} UTC. These are the golden pictures `tests/test_golden.py` compares the wall "
        "with; `./dev golden` makes them and this page again.",
        "",
    ]
    for name in names:
        layout = open_layout(settings, name).loaded.layout
        lines += [f"## {name}: {layout.name}", ""]
        if layout.description:
            lines += [layout.description, ""]
        lines += [
            " ".join(f"![{name} ({theme})](../tests/golden/{name}-{theme}.png)" for theme in THEMES),
            "",
        ]
    GALLERY.write_text("\n".join(lines), encoding="utf-8")
    return GALLERY


def update() -> list[Path]:
    """Every reference drawn again, the gallery page and the failure-state gallery with them."""
    import gallery  # tests/gallery.py and tests/presenter_picture.py, beside this file
    import presenter_picture

    REFERENCES.mkdir(exist_ok=True)
    written = []
    names = layouts()
    for name in names:
        for theme in THEMES:
            path = reference(name, theme)
            quantized(render(name, theme)).save(str(path), quality=0)  # 0: the most compressed
            written.append(path)
    written.append(write_gallery(names))
    written += gallery.render_all(ROOT / "docs")
    hub = ROOT / "docs" / "hub.png"  # the README's first picture
    render("hub", "dark", README_SCALE).save(str(hub))
    written.append(hub)
    written.append(presenter_picture.render(ROOT / "docs"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--update", action="store_true", help="draw the references and galleries again")
    args = parser.parse_args(argv)
    if not args.update:
        parser.print_help()
        return 2
    # The same six offscreen screens as the tests: the same fonts, the same pixel ratio.
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={HERE / 'six-screens.json'}"
    sys.path.insert(0, str(HERE))
    from wallapp.qt.application import application

    application(headless=True)
    for path in update():
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
