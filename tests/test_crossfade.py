"""Scene changes under the six real screens: a cross-fade's every frame is the old picture, a blend, or the
new scene (never blank); a cut shows the new scene at once; switching many times leaves nothing behind."""

from __future__ import annotations

import asyncio
import functools
import gc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PySide6.QtCore import QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from servers import Clock
from test_player import Ticks

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.core.view.motion import ease_in_out
from wallapp.qt import text as text_layouts
from wallapp.qt.crossfade import CrossFade, painted
from wallapp.qt.loop import WallLoop

WriteJson = Callable[[str, object], Path]
FADE_S = 1.0
TOLERANCE = 3
"""Per channel: rounding in the blend of two 8-bit pictures."""
NAMES = ("one", "two", "three")


def text_everywhere(name: str) -> dict[str, Any]:
    """A layout with a text on each of the six screens, saying the layout's name and the screen's."""
    widgets = [
        {
            "id": f"k{column}{row}",
            "kind": "text",
            "place": {"screen": [column, row]},
            "options": {"text": f"{name} {column}{row}"},
        }
        for column in range(3)
        for row in range(2)
    ]
    return {"name": name.capitalize(), "widgets": widgets}


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """Every test here builds a wall."""


@pytest.fixture
def folder(tmp_path: Path, write_json: WriteJson) -> Path:
    for name in NAMES:
        write_json(f"{name}.json", text_everywhere(name))
    fade = {"kind": "crossfade", "seconds": FADE_S}
    scenes = [{"layout": name, "duration": 10} for name in NAMES]
    write_json("tour.json", {"name": "Tour", "transition": fade, "scenes": scenes})
    cut = [{**scenes[0], "transition": {"kind": "cut"}}, *scenes[1:]]
    write_json("cuts.json", {"name": "Cuts", "transition": fade, "scenes": [cut[1], cut[0]]})
    return tmp_path


def wall(folder: Path, show: str, ticks: Ticks) -> WallDisplay:
    settings = load_settings(layouts_dirs=[folder], shows_dirs=[folder], layout="one")
    display = WallDisplay(settings, now=Clock(), show=show, ticks=ticks)
    display.show()
    return display


Picture = NDArray[np.int16]


def pictures(display: WallDisplay) -> list[Picture]:
    """What every screen shows now (drawn anew), as RGB arrays."""
    return [as_array(view.viewport().grab().toImage()) for view in display.windows.canvas_views()]


def as_array(image: QImage) -> Picture:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    array = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rows = array.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
    return rows.reshape(image.height(), image.width(), 3).astype(np.int16)


def differ(a: Picture, b: Picture) -> int:
    return int(np.abs(a - b).max())


def fading(display: WallDisplay) -> CrossFade:
    fade = display.windows.fade
    assert fade is not None
    assert not fade.done
    return fade


def test_every_frame_of_a_cross_fade_blends_the_old_picture_into_the_new_scene(folder: Path) -> None:
    ticks = Ticks()
    display = wall(folder, "tour", ticks)
    try:
        before = pictures(display)
        ticks.now += 10
        display.advance()
        fade = fading(display)
        first = pictures(display)  # the new scene is under every window, the old picture over it
        assert display.scene.loaded.path.stem == "two"
        middles = []
        for progress in (0.25, 0.5, 0.75):
            ticks.now = fade.started + progress * FADE_S
            fade.step()  # the even screens' turn, then the odd ones'
            fade.step()
            middles.append((progress, pictures(display)))
        ticks.now = fade.started + FADE_S
        fade.step()
        assert fade.done
        assert fade.veils == []
        after = pictures(display)
        for screen in range(6):
            assert differ(first[screen], before[screen]) <= TOLERANCE, f"screen {screen} jumped"
            assert differ(before[screen], after[screen]) > 60, f"screen {screen}: nothing changed"
            for progress, shown in middles:
                old = 1 - ease_in_out(progress)
                blend = np.rint(before[screen] * old + after[screen] * (1 - old))
                assert differ(shown[screen], blend) <= TOLERANCE, f"screen {screen} at {progress}"
    finally:
        display.close()


def test_a_change_during_a_fade_starts_from_what_the_screens_show(folder: Path) -> None:
    ticks = Ticks()
    display = wall(folder, "tour", ticks)
    try:
        ticks.now += 10
        display.advance()
        fade = fading(display)
        ticks.now = fade.started + FADE_S / 2
        fade.step()
        fade.step()
        QApplication.processEvents()  # the halfway blend is painted on every screen
        halfway = pictures(display)
        display.step("next")  # the next fade starts from the pixels on the screens
        assert fade.done, "the first fade is lifted"
        assert fading(display) is not fade
        assert display.scene.loaded.path.stem == "three"
        for screen, shown in enumerate(pictures(display)):
            assert differ(shown, halfway[screen]) <= TOLERANCE, f"screen {screen} jumped"
    finally:
        display.close()


def test_the_screens_take_turns_and_each_is_at_the_instant_s_opacity_on_its_turn(folder: Path) -> None:
    """Each frame asks every other screen to repaint its blend: the even screens, then the odd ones; a
    screen waiting for its turn keeps the blend it has, one frame old."""
    ticks = Ticks()
    display = wall(folder, "tour", ticks)
    try:
        ticks.now += 10
        display.advance()
        fade = fading(display)
        asked: list[int] = []
        for index, veil in enumerate(fade.veils):
            veil.update = functools.partial(asked.append, index)  # type: ignore[method-assign]
        opacities = []
        for frame in range(1, 5):
            ticks.now = fade.started + frame * FADE_S / 10
            fade.step()
            opacities.append([veil.opacity for veil in fade.veils])
        assert asked == [0, 2, 4, 1, 3, 5, 0, 2, 4, 1, 3, 5]
        at = [1 - ease_in_out(frame / 10) for frame in range(1, 5)]
        even = [at[0], at[0], at[2], at[2]]  # frame by frame
        odd = [1.0, at[1], at[1], at[3]]
        assert opacities == [pytest.approx([e, o, e, o, e, o]) for e, o in zip(even, odd, strict=True)]
    finally:
        display.close()


def test_the_old_picture_is_read_back_as_painted(folder: Path) -> None:
    """What the fade starts from, read from the windows' backing stores, is what the screens were drawn
    with: every screen's own part, none shifted."""
    ticks = Ticks()
    display = wall(folder, "tour", ticks)
    try:
        QApplication.processEvents()
        drawn = pictures(display)
        backing = [painted(view) for view in display.windows.canvas_views()]
        read = [as_array(picture.toImage()) for picture in backing if picture is not None]
        assert len(read) == 6, "read back, not drawn again"
        assert [differ(a, b) for a, b in zip(read, drawn, strict=True)] == [0] * 6
        assert len({picture.tobytes() for picture in read}) == 6, "each screen shows its own text"
    finally:
        display.close()


def test_a_cut_shows_the_new_scene_at_once(folder: Path) -> None:
    ticks = Ticks()
    display = wall(folder, "cuts", ticks)  # scene two, then scene one by a cut
    try:
        ticks.now += 10
        display.advance()
        assert display.windows.fade is None
        assert display.scene.loaded.path.stem == "one"
        cut = pictures(display)
        display.step("previous")  # back to two: the show's cross-fade
        fade = fading(display)
        ticks.now = fade.started + FADE_S
        fade.step()
        display.step("next")  # one again, by its cut
        for screen, shown in enumerate(pictures(display)):
            assert differ(shown, cut[screen]) <= TOLERANCE
    finally:
        display.close()


def census() -> Counter[str]:
    """Live objects by type, once what Qt was told to delete is deleted, and the wall's widgets."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    text_layouts.forget_layouts()
    gc.collect()
    kinds = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    kinds["qt widgets"] = len(QApplication.allWidgets())
    return kinds


def test_two_hundred_scene_changes_leave_nothing_behind(folder: Path, wall_loop: WallLoop) -> None:
    """Cuts and cross-fades, half of them interrupted: the same objects live before and after."""
    ticks = Ticks()
    display = wall(folder, "tour", ticks)

    def change(number: int) -> None:
        ticks.now += 10  # the scene is over
        display.advance()
        if number % 2 and display.windows.fade is not None:
            ticks.now += FADE_S  # every other fade plays to its end, the others are cut short
            display.windows.fade.step()
        QApplication.processEvents()

    try:
        for number in range(6):  # every scene shown once: code and caches that stay are loaded
            change(number)
        wall_loop.run_until_complete(asyncio.sleep(0))
        before = census()
        tasks_before = len(asyncio.all_tasks(wall_loop))
        for number in range(200):
            change(number)
        wall_loop.run_until_complete(asyncio.sleep(0))
        after = census()
        grown = {kind: after[kind] - before[kind] for kind in after if after[kind] > before[kind]}
        grown.pop("logging.LogRecord", None)  # pytest keeps every line the test logs ("scene 2: Two")
        ours = {kind: n for kind, n in grown.items() if kind.startswith(("wallapp.", "PySide6.", "qt "))}
        assert ours == {}, f"left behind by 200 scene changes: {ours}"
        # Other objects (the loop's, the log's) come and go; a leak of one per change would be 200 of a kind.
        assert max(grown.values(), default=0) < 200, sorted(grown.items(), key=lambda kv: -kv[1])[:5]
        assert len(asyncio.all_tasks(wall_loop)) == tasks_before
    finally:
        display.close()
