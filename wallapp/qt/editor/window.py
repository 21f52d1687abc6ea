"""The layout editor's main window: the wall to scale in the middle, the palette, the properties, the
history and the problems in docks around it, the file commands.

The window edits the layout as plain JSON data next to the file's text: every action turns one data value
into another (``wallapp.core.editing.document``), pushed on the undo stack as one ``Edit``; showing a data
value rebuilds the canvas (``Stage.build``). Saving writes ``rewrite(text, data)``: only what changed.
What asks the operator something (a file name, reload or overwrite, save before closing) is injected
(``Asks``), so tests answer without dialogs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence, QPalette, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QUndoView,
    QWidget,
)

from wallapp.core.editing.document import (
    Checked,
    added,
    duplicated,
    moved,
    new_widget,
    removed,
    restacked,
    widget_index,
)
from wallapp.core.editing.files import Fingerprint, OpenedText, changed_on_disk, open_text, save_text
from wallapp.core.editing.jsontext import rewrite
from wallapp.core.editing.placing import parts_used, placement_for, rect_for
from wallapp.core.view.geometry import Rect, Wall
from wallapp.errors import ChangedOnDisk, Problem, WallError
from wallapp.qt.editor.canvas import EditorCanvas, free_room
from wallapp.qt.editor.commands import Data, Edit
from wallapp.qt.editor.palette import Palette
from wallapp.qt.scene import WallScene

ChangedAnswer = Literal["reload", "overwrite", "save as", "cancel"]
UnsavedAnswer = Literal["save", "discard", "cancel"]


@dataclass(frozen=True)
class Built:
    """A data value as the canvas shows it."""

    checked: Checked
    """Whether it validates, and its problems (JSON path and message), as ``wallapp validate`` says them."""
    scene: WallScene | None
    """The canvas of what can be shown (the whole layout when valid); None when nothing can be."""
    rects: dict[str, Rect] = field(default_factory=dict)
    """Where each widget shown is, in paint order."""
    floor_px: float = 0.0
    """The theme's legibility floor (text below it is marked while dragging)."""


class Stage(Protocol):
    """What the window needs of the rest of wallapp (``wallapp.editing`` gives it)."""

    def build(self, data: Any, path: Path | None) -> Built:
        """The canvas of ``data`` (a layout file at ``path``), its live sources bound."""
        ...

    def check(self, data: Any, path: Path | None) -> Checked:
        """What ``wallapp validate`` would say of ``data`` saved at ``path``."""
        ...

    def release(self, scene: WallScene) -> None:
        """A canvas shown no longer: stop its animations and listeners, and let it go."""
        ...


class RunningWall(Protocol):
    """A wall running on this PC or another, reached through its control API (``wallapp.editing``)."""

    @property
    def where(self) -> str:
        """Where it is, for the status bar (its API's address)."""
        ...

    def apply(self, layout: str, data: Any) -> None:
        """Show ``data``, an unsaved version of ``layout``; ``WallError`` with the wall's reason if not."""
        ...

    def revert(self) -> None:
        """Show the layout's file again; ``WallError`` with the wall's reason if it cannot."""
        ...


def _ask_open(parent: QWidget, folder: Path | None) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, "Open a layout", str(folder or Path.cwd()), "Layouts (*.json);;All files (*)"
    )
    return Path(name) if name else None


def _ask_save(parent: QWidget, suggested: Path | None) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save the layout as", str(suggested or Path.cwd() / "layout.json"), "Layouts (*.json)"
    )
    return Path(name) if name else None


def _ask_changed(parent: QWidget, path: Path) -> ChangedAnswer:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("The file changed on disk")
    box.setText(f"{path.name} was changed by someone else since you opened it.")
    box.setInformativeText(
        "Reload it (your changes are lost), overwrite it with yours, or save yours under another name?"
    )
    reload = box.addButton("Reload", QMessageBox.ButtonRole.DestructiveRole)
    overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.AcceptRole)
    save_as = box.addButton("Save as…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    answers: dict[object, ChangedAnswer] = {reload: "reload", overwrite: "overwrite", save_as: "save as"}
    return answers.get(box.clickedButton(), "cancel")


def _ask_unsaved(parent: QWidget, name: str) -> UnsavedAnswer:
    answer = QMessageBox.question(
        parent,
        "Unsaved changes",
        f"Save the changes to {name}?",
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    return "discard" if answer == QMessageBox.StandardButton.Discard else "cancel"


def _tell_refused(parent: QWidget, what: str, problems: list[Problem]) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Not saved")
    box.setText(what)
    box.setDetailedText("\n".join(str(problem) for problem in problems))
    box.exec()


@dataclass
class Asks:
    """How the window asks the operator (dialogs by default; tests give answers)."""

    open_path: Callable[[QWidget, Path | None], Path | None] = _ask_open
    save_path: Callable[[QWidget, Path | None], Path | None] = _ask_save
    changed_on_disk: Callable[[QWidget, Path], ChangedAnswer] = _ask_changed
    unsaved: Callable[[QWidget, str], UnsavedAnswer] = _ask_unsaved
    refused: Callable[[QWidget, str, list[Problem]], None] = _tell_refused


def new_layout(wall: Wall) -> Data:
    """What File > New starts from: an empty layout for the installed wall's grid."""
    return {
        "name": "Untitled",
        "theme": "dark",
        "grid": [wall.columns, wall.rows],
        "sources": {},
        "widgets": [],
    }


class EditorWindow(QMainWindow):
    """The layout editor."""

    closed = Signal()
    """The operator closed the window (after saving or discarding the changes)."""
    path_changed = Signal(object)
    """The layout's file is another one (opened, saved as; None: a new layout not saved yet)."""

    def __init__(
        self,
        stage: Stage,
        asks: Asks | None = None,
        properties: QWidget | None = None,
        sources: QWidget | None = None,
        wall: RunningWall | None = None,
    ) -> None:
        """``properties``: the properties panel (``show_widget(data, index)``, a signal ``edited(data)``);
        ``sources``: the sources panel (``show_sources(data)``, a signal ``edited(data)``); ``wall``: the
        running wall that Apply and Revert reach (None: they are off)."""
        super().__init__()
        self.wall = wall
        self.applying: asyncio.Future[None] | None = None
        """Apply or Revert on its way to the wall."""
        self._answered: Callable[[asyncio.Future[None]], None] = lambda _future: None
        self.stage = stage
        self.asks = asks or Asks()
        self.path: Path | None = None
        self.opened: OpenedText | None = None
        """The file as it was read or last saved: its text (what ``rewrite`` changes) and fingerprint."""
        self.text = ""
        self.data: Data = {}
        self.built: Built | None = None
        self.read_only = False
        self.stack = QUndoStack(self)
        self.stack.cleanChanged.connect(lambda _clean: self._title())
        self.canvas = EditorCanvas(self)
        self.setCentralWidget(self.canvas)
        self.palette_list = Palette(self)
        self.history = QUndoView(self.stack, self)
        self.history.setEmptyLabel("Opened")
        self.problems = QTreeWidget(self)
        self.properties = properties or _placeholder("Select a widget to see its properties.")
        self.sources = sources or _placeholder("The layout's sources are edited here.")
        self.placement = QLabel(self)
        """The selected widget's placement as the file says it, at the right of the status bar."""
        self.statusBar().addPermanentWidget(self.placement)
        self.resize(1600, 900)
        self._docks()
        self._actions()
        self._menus()
        self.canvas.lands = self._lands
        self.canvas.placed.connect(self._placed)
        self.canvas.dropped.connect(self._dropped)
        self.canvas.refused.connect(self.say)
        self.canvas.selection_changed.connect(self._selection_changed)
        self.canvas.settled.connect(self._say_placement)
        self.palette_list.add.connect(self.add_kind)
        if (edited := getattr(self.properties, "edited", None)) is not None:
            edited.connect(self._edited)
        if (edited := getattr(self.sources, "edited", None)) is not None:
            edited.connect(lambda after: self.edit("Edit sources", after, fixing=True))
        self.problems.itemActivated.connect(self._problem_chosen)
        _dark(self)
        self._title()

    # Building the window

    def _docks(self) -> None:
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.problems.setColumnCount(2)
        self.problems.setHeaderLabels(["Where", "Problem"])
        self.problems.setRootIsDecorated(False)
        self.problems.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.problems.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.problems.header().setStretchLastSection(True)
        area = Qt.DockWidgetArea
        self.palette_dock = self._dock("Widgets", self.palette_list, area.LeftDockWidgetArea)
        self.properties_dock = self._dock("Properties", self.properties, area.RightDockWidgetArea)
        self.sources_dock = self._dock("Sources", self.sources, area.RightDockWidgetArea)
        self.tabifyDockWidget(self.properties_dock, self.sources_dock)
        self.properties_dock.raise_()
        self.history_dock = self._dock("History", self.history, area.RightDockWidgetArea)
        self.problems_dock = self._dock("Problems", self.problems, area.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.properties_dock], [150, 320], Qt.Orientation.Horizontal)
        self.resizeDocks([self.properties_dock, self.history_dock], [560, 220], Qt.Orientation.Vertical)
        self.resizeDocks([self.problems_dock], [120], Qt.Orientation.Vertical)
        self.problems_dock.hide()  # shown when there are problems

    def _dock(self, title: str, widget: QWidget, where: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(where, dock)
        return dock

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        keys: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _actions(self) -> None:
        keys, icons = QKeySequence.StandardKey, QStyle.StandardPixmap
        self.open_action = self._action("&Open…", self.open_dialog, keys.Open, icons.SP_DialogOpenButton)
        self.reload_action = self._action("&Reload from disk", self.reload, "Ctrl+R", icons.SP_BrowserReload)
        self.save_action = self._action("&Save", self.save, keys.Save, icons.SP_DialogSaveButton)
        self.save_as_action = self._action("Save &as…", self.save_as, "Ctrl+Shift+S")
        self.close_action = self._action("&Close", self.close, "Ctrl+Q")
        self.undo_action = self.stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.undo_action.setIcon(self.style().standardIcon(icons.SP_ArrowBack))
        self.redo_action = self.stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setIcon(self.style().standardIcon(icons.SP_ArrowForward))
        self.addActions([self.undo_action, self.redo_action])
        self.delete_action = self._action("&Delete", self.delete, keys.Delete, icons.SP_TrashIcon)
        self.duplicate_action = self._action("D&uplicate", self.duplicate, "Ctrl+D")
        self.raise_action = self._action("&Raise", lambda: self.restack(1), "Ctrl+]")
        self.lower_action = self._action("&Lower", lambda: self.restack(-1), "Ctrl+[")
        self.select_all_action = self._action("Select &all", self.select_all, keys.SelectAll)
        self.fit_action = self._action("&Fit the wall", self.canvas.fit, "Ctrl+0")
        self.apply_action = self._action("A&pply to the wall", self.apply, "Ctrl+Return", icons.SP_MediaPlay)
        self.revert_action = self._action("Re&vert the wall", self.revert, "Ctrl+Shift+Return")
        wall_actions = ((self.apply_action, "shows this version"), (self.revert_action, "shows the file"))
        for wall_action, does in wall_actions:
            wall_action.setEnabled(self.wall is not None)
            wall_action.setToolTip(
                f"The running wall ({self.wall.where}) {does}"
                if self.wall is not None
                else "No running wall to reach: control.listen is off in the settings"
            )
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        separator = QAction(self)
        separator.setSeparator(True)
        self.canvas.addActions(
            [self.duplicate_action, self.delete_action, separator, self.raise_action, self.lower_action]
        )

    def _menus(self) -> None:
        menus = self.menuBar()
        files = menus.addMenu("&File")
        for action in (self.open_action, self.reload_action, None, self.save_action, self.save_as_action):
            files.addAction(action) if action is not None else files.addSeparator()
        files.addSeparator()
        files.addAction(self.close_action)
        edit = menus.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([self.duplicate_action, self.delete_action, self.select_all_action])
        arrange = menus.addMenu("&Arrange")
        arrange.addActions([self.raise_action, self.lower_action])
        menus.addMenu("&Wall").addActions([self.apply_action, self.revert_action])
        view = menus.addMenu("&View")
        view.addAction(self.fit_action)
        view.addSeparator()
        docks = (self.palette_dock, self.properties_dock, self.sources_dock, self.history_dock)
        for dock in (*docks, self.problems_dock):
            view.addAction(dock.toggleViewAction())
        bar = QToolBar("Tools", self)
        bar.setObjectName("tools")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (
            self.open_action,
            self.save_action,
            None,
            self.undo_action,
            self.redo_action,
            None,
            self.raise_action,
            self.lower_action,
            self.duplicate_action,
            self.delete_action,
            None,
            self.apply_action,
            self.revert_action,
        ):
            bar.addAction(action) if action is not None else bar.addSeparator()
        self.addToolBar(bar)

    # The document

    def open_file(self, path: Path) -> bool:
        """Open a layout file (an invalid one read-only, its problems listed); False if it cannot be read."""
        try:
            opened = open_text(path)
        except WallError as exc:
            self.say(f"Cannot open {path}: {exc}")
            return False
        try:
            data = json.loads(opened.text)
        except json.JSONDecodeError as exc:
            data = None
            problems = [Problem("", f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")]
        else:
            problems = []
        self.path, self.opened, self.text = path.resolve(), opened, opened.text
        self.path_changed.emit(self.path)
        self.stack.clear()
        self.read_only = False
        self._show(data if isinstance(data, dict) else {}, ())
        if problems:
            self._list_problems(problems)
            self.read_only = True
        elif data is not None and not isinstance(data, dict):
            self._list_problems([Problem("", "a layout is a JSON object { ... }")])
            self.read_only = True
        else:
            self.read_only = self.built is not None and not self.built.checked.valid
        self._editable()
        if self.read_only:
            count = self.problems.topLevelItemCount()
            self.say(f"{path.name} is not valid ({count} problem(s)): opened read-only until it is fixed")
        else:
            self.say(f"Opened {path}")
        return True

    def start_new(self, data: Data) -> None:
        """A new layout, not saved yet."""
        self.path, self.opened = None, None
        self.path_changed.emit(None)
        self.text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        self.stack.clear()
        self.read_only = False
        self._show(data, ())
        self._editable()

    def _show(self, data: Data, selected: tuple[str, ...]) -> None:
        """Put ``data`` in the window: the canvas built again, the panels told; ``selected`` selected."""
        old = self.built.scene if self.built is not None else None
        self.data = data
        self.built = built = self.stage.build(data, self.path)
        if built.scene is not None:
            self.canvas.show_wall(built.scene, built.rects, parts_used(data), built.floor_px, selected)
        if old is not None and old is not built.scene:
            self.stage.release(old)
        if self.read_only and built.checked.valid:
            self.read_only = False  # fixed
            self._editable()
            self.say("The layout is valid now: editing is on")
        self._list_problems(list(built.checked.problems))
        self._selection_changed()
        if (show := getattr(self.sources, "show_sources", None)) is not None:
            show(data)
        self._title()

    def _editable(self) -> None:
        editable = not self.read_only
        self.canvas.editable = editable
        self.palette_list.setEnabled(editable)
        for action in (
            self.save_action,
            self.save_as_action,
            self.delete_action,
            self.duplicate_action,
            self.raise_action,
            self.lower_action,
        ):
            action.setEnabled(editable)
        self._title()

    def _list_problems(self, problems: list[Problem]) -> None:
        self.problems.clear()
        for problem in problems:
            item = QTreeWidgetItem([problem.location or "(document)", problem.message])
            item.setForeground(0, QColor("#F87171"))
            self.problems.addTopLevelItem(item)
        self.problems_dock.setWindowTitle(f"Problems ({len(problems)})" if problems else "Problems")
        if problems:
            self.problems_dock.show()

    def _problem_chosen(self, item: QTreeWidgetItem) -> None:
        """A problem of a widget chosen: select that widget."""
        where = item.text(0)
        if where.startswith("widgets["):
            index = int(where[len("widgets[") : where.index("]")])
            widgets = self.data.get("widgets", [])
            if index < len(widgets) and isinstance(widgets[index], dict):
                self.canvas.select([str(widgets[index].get("id"))])

    def _title(self) -> None:
        name = self.path.name if self.path is not None else "Untitled"
        flag = " (read-only)" if self.read_only else ""
        self.setWindowTitle(f"{name}[*]{flag} — wallapp layout editor")
        self.setWindowModified(not self.stack.isClean())

    @property
    def modified(self) -> bool:
        return not self.stack.isClean()

    def say(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # Edits

    def edit(
        self, text: str, after: Data, selected: tuple[str, ...] | None = None, *, fixing: bool = False
    ) -> bool:
        """Push ``after`` as one undoable step named ``text``, selecting ``selected`` (None: the same
        widgets); False when nothing changed, or the layout is read-only (``fixing``: an edit of the
        properties, which may fix it)."""
        if (self.read_only and not fixing) or after == self.data:
            return False
        before_selected = tuple(self.canvas.selected)
        selected = before_selected if selected is None else selected
        self.stack.push(Edit(text, self.data, after, self._show, before_selected, selected))
        return True

    def _wall(self) -> Wall | None:
        return self.built.scene.wall if self.built is not None and self.built.scene is not None else None

    def _edited(self, after: Data) -> None:
        """An edit in the properties panel: its widget stays selected (by its place in the list, so under a
        new id too)."""
        selected = tuple(self.canvas.selected)
        widgets, now = self.data.get("widgets"), after.get("widgets")
        if isinstance(widgets, list) and isinstance(now, list) and len(widgets) == len(now):
            at = {w.get("id"): i for i, w in enumerate(widgets) if isinstance(w, dict)}
            selected = tuple(
                str(now[at[i]].get("id")) if i in at and isinstance(now[at[i]], dict) else i for i in selected
            )
        self.edit("Edit properties", after, selected, fixing=True)

    def _widget(self, widget_id: str) -> dict[str, Any]:
        """A widget's data by id ({} when there is none)."""
        widgets = self.data.get("widgets")
        found = (
            next(
                (w for w in widgets if isinstance(w, dict) and w.get("id") == widget_id),
                {},
            )
            if isinstance(widgets, list)
            else {}
        )
        return dict(found)

    def _lands(self, widget_id: str, rect: Rect) -> Rect:
        """Where a widget dragged to ``rect`` lands once its placement is written."""
        wall = self._wall()
        if wall is None:
            return rect
        place = placement_for(rect, wall, self._widget(widget_id).get("place", {}))
        if widget_id:  # what will be written, said while dragging
            self.placement.setText(f"{widget_id}: {json.dumps(place, ensure_ascii=False)}")
        return rect_for(place, wall) or rect

    def _placed(self, rects: Mapping[str, Rect], what: str) -> None:
        wall = self._wall()
        if wall is None:
            return
        after = self.data
        for widget_id, rect in rects.items():
            index = widget_index(after, widget_id)
            place = placement_for(rect, wall, after["widgets"][index]["place"])
            after = moved(after, index, place)
        names = ", ".join(sorted(rects, key=lambda widget_id: widget_index(self.data, widget_id)))
        self.edit(f"{what} {names}", after)

    def _dropped(self, kind: str, rect: Rect) -> None:
        wall = self._wall()
        if wall is None:
            return
        widget = new_widget(kind, self.data, placement_for(rect, wall, {}))
        if self.edit(f"Add {widget['id']}", added(self.data, widget), (str(widget["id"]),)):
            self.say(f"Added {widget['id']}")

    def add_kind(self, kind: str) -> None:
        """Add a widget of ``kind`` where there is room (the palette's double-click)."""
        wall = self._wall()
        if wall is None or self.read_only:
            return
        rect = free_room(kind, wall, self.canvas.rects)
        if rect is None:
            self.say(f"No room for a {kind} on the wall: make room, then drag it where it goes")
            return
        self._dropped(kind, rect)

    def _indexes(self) -> list[int]:
        return [widget_index(self.data, widget_id) for widget_id in self.canvas.selected]

    def delete(self) -> None:
        if self.canvas.selected:
            names = ", ".join(self.canvas.selected)
            self.edit(f"Delete {names}", removed(self.data, self._indexes()), ())

    def duplicate(self) -> None:
        wall = self._wall()
        if not self.canvas.selected or wall is None:
            return
        after, indexes = duplicated(self.data, self._indexes(), wall)
        ids = tuple(str(after["widgets"][i]["id"]) for i in indexes)
        self.edit(f"Duplicate {', '.join(self.canvas.selected)}", after, ids)

    def restack(self, step: int) -> None:
        if self.canvas.selected:
            what = "Raise" if step > 0 else "Lower"
            self.edit(
                f"{what} {', '.join(self.canvas.selected)}", restacked(self.data, self._indexes(), step)
            )

    def select_all(self) -> None:
        self.canvas.select(self.canvas.rects)

    def _selection_changed(self) -> None:
        self._say_placement()
        show = getattr(self.properties, "show_widget", None)
        if show is None:
            return
        chosen = self.canvas.selected[-1] if self.canvas.selected else None
        index = None
        if chosen is not None:
            try:
                index = widget_index(self.data, chosen)
            except (KeyError, ValueError, WallError):
                index = None
        show(self.data, index)

    # Files

    def _say_placement(self) -> None:
        selected = self.canvas.selected
        if len(selected) != 1:
            self.placement.setText(f"{len(selected)} widgets selected" if selected else "")
            return
        if widget := self._widget(selected[0]):
            where = json.dumps(widget.get("place"), ensure_ascii=False)
            self.placement.setText(f"{selected[0]} ({widget.get('kind')}): {where}")

    def open_dialog(self) -> None:
        if not self._may_discard():
            return
        folder = self.path.parent if self.path is not None else None
        path = self.asks.open_path(self, folder)
        if path is not None:
            self.open_file(path)

    def reload(self) -> None:
        """Read the file again (after asking, if there are unsaved changes)."""
        if self.path is not None and self._may_discard():
            self.open_file(self.path)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path, self.opened.fingerprint if self.opened is not None else None)

    def save_as(self) -> bool:
        path = self.asks.save_path(self, self.path)
        if path is None:
            return False
        same = self.path is not None and path.resolve() == self.path and self.opened is not None
        return self._save_to(path.resolve(), self.opened.fingerprint if same and self.opened else None)

    def _save_to(self, path: Path, expected: Fingerprint | None) -> bool:
        """Validate, then write atomically; an invalid layout is never written; a file changed on disk since
        it was read is never overwritten without asking."""
        checked = self.stage.check(self.data, path)
        if checked.problems:
            problems = list(checked.problems)
            self._list_problems(problems)
            self.problems_dock.show()
            what = f"Not saved: the layout has {len(problems)} problem(s): {problems[0]}"
            self.say(what)
            self.asks.refused(self, what, problems)
            return False
        text = rewrite(self.text, self.data)
        if expected is not None and self.opened is not None and changed_on_disk(self.opened):
            return self._changed_on_disk(path)
        try:
            fingerprint = save_text(path, text, expected)
        except ChangedOnDisk:
            return self._changed_on_disk(path)
        except WallError as exc:
            self.say(f"Not saved: {exc}")
            self.asks.refused(self, f"Not saved: {exc}", [])
            return False
        if path != self.path:
            self.path_changed.emit(path)
        self.path, self.text = path, text
        self.opened = OpenedText(path, text, fingerprint)
        self.stack.setClean()
        self._title()
        self.say(f"Saved {path}")
        return True

    def _changed_on_disk(self, path: Path) -> bool:
        answer = self.asks.changed_on_disk(self, path)
        if answer == "reload":
            self.open_file(path)
            return False
        if answer == "overwrite":
            return self._save_to(path, None)
        if answer == "save as":
            return self.save_as()
        self.say("Not saved: the file changed on disk")
        return False

    def _may_discard(self) -> bool:
        """Whether the changes may go (saved first, or thrown away, as the operator says)."""
        if not self.modified:
            return True
        answer = self.asks.unsaved(self, self.path.name if self.path is not None else "Untitled")
        if answer == "save":
            return self.save()
        return answer == "discard"

    # The running wall

    def apply(self) -> None:
        """Show this version, saved or not, on the running wall (as the layout of the file's name)."""
        if self.wall is None or self.path is None:
            self.say("Apply: save the layout first, so the wall knows it by its file's name")
            return
        checked = self.stage.check(self.data, self.path)
        if not checked.valid:
            self.say(f"Not applied: the layout has {len(checked.problems)} problem(s): {checked.problems[0]}")
            return
        wall, name, data = self.wall, self.path.stem, self.data
        self._reach(lambda: wall.apply(name, data), f"The wall shows this version of {name}")

    def revert(self) -> None:
        """Show the layout's file on the running wall again."""
        if self.wall is not None:
            wall = self.wall
            self._reach(wall.revert, "The wall shows the file again")

    def _reach(self, call: Callable[[], None], done: str) -> None:
        """Run ``call`` off the UI thread (the wall may be slow to answer), then say how it went."""
        if self.applying is not None and not self.applying.done():
            self.say("The wall has not answered the last request yet")
            return
        self.say("Asking the wall…")
        future = asyncio.ensure_future(asyncio.to_thread(call))

        def answered(finished: asyncio.Future[None]) -> None:
            error = finished.exception()
            if error is None:
                self.say(done)
            else:
                self.say(f"The wall said no: {error}" if isinstance(error, WallError) else f"{error!r}")

        future.add_done_callback(answered)
        self.applying, self._answered = future, answered

    def dispose(self) -> None:
        """Let go of the canvas shown (its animations and sources' listeners) once the window is closed."""
        if self.applying is not None:  # the wall's answer, if it comes, is told to no window
            self.applying.remove_done_callback(self._answered)
        if self.built is not None and self.built.scene is not None:
            self.canvas.wall_scene = None
            self.canvas.setScene(None)
            self.stage.release(self.built.scene)
        self.built = None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_discard():
            event.accept()
            self.closed.emit()
        else:
            event.ignore()


def _placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet("color: #7B879B; padding: 16px;")
    return label


STYLE_SHEET = """
QMainWindow, QDockWidget, QWidget { background: #151922; color: #D8DEE9; }
QMainWindow::separator { background: #0C0F14; width: 3px; height: 3px; }
QDockWidget { font-weight: 600; }
QDockWidget::title { background: #1C2230; padding: 6px 8px; border-bottom: 1px solid #0C0F14; }
QMenuBar { background: #11151C; border-bottom: 1px solid #0C0F14; }
QMenuBar::item { padding: 4px 10px; background: transparent; }
QMenuBar::item:selected, QMenu::item:selected { background: #2A3A55; }
QMenu { background: #1C2230; border: 1px solid #2A3347; padding: 4px; }
QMenu::item { padding: 5px 24px 5px 20px; }
QMenu::item:disabled { color: #5C667A; }
QMenu::separator { height: 1px; background: #2A3347; margin: 4px 8px; }
QToolBar { background: #11151C; border: none; border-bottom: 1px solid #0C0F14; padding: 3px; spacing: 2px; }
QToolButton { background: transparent; border: 1px solid transparent; border-radius: 4px; padding: 3px 8px;
    color: #D8DEE9; }
QToolButton:hover { background: #222B3B; border-color: #2F3B52; }
QToolButton:disabled { color: #5C667A; }
QListWidget, QTreeWidget, QUndoView, QListView { background: #11151C; border: none; outline: 0;
    alternate-background-color: #141923; }
QListWidget::item { padding: 7px 10px; border-bottom: 1px solid #181E2A; }
QListWidget::item:hover, QTreeWidget::item:hover, QListView::item:hover { background: #1C2432; }
QListWidget::item:selected, QTreeWidget::item:selected, QListView::item:selected { background: #2A3A55;
    color: #FFFFFF; }
QHeaderView::section { background: #1C2230; color: #A7B3C5; border: none; border-right: 1px solid #11151C;
    padding: 4px 8px; }
QStatusBar { background: #11151C; color: #A7B3C5; border-top: 1px solid #0C0F14; }
QLabel { background: transparent; }
QScrollBar:vertical { background: #11151C; width: 10px; }
QScrollBar::handle:vertical { background: #2A3347; border-radius: 4px; min-height: 24px; }
QScrollBar::add-line, QScrollBar::sub-line { height: 0; width: 0; }
QToolTip { background: #1C2230; color: #D8DEE9; border: 1px solid #2F3B52; }
"""


def _dark(window: QMainWindow) -> None:
    """The editor's dark look, set on the window (not the application: the wall's windows keep theirs)."""
    palette = window.palette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#151922"),
        (QPalette.ColorRole.WindowText, "#D8DEE9"),
        (QPalette.ColorRole.Base, "#11151C"),
        (QPalette.ColorRole.AlternateBase, "#141923"),
        (QPalette.ColorRole.Text, "#D8DEE9"),
        (QPalette.ColorRole.Button, "#1C2230"),
        (QPalette.ColorRole.ButtonText, "#D8DEE9"),
        (QPalette.ColorRole.Highlight, "#2A3A55"),
        (QPalette.ColorRole.HighlightedText, "#FFFFFF"),
        (QPalette.ColorRole.ToolTipBase, "#1C2230"),
        (QPalette.ColorRole.ToolTipText, "#D8DEE9"),
    ):
        palette.setColor(role, QColor(colour))
    window.setPalette(palette)
    window.setStyleSheet(STYLE_SHEET)
