"""Windows onto the canvas: one frameless full-screen window per physical screen or spanned output, or one
scaled preview."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QRegion,
    QResizeEvent,
    QScreen,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from wallapp.core.config.outputs import Surface, Tile
from wallapp.core.view.geometry import Cell
from wallapp.qt.renderer import failed_gl, fall_back, opaque
from wallapp.qt.scene import WallScene, paint_background, paint_mullions, qrect

_HINTS = (
    QPainter.RenderHint.Antialiasing
    | QPainter.RenderHint.TextAntialiasing
    | QPainter.RenderHint.SmoothPixmapTransform
)


def plain(view: QGraphicsView) -> None:
    """No frame, no scroll bars, no mouse: the view is only a window onto the canvas."""
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setRenderHints(_HINTS)
    view.setInteractive(False)
    opaque(view)


def _quit_keys(window: QWidget, on_quit: Callable[[], None], exit_chord: str | None = None) -> None:
    """Ctrl+Q, or in a kiosk its exit chord, quits."""
    # Explicit: the platform's standard Quit binding is empty without a desktop environment (kiosks).
    quit_keys = QShortcut(QKeySequence(exit_chord or "Ctrl+Q"), window)
    quit_keys.activated.connect(on_quit)


def _may_close(event: QCloseEvent, kiosk: bool, on_quit: Callable[[], None]) -> bool:
    """Closed by the person (window manager, Alt+F4): quit the wall, except in a kiosk, where the window
    stays; closed by wallapp: just close."""
    if event.spontaneous():
        if kiosk:
            event.ignore()
            return False
        on_quit()
    return True


def device_pixels(view: QGraphicsView) -> int:
    """How many pixels of the screen ``view`` paints."""
    size, ratio = view.viewport().size(), view.viewport().devicePixelRatioF()
    return round(size.width() * size.height() * ratio * ratio)


def _whole_frame(view: QGraphicsView, event: QPaintEvent, size: QSize) -> bool:
    """Whether this paint drew the whole view at its full size: a window that never does is a blank screen."""
    viewport = view.viewport()
    return viewport.size() == size and QRegion(viewport.rect()).subtracted(event.region()).isEmpty()


def _paint_noting(
    view: _CanvasView | TileView, event: QPaintEvent, size: QSize, paint: Callable[[QPaintEvent], None]
) -> None:
    """``paint`` the view, noting its first complete frame; a view whose OpenGL viewport has no context
    paints nothing and changes to raster instead (it is drawn only then)."""
    if failed_gl(view):
        fall_back(view, view.where())
        return
    paint(event)
    if not view.drawn:
        view.drawn = _whole_frame(view, event, size)


class _CanvasView(QGraphicsView):
    def __init__(self, scene: WallScene, on_quit: Callable[[], None], exit_chord: str | None = None) -> None:
        """``exit_chord``: kiosk mode, where only these keys quit (a visitor's keys, a click, closing the
        window do nothing) and the cursor is hidden."""
        super().__init__(scene)
        self.wall_scene = scene
        self.on_quit = on_quit
        self.kiosk = exit_chord is not None
        plain(self)
        _quit_keys(self, on_quit, exit_chord)
        if self.kiosk:
            self.setCursor(Qt.CursorShape.BlankCursor)
        self.drawn = False

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint, and note the first complete frame (none while an OpenGL viewport has no context)."""
        _paint_noting(self, event, self.full_size(), super().paintEvent)

    def full_size(self) -> QSize:
        """The size a complete frame covers."""
        return self.viewport().size()

    def pixels(self) -> int:
        """How many pixels a complete frame paints."""
        return device_pixels(self)

    def where(self) -> str:
        """Which window this is, for the log."""
        return "the preview window"

    def closeEvent(self, event: QCloseEvent) -> None:
        if _may_close(event, self.kiosk, self.on_quit):
            super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A kiosk ignores stray keys (arrows would scroll the canvas off its screen)."""
        if self.kiosk:
            event.ignore()
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.kiosk:
            event.ignore()
        else:
            super().wheelEvent(event)

    def set_wall_scene(self, scene: WallScene) -> None:
        """Show another canvas of the same wall in this window."""
        self.wall_scene = scene
        self.setScene(scene)

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if not paint_background(painter, QRectF(rect), self.wall_scene):
            super().drawBackground(painter, rect)


class ScreenView(_CanvasView):
    """Shows exactly one screen's rectangle of the canvas, full screen on that physical output."""

    def __init__(
        self,
        scene: WallScene,
        cell: Cell,
        screen: QScreen,
        on_quit: Callable[[], None],
        exit_chord: str | None = None,
    ) -> None:
        super().__init__(scene, on_quit, exit_chord)
        self.cell = cell
        self.setWindowTitle(f"wallapp — screen {cell.name}")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSceneRect(qrect(cell.rect))
        self.place_on(screen)

    def place_on(self, screen: QScreen) -> None:
        """Cover ``screen``; scale if the output's resolution differs from the wall's screens (4K panels)."""
        geometry = screen.geometry()
        self.resetTransform()
        self.scale(geometry.width() / self.cell.rect.width, geometry.height() / self.cell.rect.height)
        # Screen, then geometry, then shown: a window sized before it is shown keeps that size when a Wayland
        # compositor's first configure says 0 x 0 (Qt warns and ignores it) instead of drawing at 640 x 480.
        self.setScreen(screen)
        self.setGeometry(geometry)
        self.output = screen.name()
        self._size = geometry.size()

    def full_size(self) -> QSize:
        return self._size

    def where(self) -> str:
        return f"screen [{self.cell.column}, {self.cell.row}] (output {self.output})"

    def showFullScreen(self) -> None:
        super().showFullScreen()
        self.centerOn(qrect(self.cell.rect).center())


class TileView(QGraphicsView):
    """One screen's rectangle of the canvas, drawn into its tile of a spanned output."""

    def __init__(self, scene: WallScene, tile: Tile, parent: QWidget, output: str = "") -> None:
        super().__init__(scene, parent)
        self.tile, self.output = tile, output
        plain(self)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        cell, box = tile.cell.rect, tile.rect
        self.setSceneRect(qrect(cell))
        self.scale(box.width / cell.width, box.height / cell.height)
        self.setGeometry(int(box.x), int(box.y), int(box.width), int(box.height))
        self.drawn = False

    def where(self) -> str:
        """Which tile this is, for the log."""
        return f"screen {self.tile.cell.name} of spanned output {self.output}"

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint, and note the first complete frame of this tile (none while OpenGL has no context)."""
        _paint_noting(self, event, self.geometry().size(), super().paintEvent)

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        scene = self.scene()
        if not isinstance(scene, WallScene) or not paint_background(painter, QRectF(rect), scene):
            super().drawBackground(painter, rect)


class SpannedView(QWidget):
    """One spanned output (Mosaic, Eyefinity, a wall controller) showing several screens of the wall.

    Each screen is a child view in its own tile, so a change repaints only the tiles it touches, and only
    there, exactly as separate screens' windows do; what lies between tiles (mullions the driver hides) is
    black.
    """

    def __init__(
        self,
        scene: WallScene,
        surface: Surface,
        screen: QScreen,
        on_quit: Callable[[], None],
        exit_chord: str | None = None,
    ) -> None:
        super().__init__()
        self.surface, self.on_quit, self.kiosk = surface, on_quit, exit_chord is not None
        self.setWindowTitle(f"wallapp — {surface.output.name}")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.setCursor(Qt.CursorShape.BlankCursor)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.tiles = [TileView(scene, tile, self, surface.output.name) for tile in surface.tiles]
        _quit_keys(self, on_quit, exit_chord)
        self.setScreen(screen)
        self.setGeometry(screen.geometry())

    @property
    def drawn(self) -> bool:
        """Whether every tile has drawn a complete frame."""
        return all(view.drawn for view in self.tiles)

    def pixels(self) -> int:
        """How many pixels a complete frame of every tile paints."""
        return sum(device_pixels(view) for view in self.tiles)

    def where(self) -> str:
        """Which window this is, for the log."""
        return f"spanned output {self.surface.output.name}"

    def closeEvent(self, event: QCloseEvent) -> None:
        """(Keys reach no tile: they take no focus, so nothing scrolls.)"""
        if _may_close(event, self.kiosk, self.on_quit):
            super().closeEvent(event)

    def set_wall_scene(self, scene: WallScene) -> None:
        """Show another canvas of the same wall in this window."""
        for view in self.tiles:
            view.setScene(scene)


class PreviewView(_CanvasView):
    """The whole canvas scaled into one window, mullions drawn black: for laptops and smaller walls."""

    def __init__(
        self, scene: WallScene, on_quit: Callable[[], None], notice: str = "", exit_chord: str | None = None
    ) -> None:
        super().__init__(scene, on_quit, exit_chord)
        name = scene.loaded.layout.name
        self.setWindowTitle(f"wallapp — {name} (preview{': ' + notice if notice else ''})")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSceneRect(qrect(scene.wall.canvas))
        # Most of the screen it opens on, at the canvas's proportions.
        canvas, room = scene.wall.canvas, self.screen().availableGeometry()
        factor = 0.85 * min(room.width() / canvas.width, room.height() / canvas.height)
        self.resize(max(320, round(canvas.width * factor)), max(120, round(canvas.height * factor)))
        if not self.kiosk:
            fullscreen = QShortcut(QKeySequence(Qt.Key.Key_F11), self)
            fullscreen.activated.connect(self._toggle_fullscreen)

    def _toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.fillRect(rect, Qt.GlobalColor.black)
        painter.fillRect(self.sceneRect().intersected(QRectF(rect)), self.wall_scene.backgroundBrush())

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        paint_mullions(painter, self.wall_scene.wall)
