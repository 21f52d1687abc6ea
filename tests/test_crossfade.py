"""Scene changes under the six real screens: a cross-fade's every frame is the old picture, a blend, or the
new scene (never blank); a cut shows the new scene at once; switching many times leaves nothing behind."""

from __future__ import annotations

import asyncio
import functools
import gc
from collections import Counter
from collections.abc import Callable, Iterator
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
from wallapp.qt.crossfade import CrossFade, Veil, painted
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


Tour = tuple[WallDisplay, Ticks]


@pytest.fixture
def tour(folder: Path) -> Iterator[Tour]:
    """A wall playing the ``tour`` show on a driven clock, closed after the test."""
    ticks = Ticks()
    display = wall(folder, "tour", ticks)
    try:
        yield display, ticks
    finally:
        display.close()


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


def begun(fade: CrossFade) -> float:
    """The fade's new pictures drawn, one screen a step: when its clock started."""
    while fade.started is None:
        fade.step()
    return fade.started


def every_turn(fade: CrossFade) -> None:
    """One frame for each group of screens, each painted before the next: every veil at the opacity of
    this instant."""
    for _ in range(fade.turns):
        fade.step()
        for veil in fade.veils:
            veil.due = False


def on_screen(display: WallDisplay) -> list[Picture]:
    """What every window's backing store holds once the loop has painted what is due: what is on screen."""
    QApplication.processEvents()
    shown = [painted(view) for view in display.windows.canvas_views()]
    return [as_array(picture.toImage()) for picture in shown if picture is not None]


def test_every_frame_of_a_cross_fade_blends_the_old_picture_into_the_new_scene(tour: Tour) -> None:
    display, ticks = tour
    before = on_screen(display)  # painted: the fade starts from the pictures read back
    ticks.now += 10
    display.advance()
    fade = fading(display)
    first = pictures(display)  # the new scene is under every window, the old picture over it
    assert display.scene.loaded.path.stem == "two"
    started = begun(fade)
    middles = []
    for progress in (0.25, 0.5, 0.75):
        ticks.now = started + progress * FADE_S
        every_turn(fade)
        middles.append((progress, pictures(display)))
    ticks.now = started + FADE_S
    while not fade.done:  # the veils lift one screen a frame
        fade.step()
    assert fade.veils == []
    after = pictures(display)
    for screen in range(6):
        assert differ(first[screen], before[screen]) <= TOLERANCE, f"screen {screen} jumped"
        assert differ(before[screen], after[screen]) > 60, f"screen {screen}: nothing changed"
        for progress, shown in middles:
            old = 1 - ease_in_out(progress)
            blend = np.rint(before[screen] * old + after[screen] * (1 - old))
            assert differ(shown[screen], blend) <= TOLERANCE, f"screen {screen} at {progress}"


def test_a_change_during_a_fade_starts_from_what_the_screens_show(tour: Tour) -> None:
    display, ticks = tour
    QApplication.processEvents()
    ticks.now += 10
    display.advance()
    fade = fading(display)
    ticks.now = begun(fade) + FADE_S / 2
    every_turn(fade)
    halfway = on_screen(display)  # the halfway blend is painted on every screen
    assert len(halfway) == 6
    display.step("next")  # the next fade starts from the pixels on the screens
    assert fade.done, "the first fade is lifted"
    assert fading(display) is not fade
    assert display.scene.loaded.path.stem == "three"
    for screen, shown in enumerate(pictures(display)):
        assert differ(shown, halfway[screen]) <= TOLERANCE, f"screen {screen} jumped"


def test_the_screens_take_turns_and_each_is_at_the_instant_s_opacity_on_its_turn(tour: Tour) -> None:
    """Each frame asks a third of the screens to repaint their blend: 0 and 3, then 1 and 4, then 2 and 5;
    a screen waiting for its turn keeps the blend it has, one or two frames old."""
    display, ticks = tour
    ticks.now += 10
    display.advance()
    fade = fading(display)
    started = begun(fade)
    asked: list[int] = []
    for index, veil in enumerate(fade.veils):
        veil.update = functools.partial(painting, asked, index, veil)  # type: ignore[method-assign]
    opacities = []
    for frame in range(1, 5):
        ticks.now = started + frame * FADE_S / 10
        fade.step()
        opacities.append([veil.opacity for veil in fade.veils])
    assert asked == [0, 3, 1, 4, 2, 5, 0, 3]
    at = [1 - ease_in_out(frame / 10) for frame in range(1, 5)]
    first = [at[0], at[0], at[0], at[3]]  # screens 0 and 3, frame by frame
    second = [1.0, at[1], at[1], at[1]]  # 1 and 4
    third = [1.0, 1.0, at[2], at[2]]  # 2 and 5
    assert opacities == [
        pytest.approx([a, b, c, a, b, c]) for a, b, c in zip(first, second, third, strict=True)
    ]


def painting(asked: list[int], index: int, veil: Veil) -> None:
    """A veil asked to repaint, painted at once."""
    asked.append(index)
    veil.due = False


def test_a_turn_not_painted_yet_is_waited_for_one_frame_at_most(tour: Tour) -> None:
    """A late loop: the next group's blend waits for the last group's to be painted, so one frame does
    not paint both; a window that does not paint (not exposed) holds the fade back one frame only."""
    display, ticks = tour
    ticks.now += 10
    display.advance()
    fade = fading(display)
    ticks.now = begun(fade) + FADE_S / 10
    asked: list[int] = []
    for index, veil in enumerate(fade.veils):
        veil.update = functools.partial(asked.append, index)  # type: ignore[method-assign]
    fade.step()
    fade.step()  # 0 and 3 not painted yet: this frame is theirs
    assert asked == [0, 3]
    fade.step()  # still not painted: the fade goes on
    assert asked == [0, 3, 1, 4]
    fade.veils[0].due = fade.veils[3].due = False  # painted
    fade.veils[1].due = fade.veils[4].due = False
    fade.step()
    assert asked == [0, 3, 1, 4, 2, 5]


def test_the_new_scene_is_drawn_one_screen_a_turn_under_the_old_picture_then_the_clock_starts(
    tour: Tour,
) -> None:
    """Each turn of the loop draws one screen's new picture while every screen still shows the old one
    unchanged, however long that takes; the fade's clock starts when the last is drawn."""
    display, ticks = tour
    before = on_screen(display)
    ticks.now += 10
    display.advance()
    fade = fading(display)
    for screen in range(6):
        assert [veil.new is not None for veil in fade.veils] == [True] * screen + [False] * (6 - screen)
        assert [differ(a, b) for a, b in zip(pictures(display), before, strict=True)] == [0] * 6
        assert fade.progress == 0.0
        ticks.now += 0.5  # the drawing takes its time: the fade does not move meanwhile
        fade.step()
    assert fade.progress == 0.0
    ticks.now += FADE_S / 2
    assert fade.progress == 0.5, "the clock started with the last picture drawn"
    every_turn(fade)
    halfway = on_screen(display)
    assert min(differ(a, b) for a, b in zip(halfway, before, strict=True)) > 20, "every screen fades"


def test_once_over_the_veils_lift_one_screen_a_frame_onto_the_live_scene(tour: Tour) -> None:
    display, ticks = tour
    ticks.now += 10
    display.advance()
    fade = fading(display)
    veils = list(fade.veils)
    frames = display.scene.context.frames
    assert frames is not None
    held = [frames.held]  # what moves in the new scene does not repaint under the veils
    ticks.now = begun(fade) + FADE_S
    held.append(frames.held)
    for lifted in range(1, 7):
        fade.step()
        held.append(frames.held)
        assert [veil.isVisible() for veil in veils] == [False] * lifted + [True] * (6 - lifted)
    assert fade.done
    assert held == [True, True] + [False] * 6  # moving from the first screen the live scene is on
    assert display.windows.fade is fade  # until the next change lets go of it


def test_the_old_picture_is_read_back_as_painted(tour: Tour) -> None:
    """What the fade starts from, read from the windows' backing stores, is what the screens were drawn
    with: every screen's own part, none shifted."""
    display, _ = tour
    QApplication.processEvents()
    drawn = pictures(display)
    backing = [painted(view) for view in display.windows.canvas_views()]
    read = [as_array(picture.toImage()) for picture in backing if picture is not None]
    assert len(read) == 6, "read back, not drawn again"
    assert [differ(a, b) for a, b in zip(read, drawn, strict=True)] == [0] * 6
    assert len({picture.tobytes() for picture in read}) == 6, "each screen shows its own text"


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
        ticks.now = begun(fade) + FADE_S
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
        fade = display.windows.fade
        if number % 2 and fade is not None:  # every other fade plays to its end, the others are cut short
            ticks.now = begun(fade) + FADE_S
            while not fade.done:
                fade.step()
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
