"""The control API of any node steers the whole wall (a real Mosquitto, nodes in this process): an alert,
a moderation decision, the editor's unsaved layout and a reload asked of a follower reach every node, each
answer names the nodes that applied it, and a node that starts later shows the alert and the decisions
in force; every node's status lists the whole wall."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from brokers import mosquitto, write_posts
from golden import pixels
from PySide6.QtGui import QImage
from relay_node import TOPIC
from servers import http_client, until

from wallapp import ctl
from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.ctl import describe
from wallapp.live.moderation import load, moderation_path

TOKEN = "operator-token"
NODES = {"a": [[0, 0], [1, 0]], "b": [[2, 0], [0, 1]], "c": [[1, 1], [2, 1]]}
SCREENS = {name: [f"{column},{row}" for column, row in screens] for name, screens in NODES.items()}
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]

LAYOUT = {
    "name": "Moderated",
    "sources": {
        "posts": {
            "kind": "file",
            "path": "posts.json",
            "interval": 0.2,
            "mapping": {"record": "post", "items": "data"},
        }
    },
    "widgets": [
        {"id": "wall", "kind": "posts", "source": "posts", "place": {"screen": [0, 0], "span": [3, 2]}}
    ],
}


def display_of(tmp_path: Path, port: int, name: str, keepalive_s: int = 1) -> WallDisplay:
    """Node ``name`` of the three, its control API on a free port, its own state folder."""
    config = tmp_path / f"{name}.toml"
    lines = [
        f'node = "{name}"',
        f'layouts_dirs = ["{tmp_path}"]',
        'layout = "moderated"',
        f'state_dir = "{tmp_path / name}"',
        f'[control]\nlisten = "127.0.0.1:0"\ntoken = "{TOKEN}"',
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\ntopic = "{TOPIC}"\nkeepalive_s = {keepalive_s}',
    ]
    lines += [f'[[nodes]]\nname = "{node}"\nscreens = {screens}' for node, screens in NODES.items()]
    config.write_text("\n".join(lines) + "\n")
    return WallDisplay(load_settings(config))


def shown_posts(display: WallDisplay) -> set[str]:
    return {record.id for record in display.feeds.stores()["posts"].records()}


@contextlib.asynccontextmanager
async def served(display: WallDisplay) -> AsyncIterator[httpx.AsyncClient]:
    """``display`` serving (its sources, its link, its control API), and a client of its API."""
    quitting = asyncio.Event()
    serving = asyncio.ensure_future(display.serve(quitting))
    try:
        await until(lambda: display.control_url is not None, "the control API")
        async with http_client() as client:
            client.base_url = httpx.URL(str(display.control_url))
            client.timeout = httpx.Timeout(30)
            client.headers.update({"Authorization": f"Bearer {TOKEN}"})
            yield client
    finally:
        quitting.set()
        await serving


def following(display: WallDisplay) -> bool:
    link = display.link
    return link is not None and link.synced and link.status()["role"] in ("leader", "follower")


async def steered_from_a_follower(follower: httpx.AsyncClient, a: WallDisplay, b: WallDisplay) -> None:
    """An alert, a hidden post, the editor's Apply and a reload asked of a follower: on both nodes."""
    # An alert: on both, and c (not started) is said not reached.
    answer = await follower.post("/alert", json={"text": "Lyon is down", "level": "crisis"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["nodes"] == {"a": "applied", "b": "applied", "c": "not reached"}
    for display in (a, b):
        assert display.control.alert is not None
        assert display.control.alert.alert.message == "Lyon is down"
        assert "alert" in display.scene.overlays
    # A post hidden: the leader takes it, every node hides it and keeps it.
    answer = await follower.post("/posts/hide", json={"source": "posts", "id": "p2"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["nodes"] == {"a": "applied", "b": "applied", "c": "not reached"}
    assert shown_posts(a) == shown_posts(b) == {"p1", "p3"}
    kept = [load(moderation_path(d.settings)).hidden for d in (a, b)]
    assert kept == [{"posts": ["p2"]}] * 2  # in each node's own file: any may lead next
    # The editor's Apply: the unsaved version on both; a reload: the file again.
    unsaved = {**LAYOUT, "name": "Tried"}
    answer = await follower.post("/layout/try", json={"layout": "moderated", "document": unsaved})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["nodes"].values()) == {"applied", "not reached"}
    assert [(d.unsaved, d.status()["title"]) for d in (a, b)] == [(True, "Tried")] * 2
    answer = await follower.post("/reload")
    assert answer.status_code == 200, answer.text
    assert [(d.unsaved, d.status()["title"]) for d in (a, b)] == [(False, "Moderated")] * 2


def png(data: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(data, "PNG"), "not a PNG"
    return image


async def gathered_by(client: httpx.AsyncClient, asked: WallDisplay) -> None:
    """The whole wall's picture gathered by ``asked``: the other running node's part asked of it, c's
    screens drawn by ``asked`` (c is offline); the parts in their places (the nodes draw alike here: one
    process, the same data), as ``asked`` draws the whole wall."""
    at = float(round(time.time()))
    answer = await client.get("/picture", params={"width": 480, "at": at, "gather": "true"})
    assert answer.status_code == 200, answer.text
    drawn = dict(part.split(": ", 1) for part in answer.headers["X-Wall-Parts"].split("; "))
    assert drawn.pop(str(asked.settings.node)) == "drawn here"
    assert drawn.pop("c") == f"drawn by {asked.settings.node} (offline)"
    assert list(drawn.values()) == ["its own part"]
    gathered, alone = (png(data) for data in (answer.content, asked.picture(480, at)))
    differing = np.abs(pixels(gathered).astype(np.int16) - pixels(alone).astype(np.int16)).max(axis=2) > 24
    assert differing.mean() < 0.001, f"{differing.sum()} pixels differ"


def controls_known(*displays: WallDisplay) -> bool:
    """Every node running has reported where its control API listens to each of them."""
    return all(
        d.link is not None
        and len(d.link.reports) == len(displays)
        and all(report.control for report in d.link.reports.values())
        for d in displays
    )


@pytest.mark.usefixtures("qapp")
def test_a_change_asked_of_any_node_reaches_every_node_and_a_late_one(
    tmp_path: Path, run_async: RunAsync
) -> None:
    (tmp_path / "moderated.json").write_text(json.dumps(LAYOUT))
    write_posts(tmp_path, "p1", "p2", "p3")
    with mosquitto(tmp_path / "broker") as broker:
        displays = {name: display_of(tmp_path, broker.port, name) for name in NODES}
        a, b, c = displays.values()

        async def scenario() -> None:
            async with served(a) as to_a, served(b) as to_b:
                await until(lambda: following(a) and following(b), "a and b to lead and follow")
                await until(lambda: shown_posts(a) == shown_posts(b) == {"p1", "p2", "p3"}, "the posts")
                follower = to_b if b.link is not None and not b.link.leading else to_a
                await steered_from_a_follower(follower, a, b)
                await until(lambda: controls_known(a, b), "a and b to know each other's control API")
                await gathered_by(follower, b if follower is to_b else a)
                # c starts in the middle: the alert and the decisions in force, at once.
                async with served(c) as to_c:
                    await until(lambda: following(c) and shown_posts(c) == {"p1", "p3"}, "c with the posts")
                    assert c.control.alert is not None
                    assert c.control.alert.alert.message == "Lyon is down"
                    assert c.control.decisions.current == a.control.decisions.current
                    # Its status lists the whole wall: each node, its screens, who leads, its API.
                    await until(lambda: controls_known(a, b, c), "every node's control API")
                    wall = {n["node"]: n for n in (await to_c.get("/status")).json()["node"]["wall"]}
                    assert {name: n["screens"] for name, n in wall.items()} == SCREENS
                    leader = c.link.view.leader() if c.link is not None else None
                    assert [name for name, n in wall.items() if n["leader"]] == [leader]
                    assert wall["a"]["control"] == a.control_url
                    assert all(n["online"] and n["offset_ms"] is not None for n in wall.values())
                    lines = describe((await to_c.get("/status")).json()).splitlines()
                    assert any(
                        line.startswith("wall node c: ") and "screens 1,1 2,1" in line for line in lines
                    )
                    # Cleared from c with wallapp ctl: on every node.
                    url = str(c.control_url)
                    said = await asyncio.to_thread(ctl.run, "alert", url, TOKEN, {"clear": True})
                    assert said == "alert cleared on a, b, c"
                    assert [d.control.alert for d in displays.values()] == [None] * 3

        try:
            run_async(scenario())
        finally:
            for display in displays.values():
                display.close()
