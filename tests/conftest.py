"""Test setup: the whole session runs on six real offscreen QScreens laid out as the hub's 3 x 2 wall."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from PySide6.QtWidgets import QApplication

from wallapp.qt.loop import WallLoop, event_loop

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Must be set before pytest-qt creates the QApplication: Qt reads the platform once.
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={HERE / 'six-screens.json'}"
os.environ.pop("WALLAPP_CONFIG", None)
# A kiosk under test must not hold off the developer's own screen saver: no session bus (test_power starts
# a private one).
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)

# Property tests draw the same examples on every run (a failure in CI is one anyone can replay), a few
# hundred at most, with no deadline: a loaded 2-core machine makes timings meaningless. A longer hunt,
# by hand: HYPOTHESIS_PROFILE=long (new examples each run, fifty times as many).
settings.register_profile("wall", derandomize=True, database=None, max_examples=200, deadline=None)
settings.register_profile("long", database=None, max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "wall"))


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Caches, logs and config go to a temporary home, never the developer's."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in [n for n in os.environ if n.startswith("WALLAPP_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def layouts() -> Path:
    return ROOT / "layouts"


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[str, object], Path]:
    """Write a JSON document (text or object) into the test's folder and return its path."""

    def write(name: str, content: object) -> Path:
        path = tmp_path / name
        path.write_text(
            content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8"
        )
        return path

    return write


_WALL_LOOP: list[WallLoop] = []
"""The session's loop once made (``wall_loop``)."""


@pytest.fixture(autouse=True)
def _wall_loop_stays_current() -> Iterator[None]:
    """After each test, the session's loop is the thread's current one again: an ``async def`` test
    (pytest-asyncio) runs on a loop of its own and leaves none current, and the wall's code that is
    not in a coroutine (a Qt slot starting a task) asks for the current one."""
    yield
    if _WALL_LOOP and not _WALL_LOOP[0].is_closed():
        asyncio.set_event_loop(_WALL_LOOP[0])


@pytest.fixture(scope="session")
def wall_loop(qapp: QApplication) -> Iterator[WallLoop]:
    """One asyncio loop on Qt's for the whole session, as in the app (one per process).

    qasync loops must not come and go: a closed loop collected later leaves Qt a timer that points at
    freed memory, and a later test crashes in Qt's event dispatch.
    """
    loop = event_loop(qapp)
    asyncio.set_event_loop(loop)
    _WALL_LOOP.append(loop)
    yield loop
    _WALL_LOOP.clear()
    # Once, at the very end: stop the worker threads (decoding, to_thread) and close.
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run_async(wall_loop: WallLoop) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine to completion on the session's loop."""
    run: Callable[[Coroutine[Any, Any, Any]], Any] = wall_loop.run_until_complete  # qasync is untyped
    return run
