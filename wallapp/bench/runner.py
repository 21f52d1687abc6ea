"""Runs every scenario on one wall, offscreen at the installed wall's full resolution.

In order: start-up (child processes, before anything else loads the machine); then one wall fed by the
local stream: ``hub`` (the layout given) at 10 posts/s with a full repaint of every screen, the ingest
ramp (whose 2,000 posts/s step is the firehose), ``lobby``, repeated switching, a show's cross-fades, and
the control API's status round trip, all at 10 posts/s.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import PySide6

from wallapp import __version__
from wallapp.app import Opened, WallDisplay, open_layout
from wallapp.bench import editor, nodes, scenarios, startup
from wallapp.bench.feed import feed_server
from wallapp.bench.frames import FrameMeter
from wallapp.bench.receipts import Receipts, ReceiptTransport
from wallapp.bench.stats import FIREHOSE_RATE, parse_rates
from wallapp.bench.wall import fed_copy, offscreen_platform
from wallapp.core.config.settings import Settings
from wallapp.errors import WallError
from wallapp.live.network import Network
from wallapp.qt.application import application
from wallapp.qt.loop import event_loop

HUB_RATE = 10.0
FULL_REPAINTS = 30
FADES = 10
"""Cross-fades measured at most (fewer when ``--switches`` asks for fewer switches)."""
FADE_S = 1.0
STATUS_REQUESTS = 200
EDITOR_MOVES = 240
"""Pointer moves of the editor's drag (four seconds of a 60 Hz mouse)."""
SCENARIOS = (
    "startup",
    "nodes",
    "hub",
    "soak",
    "ingest",
    "lobby",
    "switching",
    "crossfade",
    "control",
    "editor",
)
"""In the order they run; ``--only`` picks some. The soak runs when given a length (``--soak``); the nodes
(a wall of three PCs, in processes of their own) where Mosquitto is installed."""
IN_PROCESS = {"hub", "soak", "ingest", "lobby", "switching", "crossfade", "control", "editor"}
"""The scenarios measured on a wall in this process."""


def named_layout(settings: Settings, name: str) -> Opened | None:
    try:
        return open_layout(settings, name)
    except WallError:
        return None


def other_layout(settings: Settings, measured: Opened) -> Opened | None:
    """A shipped layout of the same grid to switch to and from (another grid would re-plan the windows)."""
    for name in settings.layouts().names():
        try:
            other = open_layout(settings, name)
        except WallError:
            continue
        if (
            other.loaded.path != measured.loaded.path
            and other.loaded.layout.grid == measured.loaded.layout.grid
        ):
            return other
    return None


def fading_show(path: Path, layouts: list[Path]) -> Path:
    """A show of ``layouts`` held until stepped, each cross-fading in (``FADE_S``)."""
    scenes = [{"layout": str(layout), "duration": "hold"} for layout in layouts]
    show = {
        "name": "Bench cross-fades",
        "transition": {"kind": "crossfade", "seconds": FADE_S},
        "scenes": scenes,
    }
    path.write_text(json.dumps(show), encoding="utf-8")
    return path


def parse_scenarios(text: str | None) -> tuple[str, ...]:
    if not text:
        return SCENARIOS
    chosen = {name.strip() for name in text.split(",") if name.strip()}
    if unknown := sorted(chosen - set(SCENARIOS)):
        raise WallError(f"--only: no scenario {', '.join(unknown)} (there are {', '.join(SCENARIOS)})")
    return tuple(name for name in SCENARIOS if name in chosen)


def run(
    settings: Settings,
    layout: str | None,
    seconds: float,
    switches: int,
    ramp: str = "2000",
    only: str | None = None,
    soak: float = 0.0,
) -> dict[str, Any]:
    """Measure ``layout`` (the settings' default) and return the results (see ``report``)."""
    rates = parse_rates(ramp)
    chosen = parse_scenarios(only)
    if seconds <= 0 or switches < 1 or soak < 0:
        raise WallError("--seconds must be above 0, --switches at least 1 and --soak not below 0")
    if soak == 0:
        chosen = tuple(name for name in chosen if name != "soak")
    with tempfile.TemporaryDirectory(prefix="wallapp-bench-") as temporary:
        folder = Path(temporary)
        settings = settings.model_copy(update={"cache_dir": folder / "cache", "window": False})
        opened = open_layout(settings, layout)
        lobby = named_layout(settings, "lobby")
        partner = other_layout(settings, opened)
        if settings.renderer != "opengl":  # offscreen has no OpenGL: forced, it runs on the display's screens
            os.environ["QT_QPA_PLATFORM"] = offscreen_platform(settings.wall, folder)
        started = (
            startup.measure(str(opened.loaded.path), folder / "startup-cache", settings.wall)
            if "startup" in chosen
            else []
        )
        editor_opened = (
            startup.measure(
                str(opened.loaded.path), folder / "editor-cache", settings.wall, probe="wallapp.bench.editor"
            )
            if "editor" in chosen
            else []
        )
        several = (
            nodes.measure(opened, _name(partner or opened), folder / "nodes", seconds, switches)
            if "nodes" in chosen
            else None
        )
        results: dict[str, Any] = {}
        if IN_PROCESS & set(chosen):
            app = application(headless=True)
            loop = event_loop(app)
            asyncio.set_event_loop(loop)
            with loop:
                results = loop.run_until_complete(
                    _measure(settings, opened, lobby, partner, folder, seconds, switches, rates, chosen, soak)
                )
        if several is not None:
            results["nodes"] = several
        if started:
            results["startup"] = _runs(started)
        if editor_opened and "editor" in results:
            results["editor"]["open"] = _runs(editor_opened)
    canvas = opened.loaded.wall.canvas
    return {
        "wallapp_bench": 1,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "pyside6": PySide6.__version__,
            "platform": platform.platform(),
            "wallapp": __version__,
        },
        "layout": str(opened.loaded.path),
        "canvas": [int(canvas.width), int(canvas.height)],
        "screens": opened.loaded.wall.columns * opened.loaded.wall.rows,
        "screen": list(opened.loaded.wall.screen_size),
        "seconds": seconds,
        "scenarios": results,
    }


async def _measure(
    settings: Settings,
    opened: Opened,
    lobby: Opened | None,
    partner: Opened | None,
    folder: Path,
    seconds: float,
    switches: int,
    rates: list[float],
    chosen: tuple[str, ...],
    soak: float,
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    receipts = Receipts()
    with feed_server(HUB_RATE) as server:
        main = fed_copy(opened.loaded, server.stream_url, folder / "main")
        second = fed_copy((lobby or opened).loaded, server.stream_url, folder / "second")
        # Switching alternates with a layout of the same grid: another grid would re-plan the windows.
        third = fed_copy((partner or opened).loaded, server.stream_url, folder / "third")
        transport = ReceiptTransport(receipts)
        async with httpx.AsyncClient(transport=transport, follow_redirects=True, trust_env=False) as client:
            display = WallDisplay(settings, str(main), on_quit=lambda: None)
            meter = FrameMeter()
            meter.watch(display.windows.views)
            rig = scenarios.Rig(display, meter, receipts, server, client)
            try:
                first = meter.clock()
                display.show()
                await meter.complete(first)
                display.feeds.start(Network(client=client))
                if "hub" in chosen:
                    results["hub"] = await scenarios.steady(rig, HUB_RATE, seconds)
                    results["hub"]["full_repaint"] = await scenarios.full_repaints(rig, FULL_REPAINTS)
                if "soak" in chosen:
                    results["soak"] = await scenarios.soak(rig, HUB_RATE, soak)
                if "ingest" in chosen:
                    ramp = await scenarios.ingest_ramp(rig, rates, max(1.0, seconds / 4), FIREHOSE_RATE)
                    results["ingest"] = ramp
                    results["firehose"] = next(s for s in ramp["steps"] if s["rate"] == FIREHOSE_RATE)
                if "lobby" in chosen:
                    display.layout = str(second)
                    display.reload()
                    rig.follow_windows()
                    results["lobby"] = await scenarios.steady(rig, HUB_RATE, seconds)
                    results["lobby"]["layout"] = str((lobby or opened).loaded.path)
                    results["lobby"]["note"] = "" if lobby else "no lobby layout: the layout given, again"
                    display.layout = str(main)
                    display.reload()
                    rig.follow_windows()
                if "switching" in chosen:
                    results["switching"] = await scenarios.switching(rig, [third, main], switches)
                    results["switching"]["layouts"] = [
                        str((partner or opened).loaded.path),
                        str(opened.loaded.path),
                    ]
                fades = min(FADES, switches)
                results |= await _running_the_show(
                    rig, chosen, fading_show(folder / "fades.json", [main, third]), fades
                )
                if "editor" in chosen:
                    await scenarios.set_rate(rig, HUB_RATE)
                    network = Network(client=client)
                    results["editor"] = await editor.drags(settings, main, network, EDITOR_MOVES)
            finally:
                await display.feeds.stop()
                meter.close()
                display.close()
    return results


def _name(opened: Opened) -> str:
    """A layout's name as ``wallapp run`` takes it (its file's, in the layouts' folder)."""
    return opened.loaded.path.stem


def _runs(seconds: list[float]) -> dict[str, Any]:
    median = sorted(seconds)[len(seconds) // 2]
    return {"runs_s": [round(s, 3) for s in seconds], "median_s": round(median, 3)}


async def _running_the_show(
    rig: scenarios.Rig, chosen: tuple[str, ...], show: Path, fades: int
) -> dict[str, Any]:
    """A show's cross-fades, and the control API's round trip, at the hub's rate (those ``chosen``)."""
    results: dict[str, Any] = {}
    if "crossfade" in chosen:
        await scenarios.set_rate(rig, HUB_RATE)
        results["crossfade"] = await scenarios.crossfades(rig, show, fades)
        await rig.display.switch(str(rig.display.opened.loaded.path))  # the show stops where it is
        rig.follow_windows()
    if "control" in chosen:
        await scenarios.set_rate(rig, HUB_RATE)
        results["control"] = await scenarios.control_round_trips(rig, STATUS_REQUESTS)
    return results
