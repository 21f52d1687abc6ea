"""SIGKILL at random moments during a burst of writes: every file the wall keeps still loads, and nothing
acknowledged is lost. The figures are in docs/reliability.md."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from burst_writer import SIZES, generation_of, picture_is_whole
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from pytestqt.qtbot import QtBot
from servers import serving

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.core.data.store import LastGood, Store
from wallapp.core.durable import sweep
from wallapp.demo_server import create_app
from wallapp.qt.views import ScreenView
from wallapp.qt.widgets import WidgetState

HERE = Path(__file__).resolve().parent
SEED = 14
KILLS = 40
LINES_BEFORE_KILL = (1, 40)
KILL_WITHIN_S = 0.012
"""The kill comes after a number of acknowledged writes, then a delay of up to two generations of writes
(both drawn from the seeded generator), while the writer goes on as fast as it can: it lands anywhere in
a write, its flush, its sync or its rename. The delay is the random moment itself, not a wait for
something to happen: without it the kill would always land just after an acknowledgement."""


def test_sigkill_during_a_burst_of_writes_never_leaves_a_file_that_does_not_load(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    acknowledged: dict[str, int] = {}
    leftovers = checked = 0
    for _ in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, str(HERE / "burst_writer.py"), str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == "started\n", writer.communicate()[1]
        for _ in range(rng.randint(*LINES_BEFORE_KILL)):
            name, generation = writer.stdout.readline().split()
            acknowledged[name] = int(generation)
        time.sleep(rng.uniform(0, KILL_WITHIN_S))
        os.kill(writer.pid, signal.SIGKILL)
        _, err = writer.communicate()
        assert writer.returncode == -signal.SIGKILL
        assert err == ""  # no write failed, nothing was said

        leftovers += len([*tmp_path.glob(".*.tmp"), *tmp_path.glob("images/.*.tmp")])
        sweep(tmp_path / "images")  # as the image cache does when the wall starts (the stores: at load)
        for name in SIZES:
            if name not in acknowledged:
                continue
            store = Store(name, capacity=500, cache_path=tmp_path / f"{name}.json")
            assert store.load(), f"{name}.json does not load"
            assert generation_of(store) >= acknowledged[name]  # whole, one generation, none lost
            checked += 1
        for image in (tmp_path / "images").glob("image-*"):
            assert picture_is_whole(image.read_bytes()), f"{image.name} is not whole"
            checked += 1
        assert not [*tmp_path.glob("**/*.corrupt-*")]
    assert checked > KILLS * 3
    print(f"\n{KILLS} kills, {checked} files checked, {leftovers} temporary files left by kills, none lost")


def live_hub(layouts: Path, folder: Path, base: str) -> Path:
    """The shipped live hub, its backend at ``base``."""
    layout = json.loads((layouts / "hub-live.json").read_text().replace("http://127.0.0.1:8765", base))
    layout["$schema"] = str(layouts / "layout.schema.json")
    (folder / "assets").symlink_to(layouts / "assets")
    path = folder / "hub-live.json"
    path.write_text(json.dumps(layout), encoding="utf-8")
    return path


def test_a_wall_killed_during_its_writes_shows_every_widget_s_last_data_at_once_on_restart(
    layouts: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    rng = random.Random(SEED)
    stores = load_settings().cache_dir / "stores"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with serving(create_app(seed=3, tick=0.2, rate=20)) as base:
        path = live_hub(layouts, tmp_path, base)
        for _ in range(3):  # three runs of the wall, each killed while it writes what its sources bring
            before = {file: file.stat().st_mtime_ns for file in stores.glob("*.json")}
            wall = subprocess.Popen(
                [sys.executable, "-m", "wallapp", "run", str(path)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )

            def writing(before: dict[Path, int] = before) -> bool:
                now = {file: file.stat().st_mtime_ns for file in stores.glob("*.json")}
                return len(now) == 5 and now != before

            try:
                qtbot.waitUntil(writing, timeout=60_000)
                time.sleep(rng.uniform(0, 2.0))  # the random moment of the kill, as in the test above
            finally:
                wall.kill()
            _, err = wall.communicate(timeout=30)
            assert wall.returncode == -signal.SIGKILL
            assert "Traceback" not in err
    # The backend is gone: whatever the restarted wall shows comes from what the killed one kept.
    saved = {LastGood.model_validate_json(file.read_bytes()).source for file in stores.glob("*.json")}
    assert saved == {"people", "trends", "activity", "posts", "care"}

    display = WallDisplay(load_settings(), str(path))
    try:
        items = [item for item in display.scene.items_by_id.values() if item.spec.source is not None]
        assert len(items) == 10
        display.show()
        views = display.windows.views
        qtbot.waitUntil(lambda: all(view.drawn for view in views), timeout=30_000)  # the first frame
        for item in items:  # all drawn with data, none waiting for it
            assert item.state is WidgetState.READY, item.spec.id
        first: Any = display.scene.items_by_id
        assert first["mentions"].value > 1000
        assert first["headlines"].tape.items[0].startswith("@")
        picture = QImage(5772 // 4, 2166 // 4, QImage.Format.Format_RGB32)
        painter = QPainter(picture)
        for view in views:
            assert isinstance(view, ScreenView)
            cell = view.cell.rect
            target = QRectF(cell.x / 4, cell.y / 4, cell.width / 4, cell.height / 4)
            painter.drawImage(target, view.grab().toImage())
        painter.end()
        picture.save(str(tmp_path / "restarted-first-frame.png"))
    finally:
        display.close()
