"""The README's picture of the presenter window: the shipped ``visitor-demo`` show at its second scene, 17 s
in, on the demo feed's records at a fixed time. Made again with

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. python tests/presenter_picture.py   # writes docs/presenter.png

and kept working by ``tests/test_readme.py``.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.presenting import open_presenter

NOW = datetime(2026, 11, 22, 9, 41, tzinfo=UTC)
SIZE = (1280, 800)
"""A laptop's screen."""


class _Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def render(folder: Path) -> Path:
    """The picture, written to ``folder``."""
    ticks = _Ticks()
    display = WallDisplay(load_settings(window=True), show="visitor-demo", now=lambda: NOW, ticks=ticks)
    display.show()
    window = open_presenter(display)
    try:
        display.step("next")
        display.feeds.prime(NOW)  # the scene's sources, filled as the demo feed fills them
        ticks.now += 17
        window.resize(*SIZE)
        window.refresh()
        window.load_still()  # now, not after the wall's next frame
        deadline = time.monotonic() + 60
        while window.still.image is None:  # its data is read on a worker thread
            if time.monotonic() > deadline:
                raise RuntimeError(f"the next scene's still was not drawn: {window.still.message}")
            QTest.qWait(10)
        QApplication.processEvents()
        out = folder / "presenter.png"
        window.grab().save(str(out))
        return out
    finally:
        window.close()
        window.deleteLater()
        display.close()


if __name__ == "__main__":
    from wallapp.qt.application import application

    application(headless=True)
    print(render(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "docs"))
