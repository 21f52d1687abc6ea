"""Start-up: from the process starting to the end of the first complete frame on every screen.

The parent notes the time and starts ``python -m wallapp.bench.startup LAYOUT WALL``, which opens the wall as
``wallapp run`` does (its sources running) and prints the time its first complete frame ended. Both read
``time.perf_counter``, the system's monotonic clock on Linux, so the two readings compare.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from wallapp.app import WallDisplay
from wallapp.bench.frames import FrameMeter
from wallapp.bench.stats import Repaint
from wallapp.core.config.settings import load_settings
from wallapp.core.view.geometry import WallSpec
from wallapp.qt.application import application
from wallapp.qt.loop import event_loop

GIVE_UP_S = 100.0
"""A probe still without a complete frame this long after it started ends (the parent waits 120 s)."""


def measure(
    layout: str, cache_dir: Path, wall: WallSpec, runs: int = 3, probe: str = "wallapp.bench.startup"
) -> list[float]:
    """Seconds from process start to first complete frame of ``layout`` on ``wall``, ``runs`` times (the
    first without cached data); ``probe``: the module that opens the window and prints when its first
    frame ended (the editor's too)."""
    env = dict(os.environ, WALLAPP_CACHE_DIR=str(cache_dir))
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", probe, layout, wall.model_dump_json()],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        lines = done.stdout.split()
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"the start-up probe failed: {done.stderr.strip()[-500:]}")
        found.append(float(lines[-1]) - start)
    return found


def main() -> None:
    layout, wall = sys.argv[1:3]
    settings = load_settings()
    settings = settings.model_copy(update={"wall": WallSpec.model_validate_json(wall)})
    app = application(headless=True)
    loop = event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        quitting = asyncio.Event()
        display = WallDisplay(settings, layout, on_quit=quitting.set)
        meter = FrameMeter()
        meter.watch(display.windows.views)
        first = meter.expect(0.0, loop)

        def shown(future: asyncio.Future[list[Repaint]]) -> None:
            print(max(repaint.end for repaint in future.result()), flush=True)
            quitting.set()

        first.add_done_callback(shown)
        # A probe whose frame never comes (or whose parent was killed) must not run on: it gives up.
        loop.call_later(GIVE_UP_S, quitting.set)
        display.show()
        loop.run_until_complete(display.serve(quitting))
        meter.close()
        display.close()


if __name__ == "__main__":
    main()
