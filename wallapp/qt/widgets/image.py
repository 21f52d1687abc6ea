"""An image or logo from a local file (PNG, JPEG, SVG...), fitted to its box; a placeholder if unusable."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QImageReader, QPainter
from PySide6.QtSvg import QSvgRenderer

from wallapp.core.config.widgets import ImageWidget
from wallapp.core.view.geometry import Rect
from wallapp.qt.style import Style
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState

log = logging.getLogger(__name__)

#: Files larger than this are refused before decoding; decoded images are capped by Qt's allocation limit.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DECODED_MB = 256


class ImageItem(WidgetItem):
    spec: ImageWidget

    def __init__(self, spec: ImageWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self._image: QImage | None = None
        path = context.resolve(spec.options.path)
        try:
            self._image = self._load(path)
        except ValueError as exc:
            log.warning("widget %r: %s: %s", spec.id, path, exc)
            self.set_state(WidgetState.ERROR, "Image unavailable")
        except OSError as exc:  # a name no file can have (found by fuzzing), a file that cannot be read
            log.warning("widget %r: %s: cannot be read (%s)", spec.id, path, exc.strerror or exc)
            self.set_state(WidgetState.ERROR, "Image unavailable")

    def has_panel(self) -> bool:
        return self.spec.options.panel

    def _target_size(self, natural: QSizeF) -> QSize:
        box = self.content_rect() if self.has_panel() else self.panel_rect()
        mode = (
            Qt.AspectRatioMode.KeepAspectRatio
            if self.spec.options.fit == "contain"
            else Qt.AspectRatioMode.KeepAspectRatioByExpanding
        )
        return natural.scaled(box.size(), mode).toSize()

    def _load(self, path: Path) -> QImage:
        """Decode once, at the size it is shown (SVG rendered crisp at that size)."""
        if not path.is_file():
            raise ValueError("file not found")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"larger than {MAX_FILE_BYTES // 2**20} MB")
        if path.suffix.lower() in {".svg", ".svgz"}:
            renderer = QSvgRenderer(str(path))
            if not renderer.isValid():
                raise ValueError("not a valid SVG image")
            image = QImage(
                self._target_size(QSizeF(renderer.defaultSize())), QImage.Format.Format_ARGB32_Premultiplied
            )
            if image.isNull():  # a box with no room for it
                return image
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            renderer.render(painter)
            painter.end()
            return image
        reader = QImageReader(str(path))
        reader.setAllocationLimit(MAX_DECODED_MB)
        image = reader.read()
        if image.isNull():
            raise ValueError(f"cannot decode: {reader.errorString()}")
        return image.scaled(
            self._target_size(QSizeF(image.size())),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        if self._image is None:
            return
        box = rect if self.has_panel() else self.panel_rect()
        size = QSizeF(self._image.size())
        target = QRectF(
            box.center().x() - size.width() / 2,
            box.center().y() - size.height() / 2,
            size.width(),
            size.height(),
        )
        painter.save()
        painter.setClipRect(box, Qt.ClipOperation.IntersectClip)
        painter.drawImage(target, self._image)
        painter.restore()
