"""Watching files (a layout, its theme) and calling back once after a burst of changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer


class FileWatcher(QObject):
    """Calls ``changed`` once, ``settle_ms`` after the last change to any of ``paths``.

    Editors often save by writing a new file and renaming it over the old one, which drops the watch:
    paths are watched again after every change, and a missing file is looked for every second.
    """

    def __init__(self, paths: list[Path], changed: Callable[[], object], settle_ms: int = 300) -> None:
        super().__init__()
        self._paths = [str(p) for p in paths]
        self._changed = changed
        self._watcher = QFileSystemWatcher(self)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self._fire)
        self._watcher.fileChanged.connect(lambda _path: self._settle.start())
        self._missing = QTimer(self)
        self._missing.setInterval(1000)
        self._missing.timeout.connect(self._look_for_missing)
        self._rewatch()

    def watch(self, paths: list[Path]) -> None:
        self._paths = [str(p) for p in paths]
        self._rewatch()

    def _rewatch(self) -> None:
        if watched := self._watcher.files():
            self._watcher.removePaths(watched)
        existing = [p for p in self._paths if Path(p).is_file()]
        if existing:
            self._watcher.addPaths(existing)
        if len(existing) < len(self._paths):
            self._missing.start()
        else:
            self._missing.stop()

    def _look_for_missing(self) -> None:
        if all(Path(p).is_file() for p in self._paths):
            self._rewatch()
            self._settle.start()

    def close(self) -> None:
        """Stop watching (before the watcher is deleted)."""
        self._settle.stop()
        self._missing.stop()
        if watched := self._watcher.files():
            self._watcher.removePaths(watched)

    def _fire(self) -> None:
        self._rewatch()
        self._changed()
