"""PySide6 regressions the wall depends on being absent. 6.12.0 on Python 3.11 crashes (`Fatal Python error:
none_dealloc`) within seconds of painting: every call from C++ into a Python override such as ``paint`` drops
a reference to ``None``. 6.11 leaks a weak reference per ``QTimer.singleShot(delay, bound_method)``."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import PySide6

STRESS = textwrap.dedent(
    """
    import sys
    from wallapp.app import build_scene, open_layout
    from wallapp.core.config.settings import load_settings
    from wallapp.qt import snapshot
    from wallapp.qt.application import application

    application(headless=True)
    scene = build_scene(open_layout(load_settings(), "hub"))
    snapshot.render(scene, 0.1)
    before = sys.getrefcount(None)
    for _ in range(150):  # about 14,000 Python paint() calls from C++
        snapshot.render(scene, 0.1)
    print(before - sys.getrefcount(None))
    """
)


def test_the_installed_pyside6_is_not_the_crashing_one() -> None:
    version = tuple(int(part) for part in PySide6.__version__.split(".")[:2])
    if sys.version_info < (3, 12):
        assert version < (6, 12), f"PySide6 {PySide6.__version__} crashes on Python 3.11: keep the pin"


def test_painting_many_frames_keeps_none_alive() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", STRESS],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # The broken binding loses one reference to None per override call: thousands here, long before a crash.
    lost = int(result.stdout.strip())
    assert lost < 500


def test_store_notifications_scheduled_on_the_qt_loop_leave_nothing_behind(qtbot: Any) -> None:
    """PySide6 6.11 keeps a weak reference for every ``QTimer.singleShot(delay, bound_method)``: the store
    scheduler, called for every change, must not leak one per post."""
    from wallapp.core.data.records import Post
    from wallapp.core.data.store import Store
    from wallapp.qt.scene import next_frame

    handed: list[Callable[[], None]] = []
    store = Store("posts", schedule=handed.append)
    told: list[int] = []
    store.subscribe(lambda _store: told.append(1))
    store.update([Post(id="p")], as_of=datetime(2026, 3, 1, tzinfo=UTC))
    (notify,) = handed  # what the store hands its scheduler: a bound method

    def references() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if type(o) is weakref.ReferenceType)

    before = references()
    for _ in range(500):
        next_frame(notify)
    qtbot.waitUntil(lambda: len(told) == 500, timeout=5000)
    assert references() - before < 50


def test_a_scene_let_go_while_its_widgets_start_moving_leaves_none_of_them_alive(qapp: Any) -> None:
    """PySide6 6.11 never frees the callable of a ``QTimer.singleShot(0, context, callable)`` whose context
    goes before it fires: a widget that started moving in the scene's last turn (a ticker's headline, a
    post wall's page) stayed alive, with its records and pictures, every time the wall switched layouts
    (the fault soak's leak: 1,000 records a step)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from wallapp.app import build_scene, open_layout
    from wallapp.core.config.settings import load_settings

    scene = build_scene(open_layout(load_settings(), "hub"))
    items = list(scene.items_by_id.values())
    for item in items:
        item.animate(True)  # as a widget does when its data moves it: the switch comes in the same turn
    alive = [weakref.ref(item) for item in items]
    scene.dispose()
    scene.deleteLater()
    del scene, items, item
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qapp.processEvents()
    gc.collect()
    assert [ref() for ref in alive if ref() is not None] == []
