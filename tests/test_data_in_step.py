"""Data in step on the nodes of one wall: what the data sets moving (the post wall's pages and glides, the
figures counting, the ranking's rows, the spotlight's turns, a ticker's new headlines) is timed from the
shared instant the data changed on the leader, so a follower that hears of it later draws the same picture at
the same instant.

Two scenes of one layout, as two nodes build them (the same scene origin on the shared time base), each
bound to its own store: the leader's stamps its changes with the shared clock; the follower's takes the
leader's records and instant as the broker relays them (``relay.Relayed``, encoded and decoded), later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from wallapp.app import build_scene, open_layout
from wallapp.core import relay
from wallapp.core.config.settings import load_settings
from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.data.records import Metric, Person, Post, Record
from wallapp.core.data.store import Store
from wallapp.qt import snapshot
from wallapp.qt.scene import WallScene
from wallapp.qt.widgets import posts
from wallapp.qt.widgets.kpi import KpiItem

pytestmark = pytest.mark.usefixtures("qapp")
ORIGIN = 1_795_000_000.0
"""The scene's start on the shared time base (seconds since the epoch)."""
DWELL = 4.0
SCALE = 0.25
"""The pictures compared: a quarter of the canvas's size."""
WIDGETS = [
    {
        "id": "wall",
        "kind": "posts",
        "source": "posts",
        "place": {"screen": [0, 0], "span": [2, 1]},
        "options": {"columns": 4, "rows": 2, "dwell": DWELL},
    },
    {
        "id": "rate",
        "kind": "kpi",
        "source": "kpis",
        "place": {"screen": [2, 0], "part": [0, 0, 1, 0.4]},
        "options": {"label": "Response rate", "metric": "rate", "format": "percent"},
    },
    {
        "id": "top",
        "kind": "ranking",
        "source": "people",
        "place": {"screen": [2, 0], "part": [0, 0.4, 1, 0.6]},
        "options": {"limit": 4},
    },
    {"id": "hero", "kind": "spotlight", "source": "posts", "place": {"screen": [0, 1]}},
]


def post(n: int) -> Post:
    return Post(
        id=f"p{n}",
        handle=f"user{n}",
        author_name=f"User {n}",
        text=f"Post number {n} about #Fibre and the network",
        created_at=datetime.fromtimestamp(ORIGIN, UTC) - timedelta(minutes=n + 2),
        reach=10 * (n + 3),
        lang="en",
    )


SOURCES = {
    "posts": {"kind": "demo"},
    "kpis": {"kind": "demo", "feed": "kpis"},
    "people": {"kind": "demo", "feed": "influencers"},
}


def feed(newest: int, rate: float, order: list[int]) -> dict[str, list[Record]]:
    """Each source's records: eight posts from ``newest`` on, the rate figure, four people ranked in
    ``order``."""
    people = [Person(id=f"u{i}", name=f"Person {i}", handle=f"person{i}", reach=1000 * i) for i in range(4)]
    return {
        "posts": [post(n) for n in range(newest, newest + 8)],
        "kpis": [Metric(name="rate", value=rate)],
        "people": [p.model_copy(update={"rank": order.index(i) + 1}) for i, p in enumerate(people)],
    }


def layout(write_json: Any, widgets: list[dict[str, Any]] = WIDGETS) -> Any:
    document = {"name": "Data", "sources": SOURCES, "widgets": widgets}
    return open_layout(load_settings(), str(write_json("data.json", document)))


class Node:
    """A node's scene of the layout at the shared time ``Node.at``, bound to its own store."""

    at = ORIGIN

    def __init__(self, write_json: Any, leader: bool, widgets: list[dict[str, Any]] = WIDGETS) -> None:
        # The leader stamps its changes with the shared clock; the follower takes the leader's instants.
        self.stores = {name: Store(name, clock=(lambda: Node.at) if leader else None) for name in SOURCES}
        self.scene: WallScene = build_scene(
            layout(write_json, widgets),
            now=lambda: datetime.fromtimestamp(Node.at, UTC),
            sources={name: (store, live) for name, store in self.stores.items()},
            ticks=lambda: Node.at,
            origin=ORIGIN,
        )
        self.relayed = {name: relay.Relayed(name, "d1", "a") for name in SOURCES}
        self.mirrors = {name: relay.Mirror() for name in SOURCES}

    def update(self, records: dict[str, list[Record]]) -> None:
        """New data from the sources (on the leader): posts join those before, the others replace theirs."""
        for name, store in self.stores.items():
            at = datetime.fromtimestamp(Node.at, UTC)
            store.update(records[name], as_of=at, replace=name != "posts")

    def item(self, name: str) -> Any:
        return self.scene.items_by_id[name]

    def relay_to(self, follower: Node) -> None:
        """What the leader publishes now, heard by ``follower`` now (through the message's encoding)."""
        for name, store in self.stores.items():
            assert store.as_of is not None
            message = self.relayed[name].next(store.records(), store.as_of, Node.at, store.changed_at)
            assert message is not None
            heard = relay.decode("records", relay.encode(message))
            assert isinstance(heard, relay.SourceRecords)
            records = follower.mirrors[name].apply(heard)
            assert records is not None
            follower.stores[name].update(records, as_of=heard.as_of, replace=True, at=heard.changed_at)

    def picture(self) -> np.ndarray:
        """The scene drawn now: every widget repainted, as the frame clock has the moving ones."""
        for item in self.scene.items_by_id.values():
            item.update()
        image = snapshot.render(self.scene, SCALE).convertToFormat(QImage.Format.Format_RGB32)
        pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)
        return pixels[:, :, :3].astype(int)


def live() -> Freshness:
    return Freshness(SourceState.LIVE, timedelta(0), None, 0)


def painted(qtbot: QtBot, *nodes: Node) -> None:
    """Every new card painted (one per turn of the event loop, as on a wall)."""
    qtbot.waitUntil(lambda: not any(node.item("wall")._to_paint for node in nodes), timeout=5000)


def same(leader: Node, follower: Node) -> float:
    """How far apart the two nodes' pictures are: the mean difference over each widget's pixels (0 to
    255), for the widget that differs most."""
    apart = np.abs(leader.picture() - follower.picture())
    boxes = [item.sceneBoundingRect() for item in leader.scene.items_by_id.values()]
    return max(
        float(
            apart[
                round(b.top() * SCALE) : round(b.bottom() * SCALE),
                round(b.left() * SCALE) : round(b.right() * SCALE),
            ].mean()
        )
        for b in boxes
    )


def test_a_follower_that_hears_the_data_late_draws_what_the_leader_draws(
    write_json: Any, qtbot: QtBot
) -> None:
    a, b = Node(write_json, leader=True), Node(write_json, leader=False)
    try:
        Node.at = ORIGIN + 1
        a.update(feed(1, 0.5, [0, 1, 2, 3]))
        Node.at += 0.05
        a.relay_to(b)
        Node.at = ORIGIN + 7
        assert same(a, b) < 0.2  # both filled at once: the same posts, figure, rows, spotlight
        # New data on the leader 0.1 s before the wall's second page (a page every 4 s from the
        # scene's start): laid out at once, the cards move at the page's instant.
        Node.at = ORIGIN + 7.9
        a.update(feed(0, 0.8, [3, 1, 2, 0]))
        assert a.stores["posts"].changed_at == ORIGIN + 7.9
        painted(qtbot, a)
        assert {m.began for m in a.item("wall")._motions.values()} == {ORIGIN + 8}
        Node.at = ORIGIN + 8.25
        a.relay_to(b)  # 0.35 s late: b starts the moves where a's are by now
        painted(qtbot, b)
        assert {m.began for m in b.item("wall")._motions.values()} == {ORIGIN + 8}
        for at in (8.3, 8.55, 8.8, 9.5):  # gliding, fading, counting; then settled
            Node.at = ORIGIN + at
            assert same(a, b) < 0.2, at
        # Data between pages waits for the next (every node turns the page at the same instant).
        Node.at = ORIGIN + 9
        a.update(feed(-1, 0.6, [3, 2, 1, 0]))
        wall = a.item("wall")
        assert wall._dwell.isActive()
        assert wall.posts[0].id == "p0"
        Node.at = ORIGIN + 12 - posts.PREPARE_S
        wall._dwell.timeout.emit()  # the dwell timer, due now on the test's clock
        painted(qtbot, a)
        assert wall.posts[0].id == "p-1"
        assert {m.began for m in wall._motions.values()} == {ORIGIN + 12}
        Node.at = ORIGIN + 11.9
        a.picture()  # a frame before the page: the cards still, where they were, and no frames until then
        assert not wall.context.frames.is_animating(wall)
        assert any(m.fade_out for m in wall._motions.values())  # the oldest has yet to leave
        Node.at = ORIGIN + 12.15
        a.relay_to(b)
        painted(qtbot, b)
        assert {m.began for m in b.item("wall")._motions.values()} == {ORIGIN + 12}
        kpi = b.item("rate")
        assert isinstance(kpi, KpiItem)
        assert kpi.value == 0.6
        assert not kpi.counter.moving(Node.at)  # counted from 9 s, as on the leader: long done
        for at in (12.2, 12.45, 13.0):
            Node.at = ORIGIN + at
            assert same(a, b) < 0.2, at
    finally:
        a.scene.dispose()
        b.scene.dispose()


def test_on_a_single_pc_data_shows_when_it_comes(write_json: Any) -> None:
    clock = {"t": 50.0}
    stores = {name: Store(name, clock=lambda: 0.0) for name in SOURCES}
    sources = {name: (store, live) for name, store in stores.items()}
    scene = build_scene(layout(write_json), sources=sources, ticks=lambda: clock["t"])

    def update(records: dict[str, list[Record]]) -> None:
        for name, store in stores.items():
            store.update(records[name], as_of=datetime.fromtimestamp(ORIGIN, UTC), replace=name != "posts")

    try:
        update(feed(1, 0.5, [0, 1, 2, 3]))
        clock["t"] = 60.0
        update(feed(0, 0.8, [3, 1, 2, 0]))
        kpi, wall = scene.items_by_id["rate"], scene.items_by_id["wall"]
        assert isinstance(kpi, KpiItem)
        assert isinstance(wall, posts.PostWallItem)
        assert kpi.counter.moving(60.0)  # counting from now, not from the store's stamp
        assert not kpi.counter.moving(61.0)
        assert wall.posts[0].id == "p0"  # at once: the dwell is over
        assert all(m.began in (60.0, posts.WAITING) for m in wall._motions.values())
    finally:
        scene.dispose()


def test_a_store_stamps_when_what_it_shows_changed() -> None:
    clock = {"t": 10.0}
    store = Store("posts", clock=lambda: clock["t"])
    at = datetime.fromtimestamp(ORIGIN, UTC)

    def stamp() -> float | None:
        return store.changed_at

    assert stamp() is None
    store.update([post(1)], as_of=at)
    assert stamp() == 10.0
    clock["t"] = 11.0
    store.update([post(1)], as_of=at)  # the same again: no change
    store.gate(None)  # nothing held back before or now: no change either
    assert stamp() == 10.0
    store.gate(lambda record: record.id != "p1")  # hidden: a change, now
    assert stamp() == 11.0
    store.gate(None)
    store.update([post(2)], as_of=at, at=10.5)  # as relayed: the leader's instant
    assert stamp() == 10.5


def test_new_headlines_start_at_the_same_place_on_a_follower_that_hears_of_them_late(
    write_json: Any,
) -> None:
    ticker = {
        "id": "t",
        "kind": "ticker",
        "source": "posts",
        "place": {"screen": [0, 0], "span": [3, 1], "part": [0, 0.4, 1, 0.2]},
        "options": {"items": ["Alpha", "Beta"], "speed": 200},
    }
    a, b = Node(write_json, True, [ticker]), Node(write_json, False, [ticker])
    try:
        Node.at = ORIGIN + 2
        assert same(a, b) < 0.2  # the layout's own items, laid from the scene's start
        Node.at = ORIGIN + 2.5
        a.update(feed(1, 0.5, [0, 1, 2, 3]))  # the posts' headlines, on the leader
        Node.at = ORIGIN + 3.5
        b.picture()  # meanwhile the follower lays 200 px more of the layout's items
        a.relay_to(b)  # and hears of the headlines 1 s late
        for at in (3.6, 4.5, 7.0):
            Node.at = ORIGIN + at
            assert same(a, b) < 0.2, at
    finally:
        a.scene.dispose()
        b.scene.dispose()
