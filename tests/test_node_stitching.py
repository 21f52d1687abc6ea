"""Three ``wallapp run --node`` processes, two offscreen screens each, drive the hub's 3 x 2 canvas over
Mosquitto. Each node's part at one shared instant, asked of its control API (``/picture?at=T&own=true``),
stitched: the whole wall as one PC draws the same layout at that instant."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from brokers import mosquitto, write_posts
from golden import picture, pixels
from numpy.typing import NDArray
from PySide6.QtGui import QImage
from relay_node import TOPIC
from servers import free_port, poll
from test_node_processes import TOKEN, wall_node

from wallapp.app import snapshot_scene
from wallapp.core.config.settings import load_settings
from wallapp.qt import snapshot

NODES = {"a": [[0, 0], [0, 1]], "b": [[1, 0], [1, 1]], "c": [[2, 0], [2, 1]]}
"""A column of the wall each: the ticker on the bottom row crosses from a to b and from b to c."""
SPEED = 140.0
"""The ticker's speed, pixels per second: at 60 frames a second it moves 2.3 pixels a frame."""
FRAME_S = 1 / 60
STARTS_WITHIN_S = 60.0  # three Qt processes starting on a loaded 2-core machine
Image = NDArray[np.uint8]


def stitched_layout(folder: Path) -> Path:
    """Content that is a function of time and data only: texts (one across a node boundary), a clock
    in a fixed zone, the posts a file source reads (relayed by the leader) and a ticker crawling them."""
    source = {
        "kind": "file",
        "path": "posts.json",
        "interval": 1.0,
        "mapping": {"record": "post", "items": "data"},
    }
    widgets: list[dict[str, Any]] = [
        {
            "id": "title",
            "kind": "text",
            "place": {"screen": [0, 0], "span": [2, 1], "part": [0.25, 0.1, 0.5, 0.4]},
            "options": {"text": "One wall, three PCs", "subtitle": "Stitched at one instant"},
        },
        {
            "id": "clock",
            "kind": "clock",
            "place": {"screen": [2, 0], "part": [0.1, 0.1, 0.8, 0.5]},
            "options": {"timezone": "Europe/Paris", "label": "Paris", "seconds": True},
        },
        {
            "id": "wall",
            "kind": "posts",
            "source": "posts",
            "place": {"screen": [1, 1], "span": [2, 1], "part": [0.05, 0.05, 0.9, 0.7]},
        },
        {
            "id": "headlines",
            "kind": "ticker",
            "source": "posts",
            "place": {"screen": [0, 1], "span": [3, 1], "part": [0, 0.84, 1, 0.16]},
            "options": {"speed": SPEED},
        },
    ]
    path = folder / "stitched.json"
    path.write_text(json.dumps({"name": "Stitched", "sources": {"posts": source}, "widgets": widgets}))
    return path


def installation(folder: Path, port: int) -> Path:
    path = folder / "wallapp.toml"
    nodes = "".join(f'[[nodes]]\nname = "{name}"\nscreens = {screens}\n' for name, screens in NODES.items())
    path.write_text(
        f'layouts_dirs = ["{folder}"]\n[control]\ntoken = "{TOKEN}"\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\ntopic = "{TOPIC}"\nkeepalive_s = 1\n{nodes}'
    )
    return path


def status_when(
    client: httpx.Client, port: int, holds: Callable[[dict[str, Any]], bool], what: str, deadline: float
) -> dict[str, Any]:
    """The node's status once ``holds`` is true of it (a condition on another process, polled)."""

    def probe() -> dict[str, Any] | None:
        with contextlib.suppress(httpx.TransportError):
            answer = client.get(f"http://127.0.0.1:{port}/status")
            status: dict[str, Any] = answer.json()
            if answer.status_code == 200 and holds(status):
                return status
        return None

    found = poll(probe, max(0.0, deadline - time.monotonic()))
    if found is None:
        pytest.fail(f"timed out waiting for {what}")
    return found


def in_step(status: dict[str, Any]) -> bool:
    """Following (or leading) with the posts live and, on a follower, the leader's time estimated."""
    node = status.get("node") or {}
    live = status["sources"]["posts"]["state"] == "live"
    timed = node.get("role") == "leader" or (node.get("time") or {}).get("samples", 0) > 0
    return bool(live and timed and node.get("online") == sorted(NODES))


def decoded(data: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(data, "PNG"), "the node's picture is not a PNG"
    return image


def shift(part: Image, reference: Image, reach: int = 12) -> int:
    """How many pixels ``part`` is drawn right of ``reference`` (the same strip of the canvas): the shift
    that makes them most alike."""
    width = part.shape[1] - 2 * reach
    core = part[:, reach : reach + width].astype(np.int32)

    def unlike(offset: int) -> float:
        moved = reference[:, reach - offset : reach - offset + width].astype(np.int32)
        return float(np.abs(core - moved).mean())

    return min(range(-reach, reach + 1), key=unlike)


@contextlib.contextmanager
def three_nodes(tmp_path: Path, settings: Path, shown: Path) -> Iterator[dict[str, int]]:
    """The three nodes running (whichever the broker hears first leads), and their control ports."""
    ports = {name: free_port() for name in NODES}
    with contextlib.ExitStack() as stack:
        for name, port in ports.items():
            stack.enter_context(wall_node(tmp_path, name, settings, port, shown, "two-screens.json"))
        yield ports


@pytest.mark.usefixtures("qapp")
def test_three_nodes_parts_at_one_instant_stitch_into_the_single_pc_picture(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1", "p2", "p3")
    shown = stitched_layout(tmp_path)
    deadline = time.monotonic() + STARTS_WITHIN_S
    with (
        mosquitto(tmp_path / "broker") as broker,
        three_nodes(tmp_path, installation(tmp_path, broker.port), shown) as ports,
        httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client,
    ):
        statuses = {
            name: status_when(client, port, in_step, f"{name} in step with the wall", deadline)
            for name, port in ports.items()
        }
        origins = {status["node"]["since"] for status in statuses.values()}
        assert len(origins) == 1, statuses  # every node shows the scene as come on at one instant
        # The instant every node is asked to draw: on the shared time base (one PC: its own clock).
        at = float(round(time.time())) + 0.25
        parts: dict[str, QImage] = {}
        for name, port in ports.items():
            query: dict[str, Any] = {"width": 5000, "at": at, "own": "true"}
            answer = client.get(f"http://127.0.0.1:{port}/picture", params=query)
            assert answer.status_code == 200, answer.text
            parts[name] = decoded(answer.content)
        # The shared clocks of the nodes, each against this PC's own: apart by less than a frame, so the
        # ticker each draws at one moment is at most one frame's move apart.
        offsets = [
            status_when(client, port, lambda _: True, "status", deadline)["node"]["time"]["offset_ms"]
            for port in ports.values()
        ]
    # The same layout on one PC, its scene come on at the same instant, drawn at ``at``.
    single = load_settings()
    scene = snapshot_scene(single, str(shown), live=10, at=at, origin=origins.pop())
    try:
        canvas_width = scene.wall.canvas.width
        reference = snapshot.render(scene, 5000 / canvas_width)
        cells = {cell.name: cell.rect for cell in scene.wall.cells()}
    finally:
        scene.dispose()
    scale = 5000 / canvas_width
    whole = np.zeros_like(pixels(reference))
    for name, screens in NODES.items():
        part = pixels(parts[name])
        for column, row in screens:
            r = cells[f"{column},{row}"]
            x0, y0 = round(r.x * scale), round(r.y * scale)
            x1, y1 = round((r.x + r.width) * scale), round((r.y + r.height) * scale)
            assert part[y0:y1, x0:x1].any(), f"{name} drew nothing on screen {column},{row}"
            whole[y0:y1, x0:x1] = part[y0:y1, x0:x1]
    expected = pixels(reference)
    # Anti-aliased edges may differ a little; a widget drawn otherwise differs by far more than 0.1 %.
    differing = np.abs(whole.astype(np.int16) - expected.astype(np.int16)).max(axis=2) > 24
    if differing.mean() >= 0.001:
        snapshot.save(picture(whole), tmp_path / "stitched.png")
        snapshot.save(reference, tmp_path / "single.png")
        pytest.fail(f"{differing.sum()} pixels differ: see stitched.png and single.png in {tmp_path}")
    # Across each node boundary on the bottom row, the ticker is where one PC draws it.
    strip_top = round((cells["0,1"].y + cells["0,1"].height * 0.86) * scale)
    strip = slice(strip_top, round((cells["0,1"].y + cells["0,1"].height * 0.98) * scale))
    for left, right in (("a", "b"), ("b", "c")):
        edge = round(cells[f"{NODES[right][1][0]},1"].x * scale)
        before = slice(edge - 200, edge)
        after = slice(edge, edge + 200)
        moved = [
            shift(pixels(parts[left])[strip, before], expected[strip, before]),
            shift(pixels(parts[right])[strip, after], expected[strip, after]),
        ]
        assert abs(moved[0] - moved[1]) <= SPEED * FRAME_S * scale, (left, right, moved)
    assert max(offsets) - min(offsets) <= FRAME_S * 1000, offsets
