"""Which engine draws the wall's views: Qt's raster engine in the CPU, or OpenGL on the graphics card.

Every view onto the canvas (a screen's window, a spanned output's tile, the preview) is a QGraphicsView;
with OpenGL its viewport is a ``QOpenGLWidget`` and QPainter's OpenGL engine draws the same scene through
the GPU. ``auto`` takes OpenGL only when a context can be made and its GL_RENDERER is a hardware one: on
Mesa's software renderers (llvmpipe, softpipe, swrast) OpenGL is the CPU again, slower than raster.

A wall must never be blank because of this choice: a platform with no OpenGL (``offscreen``), a context
that cannot be made, or a viewport whose context fails once shown, falls back to raster with one log line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Literal

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext, QPainter, QSurfaceFormat
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QGraphicsView, QWidget

log = logging.getLogger("wallapp.render")

Renderer = Literal["auto", "raster", "opengl"]
SOFTWARE = ("llvmpipe", "softpipe", "swrast", "software rasterizer")
"""GL_RENDERER names of renderers that run on the CPU."""
SAMPLES = 4
"""Multisampling: QPainter's OpenGL engine antialiases edges through it, as the raster engine does by
coverage."""
_GL_RENDERER = 0x1F01
_NO_GL_PLATFORMS = ("offscreen", "minimal", "vnc")


@dataclass(frozen=True)
class Choice:
    """The engine the views use, and why (for the log)."""

    opengl: bool
    why: str

    @property
    def name(self) -> str:
        return "opengl" if self.opengl else "raster"


def surface_format() -> QSurfaceFormat:
    """The OpenGL viewports' format: multisampled, and swapped on the panel's refresh (no tearing)."""
    form = QSurfaceFormat.defaultFormat()
    form.setSamples(SAMPLES)
    form.setSwapInterval(1)
    return form


@cache
def gl_renderer() -> str | None:
    """The GL_RENDERER of a context made on this platform (once a process), or None when none can be made."""
    platform = QGuiApplication.platformName()
    if platform in _NO_GL_PLATFORMS:
        return None
    context = QOpenGLContext()
    context.setFormat(surface_format())
    if not context.create():
        return None
    surface = QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    try:
        if not context.makeCurrent(surface):
            return None
        name = context.functions().glGetString(_GL_RENDERER)
        context.doneCurrent()
        return str(name) if name else None
    finally:
        surface.destroy()


def choose(setting: Renderer) -> Choice:
    """The engine for ``setting``: ``raster`` and ``opengl`` as asked (opengl only where a context can be
    made), ``auto`` OpenGL only on a hardware renderer."""
    if setting == "raster":
        return Choice(False, "renderer = raster in the settings")
    name = gl_renderer()
    if name is None:
        platform = QGuiApplication.platformName()
        return Choice(False, f"no OpenGL context can be made on the {platform} platform")
    if setting == "opengl":
        return Choice(True, f"renderer = opengl in the settings ({name})")
    if any(soft in name.casefold() for soft in SOFTWARE):
        return Choice(False, f"auto: {name} is a software renderer, slower than raster")
    return Choice(True, f"auto: hardware renderer {name}")


class GlViewport(QOpenGLWidget):
    """A view's viewport drawn by OpenGL.

    The view paints it in its own paint event, as any viewport. ``paintGL`` is called only when the
    picture is read back (``grab()``, ``grabFramebuffer()``): Qt renders the widget again for that, and a
    ``QOpenGLWidget``'s own empty ``paintGL`` gives back a white picture, so here the view draws itself
    again into the framebuffer: the picture a cross-fade starts from is the scene as this viewport shows it.
    """

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__()
        self.view = view
        self.setFormat(surface_format())
        self.setUpdateBehavior(QOpenGLWidget.UpdateBehavior.PartialUpdate)

    def paintGL(self) -> None:
        painter = QPainter(self)
        self.view.render(painter, QRectF(self.rect()), self.rect())
        painter.end()


def opaque(view: QGraphicsView) -> None:
    """The scene's background brush covers every pixel a view repaints: Qt's own fill of a raster
    viewport before each paint would paint them twice (a quarter of a frame's cost on 4K panels)."""
    view.viewport().setAutoFillBackground(False)
    view.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)


def use(view: QGraphicsView, choice: Choice, where: str) -> None:
    """Give ``view`` the viewport of ``choice`` (the log's debug level says so for each window)."""
    if choice.opengl:
        view.setViewport(GlViewport(view))
        # An OpenGL viewport is redrawn whole each frame: Qt's advice for viewports without partial
        # updates, and the GPU's way (a full frame costs it little, a clipped one saves it nothing).
        view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
    log.debug("%s draws with %s: %s", where, choice.name, choice.why)


def failed_gl(view: QGraphicsView) -> bool:
    """Whether ``view`` has an OpenGL viewport whose context could not be made once shown."""
    viewport = view.viewport()
    return isinstance(viewport, GlViewport) and not viewport.isValid()


def fall_back(view: QGraphicsView, where: str) -> None:
    """Give ``view`` a raster viewport after its OpenGL context failed (soon: not in its paint event)."""

    def swap() -> None:
        if not failed_gl(view):
            return
        mode = QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate
        view.setViewport(QWidget())
        opaque(view)
        view.setViewportUpdateMode(mode)
        view.viewport().update()
        log.warning("%s draws with raster: its OpenGL context could not be made", where)

    QTimer.singleShot(0, view, swap)
