"""Run in a process of its own (its own screens): open the hub's windows on the screens the platform gives,
and compare what each spanned window shows with the six-screen snapshot of the same instant, cell by cell.

Run as a script it prints one JSON report on stdout; ``probe`` runs it for the tests (test_spanned.py and
test_x11.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from wallapp.app import WallWindows, build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.qt import snapshot
from wallapp.qt.application import application
from wallapp.qt.views import SpannedView

FIXED = datetime(2026, 11, 22, 9, 41, 0, tzinfo=UTC)


def pixels(image: QImage) -> Any:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    flat = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return flat.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].astype(np.int16)


def differing(a: QImage, b: QImage) -> float:
    """The share of pixels that differ by more than antialiasing would (any channel off by more than 40)."""
    assert a.size() == b.size(), (a.size(), b.size())
    far = np.abs(pixels(a) - pixels(b)).reshape(a.height(), a.width(), 4).max(axis=2) > 40
    return float(far.mean())


def main() -> None:
    app = application()
    scene = build_scene(open_layout(load_settings(), "hub"), now=lambda: FIXED)
    windows = WallWindows(scene, preview=False)
    windows.show()
    for _ in range(20):
        app.processEvents()
    whole = snapshot.render(scene)
    report: dict[str, Any] = {"preview": windows.plan.preview_reason, "windows": []}
    for view in windows.views:
        entry: dict[str, Any] = {
            "type": type(view).__name__,
            "screen": view.screen().name(),
            "geometry": view.geometry().getRect(),
            "fullscreen": view.isFullScreen(),
            "cells": {},
        }
        if isinstance(view, SpannedView):
            shown = view.grab().toImage()
            entry["picture"] = [shown.width(), shown.height()]
            for tile in view.surface.tiles:
                t, c = tile.rect, tile.cell.rect
                got = shown.copy(int(t.x), int(t.y), int(t.width), int(t.height))
                expected = whole.copy(int(c.x), int(c.y), int(c.width), int(c.height))
                if expected.size() != got.size():
                    expected = expected.scaled(
                        got.size(),
                        Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                entry["cells"][tile.cell.name] = {
                    "tile": [t.x, t.y, t.width, t.height],
                    "differing": differing(got, expected),
                }
        report["windows"].append(entry)
    print(json.dumps(report))
    windows.close()


def in_own_process(args: list[str], platform: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Python with ``args`` on the screens of ``platform``; it must succeed without a word on stderr."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    clean.update(env, QT_QPA_PLATFORM=platform, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run(
        [sys.executable, *args], env=clean, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # no Qt warning either
    return result


def probe(platform: str, **env: str) -> dict[str, Any]:
    """What the hub's windows show on the screens of ``platform``, measured in a process of its own."""
    report: dict[str, Any] = json.loads(in_own_process([__file__], platform, **env).stdout)
    return report


def assert_same_picture_cell_by_cell(window: dict[str, Any], tolerance: float = 0.01) -> None:
    assert len(window["cells"]) == 6
    for name, cell in window["cells"].items():
        assert cell["differing"] < tolerance, name


if __name__ == "__main__":
    main()
