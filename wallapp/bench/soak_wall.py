"""The fault soak's wall, in a child process of the bench: ``python -m wallapp.bench.soak_wall``.

It runs the real wall (``WallDisplay`` serving its sources through the installation's network, as
``wallapp run`` does) on the offscreen screens the bench configured, switches between the layouts given
every ``--switch-every`` seconds, and every ``--sample-every`` seconds renders the whole canvas and checks
each widget's rectangle: a line ``SAMPLE {json}`` on stdout. The log goes to stderr, every line of it
(INFO included), for the bench to count. A crash of the wall ends this process, which the bench sees.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import logging
import os
import sys
import threading
import time
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QImage

from wallapp import logs
from wallapp.app import WallDisplay
from wallapp.bench import memory
from wallapp.core.config.settings import load_settings
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.qt.application import application
from wallapp.qt.loop import event_loop
from wallapp.qt.scene import WallScene
from wallapp.qt.snapshot import render, save
from wallapp.qt.widgets.base import WidgetItem, WidgetState

log = logging.getLogger(__name__)

SCALE = 0.25
"""The canvas is rendered at a quarter of its size for the check: text and panels still show."""
ONE_COLOUR = 0.995
"""A widget's rectangle whose most common colour covers this share of it shows nothing: blank."""


def blank_widgets(
    scene: WallScene, scale: float = SCALE, picture: Path | None = None
) -> tuple[list[str], int]:
    """The widgets whose rectangle in the rendered canvas is one colour only (a background or an empty
    panel), and how many widgets were checked; ``picture``: where to save the rendered canvas too."""
    image = render(scene, scale).convertToFormat(QImage.Format.Format_RGB32)
    if picture is not None:
        save(image, picture)
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=width * height).reshape(height, width)
    blank = []
    for widget_id, item in scene.items_by_id.items():
        rect = item.sceneBoundingRect()
        left, top = max(0, int(rect.left() * scale)), max(0, int(rect.top() * scale))
        right, bottom = min(width, int(rect.right() * scale)), min(height, int(rect.bottom() * scale))
        region = pixels[top:bottom, left:right]
        if region.size == 0:
            blank.append(widget_id)
            continue
        _, counts = np.unique(region, return_counts=True)
        if counts.max() >= ONE_COLOUR * region.size:
            blank.append(widget_id)
    return blank, len(scene.items_by_id)


def why_blank(scene: WallScene, widget_id: str) -> dict[str, Any]:
    """What a widget found blank was doing: its state, whether it was drawn from its cached picture, and
    whether it is still blank painted afresh (a stale picture, or nothing to paint)."""
    item = scene.items_by_id[widget_id]
    cached = item.cacheMode() is not WidgetItem.CacheMode.NoCache
    item.setCacheMode(WidgetItem.CacheMode.NoCache)
    try:
        again, _ = blank_widgets(scene)
    finally:
        item.setCacheMode(
            WidgetItem.CacheMode.DeviceCoordinateCache if cached else WidgetItem.CacheMode.NoCache
        )
    return {"state": item.state.value, "cached": cached, "blank_painted_afresh": widget_id in again}


def not_showing_data(scene: WallScene) -> list[str]:
    """The widgets not in the ready state: waiting for their source, or unable to show it."""
    return [widget_id for widget_id, item in scene.items_by_id.items() if item.state is not WidgetState.READY]


class Soak:
    """The switches and the samples, on the wall's own loop."""

    def __init__(
        self, display: WallDisplay, layouts: list[str], sample_every: float, pictures: Path | None = None
    ) -> None:
        self.display = display
        self.pictures = pictures
        self.layouts = layouts
        self.sample_every = sample_every
        self.start = time.monotonic()
        self.switches = 0
        self.switch_failures = 0
        self.samples = 0

    def switch(self) -> None:
        self.switches += 1
        target = self.layouts[self.switches % len(self.layouts)]
        try:
            self.display.put_layout(target)
        except Exception as error:  # counted and told: the soak goes on with the layout shown
            self.switch_failures += 1
            log.error("soak: the switch to %s failed: %s", target, error)

    def sample(self) -> dict[str, Any]:
        self.samples += 1
        started = time.monotonic()
        picture = None if self.pictures is None else self.pictures / f"sample-{self.samples:04d}.png"
        blank, checked = blank_widgets(self.display.scene, picture=picture)
        return {
            "t": round(started - self.start, 1),
            "layout": self.display.opened.loaded.path.name,
            "switches": self.switches,
            "switch_failures": self.switch_failures,
            "widgets": checked,
            "blank": blank,
            "why_blank": {w: why_blank(self.display.scene, w) for w in blank},
            "not_ready": not_showing_data(self.display.scene),
            "sources": {name: found.state.value for name, found in self.display.feeds.freshness().items()},
            "check_s": round(time.monotonic() - started, 3),
            "memory": breakdown(started - self.start, self.display),
        }


def breakdown(elapsed: float, display: WallDisplay) -> dict[str, Any]:
    """Where the wall's memory is at a sample: the C heap, pictures, text layouts, the interpreter's
    objects (and the ten most numerous kinds), threads and open files, so that a step in the process's
    size can be put down to one of them."""
    found = memory.sample(elapsed, display.images)
    everything = gc.get_objects()
    kinds = collections.Counter(type(thing).__name__ for thing in everything)
    found["most_objects"] = dict(kinds.most_common(10))
    census = Census(everything)
    found |= census.records()
    found |= census.widgets({id(item) for item in display.scene.items_by_id.values()})
    found["threads"] = threading.active_count()
    try:
        found["open_files"] = len(os.listdir("/proc/self/fd"))
    except OSError:  # not Linux
        found["open_files"] = None
    return found


HOLDERS_SAMPLE = 20
"""How many of the records alive outside the stores are traced to what holds them, at a sample."""


class Census:
    """The interpreter's objects at one instant, and what holds those that should not be alive: records
    outside every store, widgets outside the scene shown. A leak is named in the sample that shows it."""

    def __init__(self, everything: list[Any]) -> None:
        self.everything = everything
        self._owners: dict[int, Any] = {}
        self._attributes: dict[int, dict[str, Any]] = {}
        """Each object's attribute dict by its id, kept alive so that no other object takes its id."""
        for thing in everything:
            try:
                attributes = vars(thing)
            except Exception:  # no __dict__, or one that refuses to be read (pydantic's placeholders)
                continue
            self._owners[id(attributes)] = thing
            self._attributes[id(attributes)] = attributes
        self._mine = {id(everything), id(self._owners), id(self._attributes)}
        """The census's own containers, which hold everything it looks at."""

    def of(self, kind: type) -> list[Any]:
        found = [thing for thing in self.everything if issubclass(type(thing), kind)]  # dead Qt proxies too
        self._mine.add(id(found))
        return found

    def records(self) -> dict[str, Any]:
        """Records the stores hold, and those alive outside any store (a leak grows the second)."""
        held = {id(record) for store in self.of(Store) for record in store.held()}
        loose = [record for record in self.of(Record) if id(record) not in held]
        self._mine.add(id(loose))
        return {
            "records_in_stores": len(held),
            "records_elsewhere": len(loose),
            "records_elsewhere_held_by": self.holders(loose[:: max(1, len(loose) // HOLDERS_SAMPLE)]),
        }

    def widgets(self, shown: set[int]) -> dict[str, Any]:
        """Widgets alive, and what holds those not in the scene shown (a scene let go keeps none)."""
        items = self.of(WidgetItem)
        gone = [item for item in items if id(item) not in shown]
        self._mine.add(id(gone))
        return {"widgets_alive": len(items), "widgets_elsewhere_held_by": self.holders(gone[:HOLDERS_SAMPLE])}

    def holders(self, things: Sequence[Any]) -> dict[str, int]:
        """What holds ``things``, as ``container in Owner.attribute`` and how many of them each holds."""
        self._mine.add(id(things))
        found: collections.Counter[str] = collections.Counter()
        for thing in things:
            containers = gc.get_referrers(thing)
            self._mine.add(id(containers))
            for container in containers:
                if id(container) in self._mine or isinstance(container, types.FrameType):
                    continue
                found[f"{type(container).__name__} in {self.held_in(container)}"] += 1
        return dict(found.most_common(5))

    def held_in(self, container: Any) -> str:
        """Where ``container`` is held: ``Owner.attribute`` for an object's attribute, else the holder's
        kind (``frame``: a function running or suspended)."""
        outers = gc.get_referrers(container)
        places = []
        for outer in outers:
            attributes = self._attributes.get(id(outer))
            if attributes is not None and attributes is outer:
                owner = self._owners[id(outer)]
                for name, value in attributes.items():  # a loop, not a comprehension: no cell holding it
                    if value is container:
                        places.append(f"{type(owner).__name__}.{name}")
            elif isinstance(outer, types.FrameType):
                places.append(f"frame of {outer.f_code.co_qualname}")
            elif id(outer) not in self._mine and outer is not outers:
                places.append(type(outer).__name__)
        return ", ".join(sorted(places)[:3]) or "?"


async def _run(display: WallDisplay, soak: Soak, seconds: float, switch_every: float) -> None:
    quitting = asyncio.Event()
    serving = asyncio.ensure_future(display.serve(quitting))
    next_switch = switch_every
    next_sample = soak.sample_every
    try:
        while (elapsed := time.monotonic() - soak.start) < seconds:
            if serving.done():
                serving.result()  # the wall stopped serving: its error ends the process
                raise RuntimeError("the wall stopped serving")
            # A sample due with a switch is taken first: the scene switched to in the same loop turn has
            # not drawn its data yet (the second soak counted its widgets as blank).
            if elapsed >= next_sample:
                print("SAMPLE " + json.dumps(soak.sample()), flush=True)
                next_sample += soak.sample_every
            if elapsed >= next_switch:
                soak.switch()
                next_switch += switch_every
            await asyncio.sleep(max(0.05, min(next_switch, next_sample, seconds) - elapsed))
        print("SAMPLE " + json.dumps(soak.sample() | {"last": True}), flush=True)
    finally:
        quitting.set()
        await serving


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m wallapp.bench.soak_wall")
    parser.add_argument("layouts", nargs="+")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--switch-every", type=float, required=True)
    parser.add_argument("--sample-every", type=float, required=True)
    parser.add_argument("--pictures", type=Path, help="save each sample's rendered canvas in this folder")
    args = parser.parse_args(argv)
    logs.configure(None, verbose=True)
    settings = load_settings().model_copy(update={"window": False})
    app = application(headless=True)
    loop = event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        display = WallDisplay(settings, args.layouts[0], on_quit=lambda: None)
        soak = Soak(display, args.layouts, args.sample_every, args.pictures)
        display.show()
        print("READY", flush=True)
        try:
            loop.run_until_complete(_run(display, soak, args.seconds, args.switch_every))
        finally:
            display.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
