"""The editor and a running wall together, as an operator uses them: rearrange ``hub`` in the editor, try
it on the wall (Apply), take it back (Revert), save, and the wall shows the file; ``git diff`` of the file
shows just what was changed."""

from __future__ import annotations

import difflib
import json
import shutil
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot
from servers import Clock, until, while_serving
from test_editor_window import LAYOUTS, Answers, at, centre, click, drag, place

from wallapp.app import WallDisplay, open_feeds
from wallapp.core.config.settings import Settings, load_settings
from wallapp.core.view.geometry import Rect
from wallapp.editing import ControlledWall, open_editor
from wallapp.qt.editor.window import EditorWindow

TOKEN = "editor-token"
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]

# The offscreen platform says so for every main window with docks shown (a desktop's does not): not ours.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copy(LAYOUTS / "hub.json", tmp_path / "hub.json")
    shutil.copytree(LAYOUTS / "assets", tmp_path / "assets")
    control = {"listen": "127.0.0.1:0", "token": TOKEN}
    return load_settings(layouts_dirs=[tmp_path], layout="hub", control=control)


def shown(display: WallDisplay, widget_id: str) -> Rect | None:
    """Where the wall shows a widget (None: it does not)."""
    loaded = display.scene.loaded
    spec = next((widget for widget in loaded.layout.widgets if widget.id == widget_id), None)
    return None if spec is None or widget_id not in display.scene.items_by_id else loaded.rect(spec)


def rearrange(window: EditorWindow) -> None:
    """The operator's changes: the influencers out, the post wall one screen to the right, a KPI tile a
    quarter of its screen high, a ticker where the post wall was."""
    canvas = window.canvas
    click(window, at(window, *centre(canvas.rects["influencers"])))
    window.delete_action.trigger()  # the wall's windows are over the editor's here: not by its shortcut
    posts = canvas.rects["post-wall"]
    wall = window.built.scene.wall if window.built and window.built.scene else None
    assert wall is not None
    step = wall.screen_rect(1, 1).x - wall.screen_rect(0, 1).x
    drag(window, at(window, *centre(posts)), at(window, centre(posts)[0] + step, centre(posts)[1]))
    kpi = canvas.rects["response-rate"]
    click(window, at(window, *centre(kpi)))
    bottom = canvas.view_rect(kpi).bottom()
    handle = QPoint(round(canvas.view_rect(kpi).center().x()), round(bottom))
    target = at(window, centre(kpi)[0], wall.screen_rect(1, 0).y + wall.screen_size[1] / 4)
    drag(window, handle, QPoint(handle.x(), target.y() + 3))
    window.add_kind("ticker")


def test_an_operator_rearranges_hub_tries_it_on_the_wall_and_saves_just_those_changes(
    qtbot: QtBot, settings: Settings, run_async: RunAsync
) -> None:
    path = settings.layouts().path("hub")
    before = path.read_text(encoding="utf-8")
    display = WallDisplay(settings, now=Clock())
    display.show()
    posts_on_the_wall = shown(display, "post-wall")

    async def steps() -> None:
        await until(lambda: display.control_url is not None, "the control API")
        wall = ControlledWall(str(display.control_url), TOKEN)
        feeds = open_feeds(settings)
        window = open_editor(settings, "hub", feeds, Answers().asks(), wall=wall)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        rearrange(window)
        assert [command.text() for command in map(window.stack.command, range(window.stack.count()))] == [
            "Delete influencers",
            "Move post-wall",
            "Resize response-rate",
            "Add ticker",
        ]
        assert place(window, "post-wall") == {"screen": [1, 1], "span": [2, 1], "part": [0, 0, 1, 0.84]}
        assert place(window, "response-rate") == {"screen": [1, 0], "part": [0, 0, 0.5, 0.25]}
        ticker = place(window, "ticker")

        window.apply()  # the unsaved version on the wall, the file as it was
        await until(lambda: shown(display, "ticker") is not None, "the applied version on the wall")
        assert shown(display, "post-wall") == window.canvas.rects["post-wall"]
        assert shown(display, "influencers") is None
        assert display.status()["unsaved"] is True
        assert path.read_text(encoding="utf-8") == before
        await until(lambda: window.applying is not None and window.applying.done(), "the wall's answer")
        assert window.statusBar().currentMessage() == "The wall shows this version of hub"

        window.revert()  # the file again
        await until(lambda: shown(display, "ticker") is None, "the file on the wall again")
        assert shown(display, "post-wall") == posts_on_the_wall
        assert display.status()["unsaved"] is False

        assert window.save()  # the wall watches its file: it shows what was saved
        await until(lambda: shown(display, "ticker") is not None, "the saved file on the wall")
        assert shown(display, "post-wall") == window.canvas.rects["post-wall"]
        assert shown(display, "influencers") is None
        assert display.status()["unsaved"] is False
        window.close()
        window.dispose()

        after = path.read_text(encoding="utf-8")
        changed = [
            line
            for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")
        ]
        lines = before.splitlines()

        def line(widget_id: str) -> str:
            return next(line for line in lines if f'"id": "{widget_id}"' in line)

        posts, kpi, last, gone = (line(w) for w in ("post-wall", "response-rate", "headlines", "influencers"))
        new_ticker = {"id": "ticker", "kind": "ticker", "source": "posts", "place": ticker, "options": {}}
        assert sorted(changed) == sorted(
            [
                f"-{posts}",
                f"+{posts.replace(json.dumps([0, 1]), json.dumps([1, 1]))}",
                f"-{kpi}",
                f"+{kpi.replace('[0, 0, 0.5, 0.5]', '[0, 0, 0.5, 0.25]')}",
                f"-{gone}",
                f"-{last}",
                f"+{last},",
                f"+    {json.dumps(new_ticker, ensure_ascii=False)}",
            ]
        )

    while_serving(run_async, display, steps)
