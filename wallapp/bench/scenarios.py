"""The measurements, each on a wall that is running: its windows shown, its sources fed by the local stream.

Every scenario resets the frame meter, lets the wall run, and summarises what the meter saw. Times are
reported in milliseconds.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from wallapp.app import WallDisplay
from wallapp.bench import memory as memory_probe
from wallapp.bench import stats
from wallapp.bench.feed import FeedServer
from wallapp.bench.frames import FrameMeter, Heartbeat
from wallapp.bench.receipts import Receipts
from wallapp.bench.wall import post_feeds
from wallapp.core.data.store import Store
from wallapp.core.timing import Ticks
from wallapp.live.control import server
from wallapp.qt import text
from wallapp.qt.crossfade import CrossFade
from wallapp.qt.scene import WallScene

log = logging.getLogger(__name__)

FRAME_BUDGET_MS = 1000 / 60
SETTLE = 0.5
HOST_PACE_S = 3.0
"""The cross-fades' steps come no faster than this, as from a host's clicker at its fastest (a host talks
for many seconds a scene): the scene the next step shows has been built ahead by then, as it is for a
host."""
"""Seconds a new rate or layout is left to settle before measuring."""


@dataclass
class Rig:
    """The wall under measurement and its instruments."""

    display: WallDisplay
    meter: FrameMeter
    receipts: Receipts
    server: FeedServer
    client: httpx.AsyncClient

    def post_stores(self) -> list[Store]:
        loaded = self.display.opened.loaded
        sources = self.display.feeds.use(loaded)  # the same stores: the layout has not changed
        return [sources[name][0] for name in post_feeds(loaded) if name in sources]

    def follow_windows(self) -> None:
        """Watch the windows shown now (a switch to another grid opens new ones)."""
        if self.meter.windows != list(self.display.windows.views):
            self.meter.watch(self.display.windows.views)


def frame_figures(meter: FrameMeter, seconds: float) -> dict[str, Any]:
    frames = stats.group_frames(meter.repaints)
    paint = stats.summarize(stats.ms([f.cost for f in frames]))
    work = stats.summarize(stats.ms(stats.work_per_frame(frames)))
    interval = stats.summarize(stats.ms(stats.intervals(frames)))
    return {
        "frames": len(frames),
        "fps": round(len(frames) / seconds, 1) if seconds else None,
        "screens_per_frame": round(sum(len(f.screens) for f in frames) / len(frames), 2) if frames else None,
        "cost_ms": paint.as_dict() if paint else None,
        "work_ms": work.as_dict() if work else None,
        "interval_ms": interval.as_dict() if interval else None,
    }


async def steady(rig: Rig, rate: float, seconds: float, *, latency: bool = True) -> dict[str, Any]:
    """The wall running with posts arriving at ``rate``: frame cost, data-to-pixel latency, memory."""
    await set_rate(rig, rate)
    clock = rig.meter.clock
    arrivals: list[tuple[float, float]] = []
    seen: set[str] = set()

    def told(store: Store) -> None:  # after the widgets: they subscribed when the scene was built
        now = clock()
        for record in store.records():
            if record.id not in seen and record.id in rig.receipts.times:
                seen.add(record.id)
                arrivals.append((rig.receipts.times[record.id], now))

    unsubscribe = [store.subscribe(told) for store in rig.post_stores()] if latency else []
    rig.receipts.clear()
    rig.receipts.recording = latency
    rig.meter.reset()
    start = clock()
    memory: list[tuple[float, float]] = []
    while (elapsed := clock() - start) < seconds:
        if (rss := memory_probe.rss_bytes()) is not None:
            memory.append((elapsed, rss / memory_probe.MB))
        await asyncio.sleep(min(1.0, max(0.0, seconds - elapsed)))
    elapsed = clock() - start
    for stop in unsubscribe:
        stop()
    result = frame_figures(rig.meter, elapsed)
    result["rate"] = rate
    result["received_per_s"] = round(rig.receipts.count / elapsed, 1)
    if latency:
        found = stats.summarize(stats.ms(stats.latencies(arrivals, stats.group_frames(rig.meter.repaints))))
        result["latency_ms"] = found.as_dict() if found else None
    result["memory"] = memory_figures(memory)
    rig.receipts.clear()
    return result


BREAKDOWN_EVERY = 60.0
"""Seconds between two rows of the soak's memory breakdown."""


async def soak(rig: Rig, rate: float, seconds: float) -> dict[str, Any]:
    """The wall left running at ``rate`` for a long time, the bench keeping nothing per frame or per post
    (its records would grow with the run): RSS every second, a breakdown of it every minute."""
    await set_rate(rig, rate)
    rig.receipts.recording = False
    rig.meter.recording = False
    rig.meter.reset()
    rig.receipts.clear()
    clock = rig.meter.clock
    start = clock()
    memory: list[tuple[float, float]] = []
    breakdown: list[dict[str, Any]] = []
    try:
        while (elapsed := clock() - start) < seconds:
            if (rss := memory_probe.rss_bytes()) is not None:
                memory.append((elapsed, rss / memory_probe.MB))
            if elapsed >= len(breakdown) * BREAKDOWN_EVERY:
                breakdown.append(memory_probe.sample(elapsed, rig.display.images))
                log.info("memory: %s", breakdown[-1])  # the soak's progress, with --verbose
            await asyncio.sleep(min(1.0, max(0.0, seconds - elapsed)))
        elapsed = clock() - start
        breakdown.append(memory_probe.sample(elapsed, rig.display.images))
        frames = rig.meter.counted
    finally:
        rig.meter.recording = True
    return {
        "rate": rate,
        "seconds": round(elapsed, 1),
        "received_per_s": round(rig.receipts.count / elapsed, 1),
        "repaints_per_s": round(frames / elapsed, 1),
        "memory": memory_figures(memory),
        "breakdown": breakdown,
    }


async def set_rate(rig: Rig, rate: float, longest: float = 20.0) -> None:
    """Change the stream's rate, then wait for the wall to be through what was sent before (a backlog
    left by a rate the wall could not keep up with would count against the next scenario)."""
    await rig.server.set_rate(rig.client, rate)
    await asyncio.sleep(SETTLE / 2)
    deadline = rig.meter.clock() + longest
    while rig.meter.clock() < deadline:
        rig.receipts.clear()
        await asyncio.sleep(SETTLE / 2)
        if rig.receipts.count <= rate * SETTLE / 2 * 1.5 + 5:
            return


MEMORY_MIN_SECONDS = 300
"""Below this, a slope says more about caches filling than about a leak: no growth figure is given."""


def memory_figures(samples: Sequence[tuple[float, float]]) -> dict[str, Any]:
    if not samples:
        return {"rss_start_mb": None, "rss_end_mb": None, "growth_mb_per_hour": None, "seconds": 0}
    # The first half is warm-up (caches filling towards their bounds, the store reaching its capacity):
    # the growth that matters for weeks of running is the steady state's.
    kept = [s for s in samples if s[0] >= samples[-1][0] / 2] or list(samples)
    # (the last sample of a 300 s run lands just under 300 s)
    growth = stats.growth_per_hour(kept) if samples[-1][0] >= MEMORY_MIN_SECONDS * 0.95 else None
    return {
        "rss_start_mb": round(samples[0][1], 1),
        "rss_end_mb": round(samples[-1][1], 1),
        "growth_mb_per_hour": None if growth is None else round(growth, 2),
        "seconds": round(samples[-1][0], 1),
    }


async def full_repaints(rig: Rig, count: int) -> dict[str, Any]:
    """Every screen repainted whole, ``count`` times: the cost of a frame where everything changed."""
    costs: list[float] = []
    for _ in range(count):
        start = rig.meter.clock()
        for view in rig.display.windows.canvas_views():
            view.viewport().update()
        repaints = await rig.meter.complete(start)
        costs.append(sum(r.end - r.start for r in repaints))
        await asyncio.sleep(0.02)
    found = stats.summarize(stats.ms(costs))
    return {"cost_ms": found.as_dict() if found else None}


def passes(step: dict[str, Any]) -> bool:
    """A rate is kept up with when the loop's work per frame stays in the frame budget (p95) and the
    wall takes in what is sent."""
    work, cost = step.get("work_ms"), step.get("cost_ms")
    return bool(
        work
        and cost
        and work["p95"] < FRAME_BUDGET_MS
        and cost["p95"] < FRAME_BUDGET_MS
        and step["received_per_s"] >= 0.9 * step["rate"]
    )


async def ingest_ramp(rig: Rig, rates: Sequence[float], seconds: float, must: float) -> dict[str, Any]:
    """Rates in increasing order until one is not kept up with (``must`` is measured whatever happens)."""
    steps: list[dict[str, Any]] = []
    for rate in sorted(rates):
        step = await steady(rig, rate, seconds, latency=False)
        step["ok"] = passes(step)
        steps.append(step)
        if not step["ok"] and rate >= must:
            break
    highest = stats.highest_passing((step["rate"], step["ok"]) for step in steps)
    return {"steps": steps, "highest_ok_rate": highest}


def census(rig: Rig) -> dict[str, int]:
    """Live Python objects, canvases and their items, and widgets (windows).

    What fills with time rather than with switches is let go of first: the bench's records of repaints,
    and the wall's bounded caches (text layouts, decoded pictures). Timers of stopped sources that the
    loop still holds until they were due (qasync lets go of a cancelled timer only then) are counted
    apart.
    """
    rig.meter.reset()
    text.forget_layouts()
    rig.display.images.forget()
    gc.collect()
    objects = gc.get_objects()
    scenes = [o for o in objects if isinstance(o, WallScene)]
    return {
        "python_objects": len(objects),
        "cancelled_timers": sum(1 for o in objects if isinstance(o, asyncio.Handle) and o.cancelled()),
        "scenes": len(scenes),
        "scene_items": sum(len(scene.items()) for scene in scenes),
        "qt_widgets": len(QApplication.allWidgets()),
    }


def blank_screens(display: WallDisplay) -> list[int]:
    """Screens showing nothing but the background although widgets are placed on them."""
    scene = display.scene
    background = scene.backgroundBrush().color().rgb() | 0xFF000000
    blank = []
    for index, view in enumerate(display.windows.canvas_views()):
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        if not any(item.sceneBoundingRect().intersects(shown) for item in scene.items_by_id.values()):
            continue
        image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
        if np.count_nonzero(pixels != background) < 0.001 * pixels.size:
            blank.append(index)
    return blank


async def switching(rig: Rig, layouts: Sequence[Path], count: int, check_every: int = 10) -> dict[str, Any]:
    """``count`` switches between ``layouts`` in turn: time to the first complete frame of the new one,
    blank screens in it, and what is left in memory afterwards."""
    display = rig.display
    started_on = display.layout
    # One untimed round trip first: a layout's first showing loads code (pyqtgraph for a chart) that then
    # stays, as it would on the wall.
    for layout in [*layouts, started_on]:
        display.layout = str(layout)
        display.reload()
        rig.follow_windows()
        await rig.meter.complete(rig.meter.clock())
    await asyncio.sleep(SETTLE)
    before = census(rig)
    times: list[float] = []
    holds: list[float] = []
    checked = blank = 0
    heartbeat = Heartbeat(rig.meter.clock)
    beating = asyncio.ensure_future(heartbeat.beat())
    try:
        for number in range(count):
            display.layout = str(layouts[(number + 1) % len(layouts)])
            await asyncio.sleep(0.002)  # a beat: the hold measured starts with the switch
            heartbeat.reset()
            start = rig.meter.clock()
            if not display.reload():
                raise RuntimeError(f"the bench could not switch to {display.layout}")
            rig.follow_windows()
            repaints = await rig.meter.complete(start)
            await asyncio.sleep(0.002)  # the beat after the new frame: its turn's hold is counted
            times.append(max(r.end for r in repaints) - start)
            holds.append(heartbeat.held())
            if number % check_every == 0 or number == count - 1:
                checked += 1
                blank += bool(blank_screens(display))
            await asyncio.sleep(0.05)
    finally:
        beating.cancel()
    # Back to the layout it started on, and the loop given time to delete what was replaced.
    if display.layout != started_on:
        display.layout = started_on
        display.reload()
        rig.follow_windows()
    await asyncio.sleep(SETTLE)
    after = census(rig)
    found = stats.summarize(stats.ms(times))
    return {
        "switches": count,
        "switch_ms": found.as_dict() if found else None,
        "longest_hold_ms": held.as_dict() if (held := stats.summarize(stats.ms(holds))) else None,
        "frames_checked": checked,
        "blank_frames": blank,
        "before": before,
        "after": after,
    }


async def crossfades(rig: Rig, show: Path, count: int) -> dict[str, Any]:
    """A show stepped ``count`` times, each scene cross-fading in: the time from the step to the fade's
    first frame (the first blend painted once the new scene's pictures are drawn and the fade's clock
    runs), and the cost of every frame from the step until the fade is over."""
    display = rig.display
    await display.play(str(show))
    rig.follow_windows()
    fade_s = display.playing.loaded.show.transition.seconds if display.playing else 0.0
    await asyncio.sleep(fade_s + SETTLE)
    switches: list[float] = []
    frames: list[stats.Frame] = []
    fading = 0.0
    start = -HOST_PACE_S
    for _ in range(count):
        await asyncio.sleep(max(0.0, start + HOST_PACE_S - rig.meter.clock()))
        rig.meter.reset()
        start = rig.meter.clock()
        display.step("next")
        fade = display.windows.fade
        if fade is None:
            repaints = await rig.meter.complete(start)
        else:  # the fade's first frame: the screens' blends begin in turns
            repaints = await rig.meter.complete(await _began(fade, rig.meter.clock), screens=1)
        switches.append(max(r.end for r in repaints) - start)
        while fade is not None and not fade.done:
            await asyncio.sleep(0.05)
        fading += rig.meter.clock() - start
        frames += stats.group_frames(rig.meter.repaints)
        await asyncio.sleep(SETTLE)
    cost = stats.summarize(stats.ms([frame.cost for frame in frames]))
    switch = stats.summarize(stats.ms(switches))
    return {
        "fades": count,
        "fade_s": fade_s,
        "switch_ms": switch.as_dict() if switch else None,
        "frames": len(frames),
        "fps": round(len(frames) / fading, 1) if fading else None,
        "cost_ms": cost.as_dict() if cost else None,
    }


async def _began(fade: CrossFade, clock: Ticks) -> float:
    """When ``fade``'s clock started (its new pictures drawn), read on ``clock``."""
    if fade.started is not None or fade.done:
        return clock()
    began: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def note() -> None:
        if not began.done():
            began.set_result(clock())

    fade.began.connect(note)
    return await began


def _round_trips(url: str, token: str, count: int) -> list[float]:
    """``count`` status requests, one after the other, as ``wallapp ctl status`` makes them."""
    times = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, trust_env=False) as client:
        for _ in range(count):
            start = time.perf_counter()
            client.get("/status").raise_for_status()
            times.append(time.perf_counter() - start)
            time.sleep(0.02)
    return times


async def control_round_trips(rig: Rig, count: int) -> dict[str, Any]:
    """The control API's status read ``count`` times over HTTP on 127.0.0.1 while the wall runs, from a
    client thread (a terminal's ``wallapp ctl`` is another process: its own work is not the wall's)."""
    token = secrets.token_urlsafe(24)
    async with server.serving(rig.display.control, token, "127.0.0.1", 0) as url:
        if url is None:
            return {"requests": 0, "round_trip_ms": None}
        times = await asyncio.to_thread(_round_trips, url, token, count)
    found = stats.summarize(stats.ms(times))
    return {"requests": count, "round_trip_ms": found.as_dict() if found else None}
