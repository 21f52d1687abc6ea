"""What the operator puts over a layout (control API): an alert banner, the wall blanked to black, a post
pinned to the spotlights.

An alert shows in the layout's own alert widgets when it has some (pinned over what their source says);
a layout without one gets a banner across the top of the wall, one per top screen so that nothing a
visitor must read sits under a bezel and the message reads from anywhere in the room.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from wallapp.core.config.widgets import AlertWidget
from wallapp.core.data.alerts import Alert
from wallapp.core.data.moderation import Pin
from wallapp.core.view.geometry import Rect
from wallapp.qt.scene import WallScene, qrect
from wallapp.qt.widgets.alert import AlertItem
from wallapp.qt.widgets.posts import SpotlightItem

BANNER = 0.2
"""The overlay banner's height, as a part of a screen's."""
ABOVE = 1_000_000.0
"""Stacking order above every widget."""


def _clear(scene: WallScene, what: str) -> None:
    for item in scene.overlays.pop(what, []):
        scene.removeItem(item)
        if isinstance(item, AlertItem):
            item.deleteLater()


def show_alert(scene: WallScene, alert: Alert | None) -> None:
    """Show ``alert`` on ``scene`` (None: clear it)."""
    own = [item for item in scene.items_by_id.values() if isinstance(item, AlertItem)]
    for item in own:
        item.pin(alert)
    _clear(scene, "alert")
    if alert is None or own:
        return
    banners: list[QGraphicsItem] = []
    for column in range(scene.wall.columns):
        screen = scene.wall.screen_rect(column, 0)
        spec = AlertWidget.model_validate(
            {"id": f"control-alert-{column}", "kind": "alert", "place": {"screen": [column, 0]}}
        )
        banner = AlertItem(
            spec,
            Rect(screen.x, screen.y, screen.width, screen.height * BANNER),
            scene.wall_style,
            scene.context,
        )
        banner.pin(alert)
        banner.setZValue(ABOVE)
        scene.addItem(banner)
        banners.append(banner)
    scene.overlays["alert"] = banners


def blank(scene: WallScene, on: bool) -> None:
    """Black over everything on ``scene``, or not."""
    _clear(scene, "blank")
    if on:
        black = QGraphicsRectItem(qrect(scene.wall.canvas))
        black.setBrush(QBrush(QColor(0, 0, 0)))
        black.setPen(QPen(Qt.PenStyle.NoPen))
        black.setZValue(ABOVE + 1)
        scene.addItem(black)
        scene.overlays["blank"] = [black]


def pin(scene: WallScene, pinned: Pin | None) -> None:
    """The spotlights of the pinned post's source show it alone; the others take turns."""
    for item in scene.items_by_id.values():
        if isinstance(item, SpotlightItem):
            item.pin(pinned.id if pinned is not None and item.spec.source == pinned.source else None)
