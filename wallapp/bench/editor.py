"""The layout editor measured: opening a layout (process start to the first painted canvas) and dragging
a widget across the wall (each pointer move handled and painted, as one frame).

A drag moves the widget's item and an outline, never rebuilding the scene: a frame is the pointer event
(snapping, the outline, the placement said in the status bar) and the repaint of what it changed. The
widget dragged is the layout's largest (the post wall on ``hub``): the costliest to move.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from wallapp.app import open_feeds, serving
from wallapp.bench import stats
from wallapp.bench.frames import FrameMeter
from wallapp.core.config.settings import Settings, load_settings
from wallapp.core.view.geometry import WallSpec
from wallapp.editing import open_editor
from wallapp.live.network import Network
from wallapp.qt.application import application
from wallapp.qt.editor.window import Asks, EditorWindow
from wallapp.qt.loop import event_loop
from wallapp.qt.scene import next_frame

WINDOW = (1600, 900)
"""The editor's window: an operator's desk monitor, docks included."""
GIVE_UP_S = 100.0
"""A probe still without its first frame this long after it started ends."""


def _no_dialogs() -> Asks:
    """The bench's answers: nothing is saved, nothing asked."""
    return Asks(
        open_path=lambda _parent, _folder: None,
        save_path=lambda _parent, _suggested: None,
        changed_on_disk=lambda _parent, _path: "cancel",
        unsaved=lambda _parent, _name: "discard",
        refused=lambda _parent, _what, _problems: None,
    )


async def drags(settings: Settings, layout: Path, network: Network, steps: int) -> dict[str, Any]:
    """Open ``layout`` in the editor (its sources fed through ``network``), then drag its largest widget
    across the wall and back in ``steps`` pointer moves, timing each."""
    feeds = open_feeds(settings, next_frame)
    meter = FrameMeter()
    began = meter.clock()
    window = open_editor(settings, str(layout), feeds, _no_dialogs())
    window.resize(*WINDOW)
    meter.watch([window])
    shown = meter.clock()
    window.show()
    await meter.complete(shown)
    opened_s = meter.clock() - began
    feeds.start(network)
    try:
        frames = await _drag(window, meter, steps)
    finally:
        window.stack.setClean()
        window.close()
        window.dispose()
        meter.close()
        await feeds.stop()
    cost = stats.summarize(stats.ms(frames))
    return {
        "layout": str(layout),
        "window": list(WINDOW),
        "open_in_process_s": round(opened_s, 3),
        "moves": steps,
        "frame_ms": cost.as_dict() if cost else None,
    }


async def _drag(window: EditorWindow, meter: FrameMeter, steps: int) -> list[float]:
    """Seconds each pointer move took: handled, then painted."""
    canvas, viewport = window.canvas, window.canvas.viewport()
    widget_id, rect = max(canvas.rects.items(), key=lambda item: item[1].width * item[1].height)
    canvas.select([widget_id])
    start = canvas.mapFromScene(QPointF(rect.x + rect.width / 2, rect.y + rect.height / 2))
    reach = viewport.width() * 0.6
    frames = []
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, steps + 1):
        across = reach * math.sin(math.pi * step / steps)  # over the wall and back
        point = start + QPoint(round(across), round(across / 8))
        began = meter.clock()
        QTest.mouseMove(viewport, point)
        painted = await meter.complete(began)
        frames.append(max(repaint.end for repaint in painted) - began)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    return frames


def main() -> None:
    """The opening probe (``python -m wallapp.bench.editor LAYOUT WALL``, the wall as JSON): prints when
    the first frame ended, on ``time.perf_counter``'s clock (the parent's, on Linux), then quits."""
    layout, wall = sys.argv[1:3]
    settings = load_settings().model_copy(update={"wall": WallSpec.model_validate_json(wall)})
    app = application(headless=True)
    loop = event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        quitting = asyncio.Event()
        feeds = open_feeds(settings, next_frame)
        window = open_editor(settings, layout, feeds, _no_dialogs())
        window.resize(*WINDOW)

        def painted() -> None:
            print(time.perf_counter(), flush=True)
            quitting.set()

        window.canvas.first_frame.connect(painted)
        loop.call_later(GIVE_UP_S, quitting.set)
        window.show()

        async def until_painted() -> None:
            async with serving(settings, feeds):
                await quitting.wait()

        loop.run_until_complete(until_painted())
        window.dispose()


if __name__ == "__main__":
    main()
