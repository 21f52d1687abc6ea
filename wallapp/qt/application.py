"""The Qt application object, with Qt's own messages routed into wallapp's log."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from wallapp.errors import DisplayError

log = logging.getLogger("wallapp.qt")
_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


# Warnings Qt's Wayland client gives under a working wall, kept out of the log (debug level) for the reason
# given; what they could hide, a window that never draws, the blank-screen check reports.
_EXPECTED = {
    # The compositor's first configure of a fullscreen window, before it knows the output's size: Qt keeps
    # the size the window was given before it was shown (the output's), as it should.
    ("qt.qpa.wayland", "Configure event with maximized or fullscreen state contains invalid"),
    # Keyboard focus bookkeeping for text input; the wall takes no text.
    ("qt.qpa.wayland.textinput", ""),
}


def _route(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _LEVELS.get(kind, logging.WARNING)
    if level == logging.WARNING and any(
        context.category == category and message.startswith(start) for category, start in _EXPECTED
    ):
        level = logging.DEBUG
    log.log(level, "Qt: %s", message)


def has_display() -> bool:
    """Whether a window can be shown: a chosen Qt platform, or a desktop session on Linux/BSD."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def application(*, headless: bool = False) -> QApplication:
    """The one QApplication; ``headless`` renders offscreen unless a platform was chosen."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not has_display():
        raise DisplayError(
            "no display found (DISPLAY/WAYLAND_DISPLAY unset): run it in a desktop session "
            "(add --window for a preview window), or render a picture headless with "
            "`wallapp snapshot LAYOUT -o wall.png`"
        )
    qInstallMessageHandler(_route)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("wallapp")
    app.setApplicationDisplayName("wallapp")
    # Its Wayland app_id (packaging/wallapp.desktop): compositor rules such as sway's inhibit_idle name it.
    app.setDesktopFileName("wallapp")
    return app
