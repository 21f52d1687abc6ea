"""The palette: every widget kind, to drag onto the wall or double-click to add where there is room."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from wallapp.core.editing.document import widget_kinds
from wallapp.qt.editor.canvas import KIND_MIME

TITLES = {
    "text": ("Text", "A title or a line of text, on a panel or not"),
    "clock": ("Clock", "The time (and date) in a time zone"),
    "image": ("Image", "A picture or logo from a file (SVG, PNG, JPEG)"),
    "kpi": ("KPI tile", "One figure with its trend, thresholds and comparison"),
    "ticker": ("Ticker", "Posts crawling along a strip"),
    "posts": ("Post wall", "The latest posts as cards in a grid"),
    "spotlight": ("Spotlight", "One post at a time, large"),
    "ranking": ("Ranking", "The top authors or items, ranked"),
    "topics": ("Topics", "Trending topics as a cloud or a list"),
    "bars": ("Bars", "One metric compared across brands or groups"),
    "countries": ("Countries", "A metric per country, with thresholds"),
    "alert": ("Alert", "A banner for an incident or an announcement"),
    "chart": ("Chart", "A metric over time"),
}


class Palette(QListWidget):
    """The widget kinds; dragging one gives the canvas its kind (``KIND_MIME``)."""

    add = Signal(str)
    """A kind double-clicked (or Enter pressed on it): add one where there is room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        for kind in widget_kinds():
            title, about = TITLES.get(kind, (kind.capitalize(), ""))
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setToolTip(f"{about}\n(kind \u201c{kind}\u201d: drag onto the wall, or double-click)")
            self.addItem(item)
        self.itemActivated.connect(lambda item: self.add.emit(item.data(Qt.ItemDataRole.UserRole)))

    def kind_row(self, kind: str) -> int:
        return next(
            row for row in range(self.count()) if self.item(row).data(Qt.ItemDataRole.UserRole) == kind
        )

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # type: ignore[override]
        data = QMimeData()
        if items:
            data.setData(KIND_MIME, str(items[0].data(Qt.ItemDataRole.UserRole)).encode())
        return data

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        item = self.currentItem()
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.exec(Qt.DropAction.CopyAction)
