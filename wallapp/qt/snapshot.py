"""Rendering the whole canvas to an image, each screen as the wall shows it and mullions as black gaps."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, Qt
from PySide6.QtGui import QImage, QImageWriter, QPainter

from wallapp.errors import WallError
from wallapp.qt.scene import WallScene, qrect


def render(scene: WallScene, scale: float = 1.0, cells: Collection[str] | None = None) -> QImage:
    """``cells``: only the screens of these names ("0,1"), the others black (None: every screen)."""
    canvas = scene.wall.canvas
    image = QImage(round(canvas.width * scale), round(canvas.height * scale), QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    painter.setRenderHints(
        QPainter.RenderHint.Antialiasing
        | QPainter.RenderHint.TextAntialiasing
        | QPainter.RenderHint.SmoothPixmapTransform
    )
    for cell in scene.wall.cells():
        if cells is not None and cell.name not in cells:
            continue
        r = cell.rect
        target = QRectF(r.x * scale, r.y * scale, r.width * scale, r.height * scale)
        scene.render(painter, target, qrect(r), Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    return image


def stitch(image: QImage, scene: WallScene, cells: Collection[str], part: bytes) -> bool:
    """Paint the screens ``cells`` of ``part`` (a PNG of the same canvas, as wide as ``image``) over
    ``image``; False when ``part`` is not such a picture."""
    other = QImage()
    if not other.loadFromData(part, "PNG") or other.size() != image.size():
        return False
    scale = image.width() / scene.wall.canvas.width
    painter = QPainter(image)
    for cell in scene.wall.cells():
        if cell.name in cells:
            r = cell.rect
            x, y = round(r.x * scale), round(r.y * scale)
            target = QRect(x, y, round((r.x + r.width) * scale) - x, round((r.y + r.height) * scale) - y)
            painter.drawImage(target, other, target)
    painter.end()
    return True


def save(image: QImage, path: Path) -> None:
    if path.parent and not path.parent.is_dir():
        raise WallError(f"{path}: folder {path.parent} does not exist")
    if not image.save(str(path)):
        raise WallError(f"{path}: cannot write the image (unknown format or no permission)")


def png(image: QImage) -> bytes:
    """The image as PNG bytes (for the console: sent over HTTP, never written to disk)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    QImageWriter(buffer, QByteArray(b"png")).write(image)
    buffer.close()
    return bytes(data.data())


def picture(scene: WallScene, width: int, cells: Collection[str] | None = None) -> bytes:
    """The whole canvas, mullions included, ``width`` pixels wide, as PNG (``cells``: see ``render``)."""
    return png(render(scene, width / scene.wall.canvas.width, cells))
