"""The physical outputs Qt sees, as the core's ``Output`` records."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QScreen

from wallapp.core.config.outputs import Output


def detect() -> dict[Output, QScreen]:
    found = {}
    for screen in QGuiApplication.screens():
        g = screen.geometry()
        found[Output(screen.name(), g.x(), g.y(), g.width(), g.height())] = screen
    return found
