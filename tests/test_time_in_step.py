"""Nodes of one wall in step: the ticker at the same place at the same shared instant whenever each node
started, and a switch asked of a follower shown by every node at the instant announced (a real Mosquitto).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from brokers import mosquitto
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from relay_node import TOPIC
from servers import free_port, until

from wallapp.app import BUILD_AHEAD_S, WallDisplay
from wallapp.core import relay
from wallapp.core.ahead import MARGIN
from wallapp.core.config.nodes import BrokerOptions
from wallapp.core.config.settings import Settings, load_settings
from wallapp.core.timebase import Sample, TimeBase, estimate
from wallapp.live.broker import BrokerLink
from wallapp.live.feeds import Feeds
from wallapp.qt import snapshot
from wallapp.qt.switches import LATEST_S, Prepared, Switches
from wallapp.qt.widgets.ticker import TickerItem

SPEED = 200  # px/s
FRAME_S = 1 / 60
LATE_S = 0.25
"""How late after its instant a change may come on this shared machine (in-process nodes share one loop,
which a loaded machine delays for all of them alike): far less than the changes' spacing. That the nodes
agree with each other is held to two frames."""
NODES = {"a": [[0, 0], [1, 0]], "b": [[2, 0], [0, 1]], "c": [[1, 1], [2, 1]]}


def settings_of(tmp_path: Path, port: int, name: str) -> Settings:
    """Three nodes of two screens each; the layouts in ``tmp_path``."""
    config = tmp_path / f"{name}.toml"
    lines = [
        f'node = "{name}"',
        f'layouts_dirs = ["{tmp_path}"]',
        f'shows_dirs = ["{tmp_path}"]',
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\ntopic = "{TOPIC}"\nkeepalive_s = 1',
    ]
    lines += [f'[[nodes]]\nname = "{node}"\nscreens = {screens}' for node, screens in NODES.items()]
    config.write_text("\n".join(lines) + "\n")
    return load_settings(config)


def ticker_layout(tmp_path: Path, name: str = "ticker", row: int = 0) -> Path:
    """A ticker across a row of the wall, crossing the nodes' screens."""
    widget = {
        "id": "t",
        "kind": "ticker",
        "place": {"screen": [0, row], "span": [3, 1], "part": [0, 0.4, 1, 0.2]},
        "options": {"items": ["Network restored in Lyon", "New tariffs announced", "5G"], "speed": SPEED},
    }
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"name": name.title(), "widgets": [widget]}))
    return path


class PC:
    """A PC's clocks, as the test drives the true time ``at``: a monotonic clock since its boot and a
    wall clock ``wall_s`` off."""

    at = 0.0

    def __init__(self, boot: float, wall_s: float) -> None:
        self.boot, self.wall_s = boot, wall_s

    def ticks(self) -> float:
        return PC.at + self.boot

    def now(self) -> datetime:
        return datetime.fromtimestamp(1_795_000_000.0 + PC.at + self.wall_s, UTC)


def strip(display: WallDisplay) -> tuple[np.ndarray, float]:
    """The ticker's pixels on the canvas, and the canvas x of the first headline it shows."""
    item = display.scene.items_by_id["t"]
    assert isinstance(item, TickerItem)
    image = snapshot.render(display.scene, 0.5).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)
    box = item.sceneBoundingRect()
    rows = slice(round(box.top() / 2), round(box.bottom() / 2))
    offset, rect = item.offset(), item.strip_rect()
    first = item.tape.visible(offset, rect.width())[0]
    return pixels[rows, :, :3].astype(int), item.mapToScene(rect.topLeft()).x() + first.start - offset


@pytest.mark.usefixtures("qapp")
def test_the_ticker_is_at_the_same_place_on_two_nodes_that_started_apart(tmp_path: Path) -> None:
    path = ticker_layout(tmp_path)
    port = free_port()  # no broker: the offset is applied by hand
    a_pc, b_pc = PC(boot=100.0, wall_s=0.0), PC(boot=9_000.0, wall_s=-3.2)  # b's clock 3.2 s behind
    PC.at = 0.0
    a = WallDisplay(settings_of(tmp_path, port, "a"), str(path), now=a_pc.now, ticks=a_pc.ticks)
    strip(a)  # a shows its ticker from the start
    PC.at = 7.3
    b = WallDisplay(settings_of(tmp_path, port, "b"), str(path), now=b_pc.now, ticks=b_pc.ticks)
    strip(b)  # b starts 7.3 s later, its clock behind
    try:
        assert a.clock is not None
        assert b.clock is not None
        PC.at = 20.0
        apart, apart_x = strip(b)
        # b estimates its offset from a (an exact round trip) and applies it.
        leader = a.clock.ticks()
        found = estimate([Sample(b.clock.local(), leader, leader, b.clock.local())], "a")
        assert found is not None
        b.clock.adopt(found)
        assert b.status()["node"]["time"]["offset_ms"] == pytest.approx(3200.0)
        for at in (20.0, 20.0 + FRAME_S / 3, 31.37):
            PC.at = at
            (a_pixels, a_x), (b_pixels, b_x) = strip(a), strip(b)
            assert abs(a_x - b_x) <= SPEED * FRAME_S, at
            assert np.abs(a_pixels - b_pixels).mean() < 0.5, at
        # Without the offset, b's ticker was elsewhere: the test can tell.
        PC.at = 20.0
        assert abs(strip(a)[1] - apart_x) > SPEED * FRAME_S
        assert np.abs(strip(a)[0] - apart).mean() > 2
    finally:
        a.close()
        b.close()


def last(display: WallDisplay) -> dict[str, Any] | None:
    """The last switch the node showed, as its status says it."""
    switches = display.switches
    return switches.switched if switches is not None else None


async def show_in_step(displays: list[WallDisplay], follower: WallDisplay) -> None:
    """A show played from a follower: its first scene on at the instant announced, and its second on
    every node at the instant its playhead says (0.5 s later)."""
    scenes = [{"layout": "first", "duration": 0.5}, {"layout": "second", "duration": "hold"}]
    path = Path(follower.settings.shows_dirs[0]) / "duo.json"
    path.write_text(json.dumps({"name": "Duo", "scenes": scenes}))
    moved: dict[str, float] = {}
    back: dict[str, float] = {}
    for display in displays:

        def watch(display: WallDisplay = display) -> None:
            node = str(display.settings.node)
            scene = display.playing.head.scene if display.playing is not None else None
            if scene == 1:
                moved.setdefault(node, display.ticks())
            elif scene == 0 and node in moved:
                back.setdefault(node, display.ticks())

        display.watchers.append(watch)
    await follower.control.start_show("duo")
    await until(lambda: len(moved) == len(displays), "the second scene on every node")
    started = {d.playing.head.started for d in displays if d.playing is not None}
    assert len(started) == 1  # the same playhead on every node: the second scene's start
    end = started.pop()
    shown = last(follower)
    assert shown is not None
    assert end == pytest.approx(shown["at"] + 0.5)
    assert all(0 <= instant - end < LATE_S for instant in moved.values()), (end, moved)
    assert max(moved.values()) - min(moved.values()) < 2 * FRAME_S, moved
    assert all(d.opened.loaded.path.stem == "second" for d in displays)
    # The host steps back on another node (a presenter's key, the API): every node, at once.
    other = next(d for d in displays if d is not follower)
    await other.control.show_step("previous")
    await until(lambda: len(back) == len(displays), "the first scene again on every node")
    assert max(back.values()) - min(back.values()) < 2 * FRAME_S, back
    assert len({d.playing.head.started for d in displays if d.playing is not None}) == 1
    assert all(d.opened.loaded.path.stem == "first" for d in displays)
    # Blacked out from a third node's control API: every node.
    third = next(d for d in displays if d not in (follower, other))
    assert (await third.control.blank(True))[0]
    await until(lambda: all(d.control.status()["blank"] for d in displays), "every node blacked out")
    # Once the show is back on its second scene (held), its layout saved again (on every PC): every node
    # shows the new version.
    await until(lambda: all(d.opened.loaded.path.stem == "second" for d in displays), "the second scene")
    second = Path(follower.settings.layouts_dirs[0]) / "second.json"
    second.write_text(second.read_text().replace('"Second"', '"Second again"'))
    await until(
        lambda: all(d.opened.loaded.layout.name == "Second again" for d in displays), "the new version"
    )


@pytest.mark.usefixtures("qapp")
def test_a_switch_asked_of_a_follower_is_shown_by_every_node_at_the_instant_announced(
    tmp_path: Path, run_async: Callable[[Coroutine[Any, Any, Any]], Any]
) -> None:
    ticker_layout(tmp_path, "first", row=0)
    ticker_layout(tmp_path, "second", row=1)
    with mosquitto(tmp_path / "broker") as broker:
        displays = [WallDisplay(settings_of(tmp_path, broker.port, name), "first") for name in NODES]

        async def scenario() -> None:
            quitting = asyncio.Event()
            serving = [asyncio.ensure_future(display.serve(quitting)) for display in displays]
            try:
                links = [display.link for display in displays]
                assert all(link is not None for link in links)

                def settled() -> bool:
                    leaders = [link.leading for link in links if link is not None]
                    timed = [link.clock.estimate is not None for link in links if link and not link.leading]
                    return leaders.count(True) == 1 and timed == [True, True]

                await until(settled, "one leader, and the followers on its time base")
                follower = next(d for d in displays if d.link is not None and not d.link.leading)
                asked = time.monotonic()
                await follower.control.switch("second")  # as the control API asks it
                took = time.monotonic() - asked
                await until(
                    lambda: all((last(d) or {}).get("name") == "second" for d in displays),
                    "every node to show the second layout",
                )
                switched = [s for s in map(last, displays) if s is not None]
                assert len({s["id"] for s in switched}) == 1
                assert {s["by"] for s in switched} == {follower.settings.node}
                assert all(d.layout == "second" and d.opened.loaded.path.stem == "second" for d in displays)
                assert all(d.scene.items_by_id["t"].context.origin == switched[0]["at"] for d in displays)
                # Each node prepared the next scene when it heard the switch: ready before its instant.
                assert all(0 < s["ready_ms"] <= 300 for s in switched), switched
                # Shown at the instant announced, 0.3 s after it was asked, every node within two frames.
                assert took >= 0.25
                shown = [s["shown_at"] for s in switched]
                assert all(-1 < s["late_ms"] < 1000 * LATE_S for s in switched), switched
                assert max(shown) - min(shown) < 2 * FRAME_S, switched
                status = follower.status()["node"]
                assert status["switched"]["name"] == "second"
                assert status["time"]["leader"] in NODES
                # Each node's report says how long after its announcement it had the switch ready, and
                # every node hears it: what the next switch is announced ahead for.
                said = {s["ready_after_ms"] for s in switched}
                assert all(0 < ready_after < 300 + 1000 * LATE_S for ready_after in said), switched

                def told(display: WallDisplay) -> set[float | None]:
                    reports = display.link.reports.values() if display.link is not None else []
                    return {r.ready_after_ms for r in reports if r.switch == switched[0]["id"]}

                await until(lambda: all(told(d) == said for d in displays), "every node told of the switch")
                slowest = max(ready_after for ready_after in said if ready_after is not None) / 1000
                ahead = max(relay.SWITCH_AHEAD_S, slowest * MARGIN)
                assert all(d.link.ahead() == pytest.approx(ahead) for d in displays if d.link)
                await show_in_step(displays, follower)
            finally:
                quitting.set()
                await asyncio.gather(*serving)

        try:
            run_async(scenario())
        finally:
            for display in displays:
                display.close()


def seen(display: WallDisplay) -> tuple[object, ...]:
    """What a visitor sees of a node: its title, blacked out or not."""
    return display.status()["title"], display.control.blanked


async def black_and_tried(
    a: WallDisplay, b: WallDisplay, late_node: Callable[[], Coroutine[Any, Any, WallDisplay]], second: Path
) -> None:
    """``a`` leads, ``b`` follows; ``late_node`` starts a third node and waits until it shows what ``a``
    does."""
    # The wall blacked out from a follower, then an unsaved version of a layout tried on it
    # (the editor's Apply): a node that starts then is black too, and shows that version.
    assert (await b.control.blank(True))[0]
    await until(lambda: a.control.blanked and b.control.blanked, "the wall blacked out")
    c = await late_node()
    assert c.control.blanked
    assert "blank" in c.scene.overlays  # black over its screens
    document = json.loads(second.read_text()) | {"name": "Tried"}
    await b.control.try_layout("second", document)
    await until(lambda: a.status()["title"] == "Tried", "the version tried on a")
    c = await late_node()
    assert (c.layout, c.tried, c.origin) == ("second", document, a.origin)
    assert c.status()["title"] == "Tried"
    assert c.control.blanked  # still black, over the version tried too
    assert "blank" in c.scene.overlays


@pytest.mark.usefixtures("qapp")
def test_a_node_that_starts_while_the_wall_runs_shows_what_the_leader_shows(
    tmp_path: Path, run_async: Callable[[Coroutine[Any, Any, Any]], Any]
) -> None:
    ticker_layout(tmp_path, "first", row=0)
    ticker_layout(tmp_path, "second", row=1)
    scenes = [{"layout": "first", "duration": 600}, {"layout": "second", "duration": "hold"}]
    (tmp_path / "duo.json").write_text(json.dumps({"name": "Duo", "scenes": scenes}))
    with mosquitto(tmp_path / "broker") as broker:
        a, b = (WallDisplay(settings_of(tmp_path, broker.port, name), "first") for name in "ab")
        started: list[WallDisplay] = [a, b]

        async def scenario() -> None:
            quitting = asyncio.Event()
            serving = [asyncio.ensure_future(display.serve(quitting)) for display in (a, b)]

            async def late_node() -> WallDisplay:
                """c, started now with "first" on its command line, serving until it has shown that."""
                c = WallDisplay(settings_of(tmp_path, broker.port, "c"), "first")
                started.append(c)
                leaving = asyncio.Event()
                served = asyncio.ensure_future(c.serve(leaving))
                try:
                    await until(lambda: c.link is not None and c.link.status()["role"] == "follower", "c")
                    await until(lambda: seen(c) == seen(a), "c to show what a does")
                finally:
                    leaving.set()
                    await served
                return c

            try:
                await until(lambda: a.link is not None and a.link.leading, "a to lead")
                await until(lambda: b.link is not None and b.link.status()["role"] == "follower", "b")
                # Each node's schedule puts the second layout on: the follower's leaves it to the leader,
                # whose schedule announces it to every node.
                b.put_layout("second")
                assert not (b.switches and b.switches._announcing)  # nothing announced
                a.put_layout("second")
                await until(lambda: a.layout == b.layout == "second", "the leader's schedule on every node")
                c = await late_node()
                assert (c.layout, c.opened.loaded.path.stem) == ("second", "second")
                assert c.origin == a.origin == b.origin  # the ticker in phase with theirs
                # In the middle of a show, held at its second scene: at the same playhead.
                await b.control.start_show("duo")
                await a.control.show_step("next")
                await until(lambda: all(d.playing and d.playing.head.scene == 1 for d in (a, b)), "scene 2")
                c = await late_node()
                assert c.playing is not None
                assert a.playing is not None
                assert (c.playing.head, c.playing.name, c.control.blanked) == (a.playing.head, "duo", False)
                await black_and_tried(a, b, late_node, tmp_path / "second.json")
            finally:
                quitting.set()
                await asyncio.gather(*serving)

        try:
            run_async(scenario())
        finally:
            for display in started:
                display.close()


def test_a_switch_is_shown_once_and_never_later_than_a_few_seconds(qtbot: QtBot) -> None:
    PC.at = 0.0
    clock = PC(boot=0.0, wall_s=0.0)
    base = TimeBase(clock.ticks, lambda: clock.now().timestamp())
    shown: list[str] = []

    def prepare(message: relay.Switch) -> Prepared:
        return (lambda: shown.append(message.id)), None

    switches = Switches(base, prepare)
    try:
        far = relay.Switch(id="far", by="b", kind="layout", name="x", at=base.ticks() + 3600)
        switches.heard(far)
        assert switches.pending()
        assert 0 < switches._at_instant.remainingTime() <= LATEST_S * 1000
        now = relay.Switch(id="now", by="b", kind="layout", name="y", at=base.ticks())
        switches.heard(now)  # replaces the one waiting
        switches.heard(now)  # heard twice: shown once
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
        assert shown == ["now"]
        assert switches.switched is not None
        assert switches.switched["id"] == "now"
        assert not switches.pending()
    finally:
        switches.close()


class WireLink(BrokerLink):
    """A node's link in this process, not connected: what it announces goes to ``announced``, for the test
    to hand to every node when it would hear it; reports are handed round by the test too."""

    def __init__(self, name: str, clock: TimeBase, announced: list[relay.Switch]) -> None:
        options = BrokerOptions(host="127.0.0.1", port=1883, topic=TOPIC)
        super().__init__(options, name, Feeds(None, leading=False), clock=clock)
        self.announced = announced

    async def announce(self, switch: relay.Switch) -> bool:
        self.announced.append(switch)
        return True


class Wire:
    """The nodes of a wall in this process, their true time driven (``PC.at``): each has a switch ready
    when it would have heard it and built the next scene (``build_s`` after its announcement), and shows
    it when its precise timer would fire: at the instant, or at once if it was ready only after it. (A
    plain asyncio loop runs the test, so the Qt timers never fire on their own.)"""

    def __init__(self, build_s: dict[str, float]) -> None:
        PC.at = 0.0
        pc = PC(boot=50.0, wall_s=0.0)
        self.build_s = build_s
        self.announced: list[relay.Switch] = []
        self.nodes: list[tuple[WireLink, Switches]] = []
        for name in build_s:
            clock = TimeBase(pc.ticks, lambda: pc.now().timestamp())
            switches = Switches(clock, lambda _: ((lambda: None), None))
            link = WireLink(name, clock, self.announced)

            def showing(switches: Switches = switches) -> tuple[str | None, dict[str, Any] | None]:
                return None, switches.switched

            link.showing = showing
            self.nodes.append((link, switches))

    async def switch(self, by: int, layout: str) -> tuple[relay.Switch, list[dict[str, Any]]]:
        """``layout`` asked of node ``by``, played out on every node; then their reports go round."""
        link, switches = self.nodes[by]
        asked = asyncio.ensure_future(switches.announce(link, "layout", layout))
        await until(lambda: bool(self.announced), "the switch announced")
        message = self.announced.pop()
        now = PC.at
        instant = now + message.at - link.clock.ticks()
        ready = [now + seconds for seconds in self.build_s.values()]
        events = [(at, 0, node) for node, at in enumerate(ready)]
        events += [(max(at, instant), 1, node) for node, at in enumerate(ready)]
        for at, what, node in sorted(events):
            PC.at = at
            if what == 0:
                self.nodes[node][1].heard(message)
            else:
                self.nodes[node][1].at_instant()  # its precise timer
        await asyncio.wait_for(asked, 1)
        for each, _ in self.nodes:
            report = each.report()
            for other, _ in self.nodes:
                other.reported(report)
        shown = [s.switched for _, s in self.nodes]
        assert all(s is not None and s["id"] == message.id for s in shown)
        return message, [s for s in shown if s is not None]

    def close(self) -> None:
        for _, switches in self.nodes:
            switches.close()


@pytest.mark.asyncio
@pytest.mark.usefixtures("qapp")
async def test_a_node_slow_to_build_has_the_next_switch_announced_further_ahead_and_all_in_step() -> None:
    wire = Wire({"a": 0.0, "b": 0.05, "c": 0.6})  # c's PC is busy: its next scene takes 0.6 s to build
    try:
        first, (a, b, c) = await wire.switch(1, "second")
        assert first.announced is not None
        assert first.at - first.announced == pytest.approx(relay.SWITCH_AHEAD_S)
        assert a["shown_at"] == b["shown_at"] == pytest.approx(first.at, abs=1e-6)  # a and b in time...
        assert c["ready_ms"] < 0  # ...c built it too late, and showed it late,
        assert c["late_ms"] == pytest.approx(600 - relay.SWITCH_AHEAD_S * 1000)
        assert c["ready_after_ms"] == pytest.approx(600)  # which its report says
        assert all(link.ahead() == pytest.approx(0.6 * MARGIN) for link, _ in wire.nodes)
        second, shown = await wire.switch(0, "first")  # asked of another node: it knows too
        assert second.announced is not None
        assert second.at - second.announced == pytest.approx(0.6 * MARGIN)
        assert all(s["ready_ms"] > 0 for s in shown)  # every node ready before the instant
        # And all show it at that instant.
        assert all(s["shown_at"] == pytest.approx(second.at, abs=1e-6) for s in shown)
        assert all(s["late_ms"] == 0 for s in shown)
    finally:
        wire.close()


def slow_to_build(
    nodes: list[WallDisplay], monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[tuple[str, float]]]:
    """Nodes on loaded PCs: building a scene takes each 0.6 s of the driven time. What each shows, and
    from when (the layout's name, the shared time), as it changes."""
    shown: dict[str, list[tuple[str, float]]] = {str(node.settings.node): [] for node in nodes}
    for node in nodes:
        build = node._build

        def slow(*args: Any, build: Callable[..., Any] = build) -> Any:
            scene = build(*args)
            PC.at += 0.6
            return scene

        monkeypatch.setattr(node, "_build", slow)

        def watch(node: WallDisplay = node) -> None:
            seen = shown[str(node.settings.node)]
            if not seen or seen[-1][0] != node.opened.loaded.path.stem:
                seen.append((node.opened.loaded.path.stem, node.ticks()))

        node.watchers.append(watch)
    return shown


@pytest.mark.usefixtures("qapp")
def test_a_shows_next_scene_is_built_ahead_and_comes_on_at_its_instant_on_every_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticker_layout(tmp_path, "first", row=0)
    ticker_layout(tmp_path, "second", row=1)
    scenes = [{"layout": "first", "duration": 10}, {"layout": "second", "duration": 10}]
    (tmp_path / "duo.json").write_text(json.dumps({"name": "Duo", "scenes": scenes, "end": "loop"}))
    port = free_port()  # no broker: each node is put on the leader's playhead as a late joiner is
    PC.at = 0.0
    pcs = {"a": PC(boot=100.0, wall_s=0.0), "b": PC(boot=9_000.0, wall_s=0.0)}  # NTP keeps the wall clocks
    nodes = [
        WallDisplay(settings_of(tmp_path, port, n), "first", now=pc.now, ticks=pc.ticks)
        for n, pc in pcs.items()
    ]
    shown = slow_to_build(nodes, monkeypatch)
    try:
        start = nodes[0].ticks()
        for node in nodes:
            node.follow_scene(relay.Scene(leader="a", kind="show", name="duo", started=start))
        instant = start + 10

        def at(instant: float) -> None:
            """The nodes' shared time at ``instant``, each node's show checked then."""
            PC.at += instant - nodes[0].ticks()
            for node in nodes:
                node.advance()

        at(instant - BUILD_AHEAD_S - 0.1)
        assert all(node.built_ahead is None for node in nodes)
        at(instant - BUILD_AHEAD_S + 0.1)  # each builds the second scene now, off screen
        built = [node.built_ahead for node in nodes]
        assert all(scene is not None and scene.loaded.path.stem == "second" for scene in built)
        assert all(node.opened.loaded.path.stem == "first" for node in nodes)
        at(instant - 0.001)
        assert all(node.opened.loaded.path.stem == "first" for node in nodes)
        at(instant + 1e-6)  # the instant: the scene built comes on, on every node, without a build
        assert [node.scene for node in nodes] == built
        assert all(node.scene.items_by_id["t"].context.origin == instant for node in nodes)
        assert all(seen[-1][0] == "second" for seen in shown.values())
        assert all(seen[-1][1] == pytest.approx(instant, abs=1e-5) for seen in shown.values())
        # The host holds the show while its next scene is being built: the scene built is let go of.
        at(instant + 10 - BUILD_AHEAD_S + 0.1)
        assert all(node.built_ahead is not None for node in nodes)
        for node in nodes:
            node.step("hold", at=node.ticks())
        assert all(node.built_ahead is None for node in nodes)
        at(instant + 10.5)
        assert all(node.opened.loaded.path.stem == "second" for node in nodes)
        assert all(node.scene.items_by_id["t"].context.origin == instant for node in nodes)
        # Resumed, the next scene comes on when the time it had left has run out, built ahead again.
        for node in nodes:
            node.step("resume", at=node.ticks())
        heads = {node.playing.head for node in nodes if node.playing is not None}
        assert len(heads) == 1
        end = heads.pop().started + 10
        at(end - BUILD_AHEAD_S + 0.1)
        assert all(node.built_ahead is not None for node in nodes)
        at(end + 1e-6)
        assert all(seen[-1][0] == "first" for seen in shown.values())
        assert all(seen[-1][1] == pytest.approx(end, abs=1e-5) for seen in shown.values())
    finally:
        for node in nodes:
            node.close()
