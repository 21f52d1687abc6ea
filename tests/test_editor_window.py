"""The layout editor's window on a copy of ``hub``: arranging with synthetic mouse and key events on the
view, undo and redo, saving (only what changed), the external-change check, an invalid layout."""

from __future__ import annotations

import difflib
import json
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTreeWidgetItem, QWidget
from pytestqt.qtbot import QtBot
from servers import Clock
from test_cli import _wait_for, wallapp

from wallapp.app import open_feeds
from wallapp.core.config.layout import load_layout
from wallapp.core.config.settings import Settings, load_settings
from wallapp.core.view.geometry import Rect
from wallapp.editing import open_editor
from wallapp.errors import Problem
from wallapp.qt.editor.canvas import BACKDROP, KIND_MIME, SELECTED
from wallapp.qt.editor.window import Asks, ChangedAnswer, EditorWindow, UnsavedAnswer

HERE = Path(__file__).resolve().parent
LAYOUTS = HERE.parent / "layouts"
LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier

# The offscreen platform says so for every main window with docks shown (a desktop's does not): not ours.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


class Answers:
    """What the operator answers, given by the test; what the window asked, kept."""

    def __init__(self) -> None:
        self.save_path: Path | None = None
        self.changed: ChangedAnswer = "cancel"
        self.unsaved: UnsavedAnswer = "discard"
        self.asked: list[str] = []
        self.refusals: list[tuple[str, list[Problem]]] = []

    def asks(self) -> Asks:
        def save_path(_parent: object, _suggested: Path | None) -> Path | None:
            self.asked.append("save path")
            return self.save_path

        def changed(_parent: object, path: Path) -> ChangedAnswer:
            self.asked.append(f"changed {path.name}")
            return self.changed

        def unsaved(_parent: object, name: str) -> UnsavedAnswer:
            self.asked.append(f"unsaved {name}")
            return self.unsaved

        def refused(_parent: object, what: str, problems: list[Problem]) -> None:
            self.refusals.append((what, problems))

        return Asks(
            open_path=lambda _parent, _folder: None,
            save_path=save_path,
            changed_on_disk=changed,
            unsaved=unsaved,
            refused=refused,
        )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of ``hub`` (and its logo) to edit."""
    shutil.copy(LAYOUTS / "hub.json", tmp_path / "hub.json")
    shutil.copytree(LAYOUTS / "assets", tmp_path / "assets")
    return tmp_path


@pytest.fixture
def settings(folder: Path) -> Settings:
    return load_settings(layouts_dirs=[folder], layout="hub")


@pytest.fixture
def answers() -> Answers:
    return Answers()


def opened(qtbot: QtBot, settings: Settings, answers: Answers, layout: str | None = "hub") -> EditorWindow:
    clock = Clock()
    feeds = open_feeds(settings, now=clock)
    window = open_editor(settings, layout, feeds, answers.asks(), now=clock)
    feeds.prime(clock())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, settings: Settings, answers: Answers) -> Iterator[EditorWindow]:
    window = opened(qtbot, settings, answers)
    yield window
    window.stack.setClean()  # closing asks nothing
    window.close()
    window.dispose()


def at(window: EditorWindow, x: float, y: float) -> QPoint:
    """A canvas point in the view's pixels."""
    return window.canvas.mapFromScene(QPointF(x, y))


def drag(window: EditorWindow, start: QPoint, end: QPoint, steps: int = 8) -> None:
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, LEFT, NONE, start)
    for n in range(1, steps + 1):
        QTest.mouseMove(viewport, start + (end - start) * (n / steps))
    QTest.mouseRelease(viewport, LEFT, NONE, end)


def click(window: EditorWindow, point: QPoint, modifiers: Qt.KeyboardModifier = NONE) -> None:
    QTest.mouseClick(window.canvas.viewport(), LEFT, modifiers, point)


def centre(rect: Rect) -> tuple[float, float]:
    return rect.x + rect.width / 2, rect.y + rect.height / 2


def place(window: EditorWindow, widget_id: str) -> dict[str, Any]:
    widget = next(w for w in window.data["widgets"] if w["id"] == widget_id)
    found: dict[str, Any] = widget["place"]
    return found


def _text(item: QTreeWidgetItem | None) -> str:
    assert item is not None
    return item.text(0)


def key(window: EditorWindow, which: Qt.Key, modifiers: Qt.KeyboardModifier = NONE) -> None:
    QTest.keyClick(window.canvas, which, modifiers)


def test_hub_opens_to_scale_with_live_data(window: EditorWindow) -> None:
    canvas = window.canvas
    assert window.windowTitle().startswith("hub.json")
    assert not window.read_only
    assert window.built is not None
    assert window.built.scene is not None
    assert set(canvas.rects) == {w["id"] for w in window.data["widgets"]}
    wall = window.built.scene.wall.canvas
    shown = canvas.view_rect(Rect(0, 0, wall.width, wall.height))
    viewport = canvas.viewport().rect()
    assert shown.width() <= viewport.width() + 1
    assert shown.height() <= viewport.height() + 1
    assert shown.width() > 0.9 * viewport.width() or shown.height() > 0.9 * viewport.height()
    posts = window.built.scene.items_by_id["post-wall"]
    assert posts.binding is not None
    assert posts.binding.store.latest(1)
    assert window.palette_list.count() == 13
    assert window.apply_action.isEnabled()  # the wall these settings run, on its default address
    assert "http://127.0.0.1:8717" in window.apply_action.toolTip()


def test_with_the_control_api_off_apply_and_revert_are_off_and_say_why(
    qtbot: QtBot, folder: Path, answers: Answers
) -> None:
    settings = load_settings(layouts_dirs=[folder], layout="hub", control={"listen": "off"})
    window = opened(qtbot, settings, answers)
    for action in (window.apply_action, window.revert_action):
        assert not action.isEnabled()
        assert "control.listen is off" in action.toolTip()
    window.close()
    window.dispose()


def test_dragging_the_post_wall_to_another_screen_snaps_and_undoes(window: EditorWindow) -> None:
    canvas = window.canvas
    scene = window.built.scene if window.built else None
    assert scene is not None
    binding = scene.items_by_id["post-wall"].binding
    click(window, at(window, *centre(canvas.rects["influencers"])))
    assert canvas.selected == ["influencers"]
    key(window, Qt.Key.Key_Delete)
    assert "influencers" not in canvas.rects
    was = canvas.rects["post-wall"]
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    step = wall.screen_rect(1, 1).x - wall.screen_rect(0, 1).x
    start = at(window, *centre(was))
    end = at(window, centre(was)[0] + step, centre(was)[1]) + QPoint(4, 3)  # a little off: it snaps
    drag(window, start, end)
    assert place(window, "post-wall") == {"screen": [1, 1], "span": [2, 1], "part": [0, 0, 1, 0.84]}
    assert canvas.rects["post-wall"] == wall.region(1, 1, (2, 1), (0, 0, 1, 0.84))
    rebuilt = window.built.scene if window.built else None
    assert rebuilt is not None
    assert rebuilt is not scene
    moved = rebuilt.items_by_id["post-wall"].binding
    assert binding is not None
    assert moved is not None
    assert moved.store is binding.store  # the source kept running across the rebuild
    assert window.stack.count() == 2
    assert not window.stack.isClean()
    assert window.windowTitle().startswith("hub.json[*]")
    assert window.isWindowModified()
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert place(window, "post-wall")["screen"] == [0, 1]
    assert canvas.rects["post-wall"] == was
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert place(window, "post-wall")["screen"] == [1, 1]
    window.stack.undo()
    window.stack.undo()
    assert window.stack.isClean()
    assert "influencers" in canvas.rects


def test_a_guide_line_is_shown_while_dragging_and_the_item_moves_without_a_rebuild(
    window: EditorWindow,
) -> None:
    canvas = window.canvas
    key_rect = canvas.rects["response-rate"]
    click(window, at(window, *centre(key_rect)))
    scene = window.built.scene if window.built else None
    assert scene is not None
    item = scene.items_by_id["response-rate"]
    viewport = canvas.viewport()
    start = at(window, *centre(key_rect))
    QTest.mousePress(viewport, LEFT, NONE, start)
    QTest.mouseMove(viewport, start + QPoint(10, 0))
    QTest.mouseMove(viewport, start + QPoint(30, 2))
    assert canvas.dragging()
    assert item.pos().x() != key_rect.x  # the item itself follows the pointer
    assert window.built is not None
    assert window.built.scene is scene
    assert canvas._drag is not None
    assert canvas._drag.refused == "overlaps 'response-time'"
    assert window.placement.text().startswith('response-rate: {"screen": [1, 0], "part": [0.')  # written so
    QTest.mouseRelease(viewport, LEFT, NONE, start + QPoint(30, 2))
    assert item.pos().x() == key_rect.x  # sprang back
    assert window.placement.text() == 'response-rate (kpi): {"screen": [1, 0], "part": [0, 0, 0.5, 0.5]}'
    assert window.stack.count() == 0
    assert "overlaps 'response-time'" in window.statusBar().currentMessage()


def test_resizing_a_kpi_by_its_handle_snaps_to_a_quarter(window: EditorWindow) -> None:
    canvas = window.canvas
    was = canvas.rects["response-rate"]
    click(window, at(window, *centre(was)))
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    bottom = canvas.view_rect(was).bottom()
    middle = canvas.view_rect(was).center().x()
    handle = QPoint(round(middle), round(bottom))
    assert canvas.handle_at(handle) == "s"
    target = at(window, centre(was)[0], wall.screen_rect(1, 0).y + wall.screen_size[1] / 4)
    drag(window, handle, QPoint(handle.x(), target.y() + 3))
    assert place(window, "response-rate") == {"screen": [1, 0], "part": [0, 0, 0.5, 0.25]}
    assert window.stack.undoText().startswith("Resize")
    window.stack.undo()
    assert place(window, "response-rate") == {"screen": [1, 0], "part": [0, 0, 0.5, 0.5]}
    window.stack.redo()
    assert place(window, "response-rate")["part"] == [0, 0, 0.5, 0.25]


def test_arrow_keys_nudge_by_one_snap_step_and_refuse_an_overlap(window: EditorWindow) -> None:
    canvas = window.canvas
    was = canvas.rects["response-rate"]
    click(window, at(window, *centre(was)))
    key(window, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)  # the bottom edge up one step: a third
    assert place(window, "response-rate")["part"] == [0, 0, 0.5, 0.3333]
    key(window, Qt.Key.Key_Down)  # a third is written a hair short of its guide: the step is a real one
    assert place(window, "response-rate")["part"][1] > 0.16
    window.stack.undo()
    key(window, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)  # and another: a quarter
    assert place(window, "response-rate")["part"] == [0, 0, 0.5, 0.25]
    shrunk = canvas.rects["response-rate"]
    assert shrunk.y == was.y
    assert shrunk.width == was.width
    assert shrunk.height == was.height / 2
    key(window, Qt.Key.Key_Down)
    nudged = canvas.rects["response-rate"]
    assert nudged.y > was.y
    assert nudged.height == shrunk.height
    assert nudged.x == was.x
    assert place(window, "response-rate")["screen"] == [1, 0]
    assert window.stack.count() == 3
    key(window, Qt.Key.Key_Right)  # response-time is there
    assert canvas.rects["response-rate"] == nudged
    assert window.stack.count() == 3
    assert "overlaps 'response-time'" in window.statusBar().currentMessage()
    window.stack.undo()
    assert canvas.rects["response-rate"] == shrunk
    window.stack.undo()
    window.stack.undo()
    assert canvas.rects["response-rate"] == was


def test_duplicate_raise_lower_delete_and_add_are_each_one_undoable_step(window: EditorWindow) -> None:
    canvas = window.canvas
    ids = [w["id"] for w in window.data["widgets"]]
    click(window, at(window, *centre(canvas.rects["clock"])))
    key(window, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert [w["id"] for w in window.data["widgets"]][:3] == ["logo", "rate-vs", "clock"]
    key(window, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert [w["id"] for w in window.data["widgets"]] == ids
    window.stack.undo()
    window.stack.undo()
    assert [w["id"] for w in window.data["widgets"]] == ids
    key(window, Qt.Key.Key_Delete)
    key(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # nothing selected: nothing done
    assert "clock" not in canvas.rects
    assert window.stack.count() == 1
    click(window, at(window, *centre(canvas.rects["logo"])))
    key(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # into the clock's room
    assert len(window.data["widgets"]) == len(ids)
    assert len(canvas.selected) == 1
    copy = canvas.selected[0]
    assert copy != "logo"
    assert copy in canvas.rects
    window.stack.undo()
    window.stack.undo()
    assert [w["id"] for w in window.data["widgets"]] == ids
    window.palette_list.add.emit("ticker")  # no room left anywhere
    assert window.stack.index() == 0
    assert window.stack.count() == 2
    assert "No room" in window.statusBar().currentMessage()


def test_shift_click_and_a_rubber_band_select_several(window: EditorWindow) -> None:
    canvas = window.canvas
    click(window, at(window, *centre(canvas.rects["mentions"])))
    click(window, at(window, *centre(canvas.rects["share-of-voice"])), Qt.KeyboardModifier.ShiftModifier)
    assert canvas.selected == ["mentions", "share-of-voice"]
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    screen = wall.screen_rect(1, 0)
    outside = at(window, screen.x + 2, -30)
    drag(window, outside, at(window, screen.x + screen.width / 4, screen.y + screen.height - 2))
    assert set(canvas.selected) == {"response-rate", "mentions"}


def test_saving_a_move_changes_only_its_lines(window: EditorWindow, folder: Path) -> None:
    path = folder / "hub.json"
    before = path.read_text(encoding="utf-8")
    canvas = window.canvas
    click(window, at(window, *centre(canvas.rects["influencers"])))
    key(window, Qt.Key.Key_Delete)
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    step = wall.screen_rect(1, 1).x - wall.screen_rect(0, 1).x
    was = canvas.rects["post-wall"]
    drag(window, at(window, *centre(was)), at(window, centre(was)[0] + step, centre(was)[1]))
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.isClean()
    assert not window.isWindowModified()
    after = path.read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    old_posts = next(line for line in before.splitlines() if '"id": "post-wall"' in line)
    old_people = next(line for line in before.splitlines() if '"id": "influencers"' in line)
    new_posts = old_posts.replace('"screen": [0, 1]', '"screen": [1, 1]')
    assert changed in (
        [f"-{old_posts}", f"-{old_people}", f"+{new_posts}"],
        [f"-{old_posts}", f"+{new_posts}", f"-{old_people}"],
    )
    assert (folder / "hub.json.bak").read_text(encoding="utf-8") == before
    reopened = json.loads(after)
    assert reopened == window.data


def test_an_unchanged_layout_saves_byte_identical(window: EditorWindow, folder: Path) -> None:
    path = folder / "hub.json"
    before = path.read_bytes()
    click(window, at(window, *centre(window.canvas.rects["clock"])))
    key(window, Qt.Key.Key_Delete)
    window.stack.undo()
    assert window.save()
    assert path.read_bytes() == before


def test_a_file_changed_on_disk_is_never_overwritten_without_asking(
    window: EditorWindow, folder: Path, answers: Answers
) -> None:
    path = folder / "hub.json"
    theirs = path.read_text(encoding="utf-8").replace("Hub — live monitoring", "Hub (their version)")
    path.write_text(theirs, encoding="utf-8")
    click(window, at(window, *centre(window.canvas.rects["clock"])))
    key(window, Qt.Key.Key_Delete)
    answers.changed = "cancel"
    assert not window.save()
    assert answers.asked == ["changed hub.json"]
    assert path.read_text(encoding="utf-8") == theirs
    assert not window.stack.isClean()
    answers.changed = "overwrite"
    assert window.save()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert "clock" not in [w["id"] for w in saved["widgets"]]
    assert saved["name"] == "Hub — live monitoring"
    path.write_text(theirs, encoding="utf-8")
    window.stack.undo()
    answers.changed = "reload"
    assert not window.save()
    assert window.data["name"] == "Hub (their version)"
    assert window.stack.isClean()
    assert "clock" in window.canvas.rects
    answers.save_path = folder / "mine.json"
    answers.changed = "save as"
    click(window, at(window, *centre(window.canvas.rects["clock"])))
    key(window, Qt.Key.Key_Delete)
    path.write_text(theirs.replace("their version", "theirs again"), encoding="utf-8")
    assert window.save()
    assert window.path == (folder / "mine.json").resolve()
    assert "theirs again" in path.read_text(encoding="utf-8")
    assert window.windowTitle().startswith("mine.json")


def test_an_invalid_save_is_refused_with_the_reason(window: EditorWindow, answers: Answers) -> None:
    data = json.loads(json.dumps(window.data))
    data["widgets"][1]["options"]["timezone"] = "Mars/Olympus"
    assert window.edit("Edit properties", data)
    before = window.path.read_text(encoding="utf-8") if window.path else ""
    assert not window.save()
    assert window.path is not None
    assert window.path.read_text(encoding="utf-8") == before
    what, problems = answers.refusals[-1]
    assert what.startswith("Not saved")
    assert any(p.location.startswith("widgets[1].options") for p in problems)
    assert window.problems.topLevelItemCount() >= 1
    assert _text(window.problems.topLevelItem(0)).startswith("widgets[1].options")


def test_an_invalid_layout_opens_read_only_with_its_problems_and_the_rest_shown(
    qtbot: QtBot, settings: Settings, answers: Answers, folder: Path
) -> None:
    data = json.loads((folder / "hub.json").read_text(encoding="utf-8"))
    data["widgets"][1]["place"]["screen"] = [7, 0]
    (folder / "broken.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    window = opened(qtbot, settings, answers, "broken")
    assert window.read_only
    assert "(read-only)" in window.windowTitle()
    where = [_text(window.problems.topLevelItem(i)) for i in range(window.problems.topLevelItemCount())]
    assert where == ["widgets[1].place.screen"]
    assert window.built is not None
    assert window.built.scene is not None
    assert "clock" not in window.canvas.rects
    assert "logo" in window.canvas.rects
    assert not window.save_action.isEnabled()
    assert not window.palette_list.isEnabled()
    logo = window.canvas.rects["logo"]
    drag(window, at(window, *centre(logo)), at(window, centre(logo)[0] + 400, centre(logo)[1] + 900))
    key(window, Qt.Key.Key_Delete)
    assert window.stack.count() == 0
    assert window.canvas.rects["logo"] == logo


def test_closing_with_unsaved_changes_asks(window: EditorWindow, answers: Answers) -> None:
    click(window, at(window, *centre(window.canvas.rects["clock"])))
    key(window, Qt.Key.Key_Delete)
    answers.unsaved = "cancel"
    assert not window.close()
    assert answers.asked == ["unsaved hub.json"]
    assert window.isVisible()
    answers.unsaved = "discard"
    assert window.close()


def test_the_window_picture_shows_the_selection_and_its_handles(window: EditorWindow, tmp_path: Path) -> None:
    """What the README shows (the picture is kept in tmp_path to look at)."""
    canvas = window.canvas
    click(window, at(window, *centre(canvas.rects["post-wall"])))
    QApplication.processEvents()
    picture = window.grab()
    assert picture.save(str(tmp_path / "editor.png"))
    image = picture.toImage()
    corner = canvas.view_rect(canvas.rects["post-wall"]).bottomRight().toPoint()
    handle = canvas.viewport().mapTo(window, corner)
    assert image.pixelColor(handle).name() == SELECTED.name()
    outside = canvas.viewport().mapTo(window, QPoint(2, 2))  # the room around the wall
    assert image.pixelColor(outside).name() == BACKDROP.name()


def drop(window: EditorWindow, kind: str, point: QPoint) -> None:
    """A widget kind dragged from the palette and dropped at a point of the view."""
    mime = QMimeData()
    mime.setData(KIND_MIME, kind.encode())
    viewport, copy, buttons = window.canvas.viewport(), Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    QApplication.sendEvent(viewport, QDragEnterEvent(point, copy, mime, buttons, NONE))
    QApplication.sendEvent(viewport, QDragMoveEvent(point, copy, mime, buttons, NONE))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(point), copy, mime, buttons, NONE))


def test_a_kind_dropped_from_the_palette_snaps_into_free_room_or_is_refused(window: EditorWindow) -> None:
    canvas = window.canvas
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    drop(window, "ticker", at(window, *centre(canvas.rects["post-wall"])))
    assert window.stack.count() == 0
    assert "Not added: overlaps 'post-wall'" in window.statusBar().currentMessage()
    click(window, at(window, *centre(canvas.rects["headlines"])))
    key(window, Qt.Key.Key_Delete)
    screen = wall.screen_rect(0, 1)
    drop(
        window,
        "ticker",
        at(window, *centre(screen)) + QPoint(0, round(0.42 * canvas.view_rect(screen).height())),
    )
    added = window.data["widgets"][-1]
    assert added["kind"] == "ticker"
    assert added["place"] == {"screen": [0, 1], "part": [0, 0.84, 1, 0.16]}
    assert canvas.selected == [added["id"]]
    assert window.stack.undoText() == f"Add {added['id']}"
    window.stack.undo()
    assert [w["kind"] for w in window.data["widgets"]].count("ticker") == 0
    window.palette_list.add.emit("clock")  # double-clicked: where there is room
    assert window.data["widgets"][-1]["kind"] == "clock"
    assert canvas.rects[window.data["widgets"][-1]["id"]].y >= wall.screen_rect(0, 1).y


def test_a_new_layout_is_saved_where_the_operator_says(
    qtbot: QtBot, settings: Settings, answers: Answers, tmp_path: Path
) -> None:
    window = opened(qtbot, settings, answers, None)
    assert window.windowTitle().startswith("Untitled")
    window.palette_list.add.emit("clock")
    answers.save_path = tmp_path / "new.json"
    assert window.save()
    assert answers.asked == ["save path"]
    loaded = load_layout(tmp_path / "new.json", settings.wall, settings.themes())
    assert [w.kind for w in loaded.layout.widgets] == ["clock"]
    assert window.windowTitle().startswith("new.json")


def test_a_file_that_is_not_json_opens_read_only_and_says_where(
    qtbot: QtBot, settings: Settings, answers: Answers, folder: Path
) -> None:
    (folder / "bad.json").write_text('{"name": "Bad",\n "widgets": [}\n', encoding="utf-8")
    window = opened(qtbot, settings, answers, "bad")
    assert window.read_only
    problem = window.problems.topLevelItem(0)
    assert problem is not None
    assert "line 2" in problem.text(1)
    window.stack.setClean()


def test_wallapp_edit_refuses_a_layout_that_is_not_there_in_one_line(tmp_path: Path) -> None:
    proc = wallapp("edit", str(tmp_path / "nowhere.json"), env={"QT_QPA_PLATFORM": "offscreen"})
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.startswith("wallapp: ")
    assert "Traceback" not in err
    assert "nowhere.json" in err


def test_wallapp_edit_opens_the_editor_and_a_sigterm_closes_it(tmp_path: Path) -> None:
    proc = wallapp("edit", "hub", "-v", env={"QT_QPA_PLATFORM": "offscreen", "XDG_CACHE_HOME": str(tmp_path)})
    try:
        seen = _wait_for(proc, "editor open: first frame")
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "internal error" not in "\n".join([*seen, rest])


def test_a_widget_is_marked_while_an_edge_is_under_a_mullion(
    qtbot: QtBot, settings: Settings, answers: Answers, folder: Path
) -> None:
    text = {"id": "note", "kind": "text", "place": {"rect": [100, 100, 600, 300]}, "options": {"text": "Hi"}}
    (folder / "note.json").write_text(json.dumps({"name": "Note", "widgets": [text]}), encoding="utf-8")
    window = opened(qtbot, settings, answers, "note")
    canvas = window.canvas
    canvas.snap_tolerance_px = 0  # it would snap to the screen's edge, off the mullion
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    mullion = wall.screen_rect(1, 0).x - 1 - 700  # the right edge a pixel inside the mullion
    was = canvas.rects["note"]
    viewport = canvas.viewport()
    start = at(window, *centre(was))
    QTest.mousePress(viewport, LEFT, NONE, start)
    QTest.mouseMove(viewport, start + QPoint(5, 0))
    for step in range(40):
        QTest.mouseMove(viewport, at(window, centre(was)[0] + mullion * step / 39, centre(was)[1]))
    drag_state = canvas._drag
    assert drag_state is not None
    assert drag_state.refused is None
    (marked,) = drag_state.marks["note"]
    assert "mullion" in marked
    QTest.mouseRelease(viewport, LEFT, NONE, at(window, centre(was)[0] + mullion, centre(was)[1]))
    assert "rect" in place(window, "note")  # a rect placement stays one
    assert window.problems_dock.isVisibleTo(window)  # and what is wrong with it is listed
    window.stack.setClean()


class Panel(QWidget):
    """The properties panel's side of the window (``show_widget``, ``edited``), as the test drives it."""

    edited = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[dict[str, Any], int | None]] = []

    def show_widget(self, data: dict[str, Any], index: int | None) -> None:
        self.shown.append((data, index))


def test_the_properties_panel_is_told_the_selection_and_its_edits_are_undoable(
    qtbot: QtBot, settings: Settings, answers: Answers
) -> None:
    panel = Panel()
    clock = Clock()
    feeds = open_feeds(settings, now=clock)
    window = open_editor(settings, "hub", feeds, answers.asks(), now=clock, properties=panel)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert panel.shown[-1][1] is None
    click(window, at(window, *centre(window.canvas.rects["clock"])))
    assert panel.shown[-1] == (window.data, 1)
    renamed = json.loads(json.dumps(window.data))
    renamed["widgets"][1]["id"] = "paris"
    renamed["widgets"][1]["options"]["label"] = "Paris time"
    panel.edited.emit(renamed)
    assert window.data == renamed
    assert window.canvas.selected == ["paris"]  # the same widget, under its new id
    assert panel.shown[-1] == (renamed, 1)
    assert window.stack.undoText() == "Edit properties"
    window.stack.undo()
    assert window.canvas.selected == ["clock"]
    assert window.data["widgets"][1]["options"]["label"] == "Paris"
    window.stack.setClean()


def test_a_read_only_layout_fixed_in_the_properties_panel_can_be_edited_again(
    qtbot: QtBot, settings: Settings, answers: Answers, folder: Path
) -> None:
    data = json.loads((folder / "hub.json").read_text(encoding="utf-8"))
    data["widgets"][1]["options"]["timezone"] = "Mars/Olympus"
    (folder / "broken.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    panel = Panel()
    feeds = open_feeds(settings)
    window = open_editor(settings, "broken", feeds, answers.asks(), properties=panel)
    qtbot.addWidget(window)
    assert window.read_only
    problem = window.problems.topLevelItem(0)
    assert problem is not None
    window.problems.itemActivated.emit(problem, 0)  # the problem chosen: its widget in the panel
    assert panel.shown[-1][1] == 1
    fixed = json.loads(json.dumps(window.data))
    fixed["widgets"][1]["options"]["timezone"] = "Europe/Paris"
    panel.edited.emit(fixed)
    assert window.canvas.editable
    assert window.save_action.isEnabled()
    assert "clock" in window.canvas.rects
    window.stack.setClean()


def test_several_selected_move_together_and_a_click_then_selects_one(window: EditorWindow) -> None:
    canvas = window.canvas
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    click(window, at(window, *centre(canvas.rects["rate-vs"])))
    key(window, Qt.Key.Key_Delete)  # room under the logo and the clock
    click(window, at(window, *centre(canvas.rects["logo"])))
    click(window, at(window, *centre(canvas.rects["clock"])), Qt.KeyboardModifier.ControlModifier)
    assert canvas.selected == ["logo", "clock"]
    logo = canvas.rects["logo"]
    quarter = wall.screen_size[1] / 4
    drag(
        window,
        at(window, *centre(logo)),
        at(window, centre(logo)[0], centre(logo)[1] + quarter) + QPoint(0, 2),
    )
    assert place(window, "logo") == {"screen": [0, 0], "part": [0, 0.25, 0.55, 0.22]}
    assert place(window, "clock") == {"screen": [0, 0], "part": [0.55, 0.25, 0.45, 0.22]}
    assert window.stack.undoText() == "Move logo, clock"
    assert set(canvas.selected) == {"logo", "clock"}
    click(window, at(window, *centre(canvas.rects["logo"])))
    assert canvas.selected == ["logo"]
    window.stack.undo()
    assert place(window, "clock")["part"] == [0.55, 0, 0.45, 0.22]


def test_a_broken_source_hides_only_the_widgets_it_feeds(
    qtbot: QtBot, settings: Settings, answers: Answers, folder: Path
) -> None:
    data = json.loads((folder / "hub.json").read_text(encoding="utf-8"))
    data["sources"]["care"]["feed"] = "no-such-feed"
    (folder / "broken.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    window = opened(qtbot, settings, answers, "broken")
    problem = window.problems.topLevelItem(0)
    assert problem is not None
    assert problem.text(0).startswith("sources.care")
    fed_by_care = {w["id"] for w in data["widgets"] if w.get("source") == "care"}
    assert set(window.canvas.rects) == {w["id"] for w in data["widgets"]} - fed_by_care


def test_a_right_click_selects_what_the_context_menu_acts_on(window: EditorWindow) -> None:
    canvas = window.canvas
    click(window, at(window, *centre(canvas.rects["logo"])))
    QTest.mousePress(
        canvas.viewport(), Qt.MouseButton.RightButton, NONE, at(window, *centre(canvas.rects["clock"]))
    )
    assert canvas.selected == ["clock"]
    titles = [action.text() for action in canvas.actions()]
    assert titles == ["D&uplicate", "&Delete", "", "&Raise", "&Lower"]
    QTest.mouseRelease(
        canvas.viewport(), Qt.MouseButton.RightButton, NONE, at(window, *centre(canvas.rects["clock"]))
    )
    if (menu := QApplication.activePopupWidget()) is not None:  # where the platform shows it on release
        menu.close()
