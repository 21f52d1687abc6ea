"""The fault soak's wall: six sources of every kind (HTTP poll, SSE, WebSocket, file, demo), thirty in all,
read by thirty widgets, in three layouts that place them differently.

Every layout declares all thirty sources the same way, so a switch keeps them running (the wall reuses a
source declared the same) while the scene, its widgets and their bindings are built again. Two sources read
servers of their own, which the bench stops and starts again: ``FLAPPING``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallapp.demo_server import example_sources

KINDS = ("http", "sse", "websocket", "file", "demo")
PER_KIND = 6
FLAPPING = ("http-flap", "ws-flap")
"""The sources whose servers go down and come back (an HTTP poll and a WebSocket: two ways to reconnect)."""
FILES = tuple(f"file-{n}" for n in range(1, PER_KIND + 1))
"""The file sources, each reading ``NAME.json`` beside the layouts."""

_DEMO_KPI = {
    "metric": "response_rate",
    "where": {"brand": "Orbis Telecom"},
    "aggregate": "mean",
    "format": "percent",
    "scale": 0.01,
}


@dataclass(frozen=True)
class Backends:
    """Where the sources read: the demo server, the posts feed, the two flapping servers (base URLs)."""

    demo: str
    feed: str
    flap_http: str
    flap_ws: str


def _ws(base: str) -> str:
    return base.replace("http://", "ws://")


def sources(backends: Backends, interval: float = 5.0) -> dict[str, dict[str, Any]]:
    """The thirty sources, by name; HTTP polls every ``interval`` seconds, files checked every 2 s."""
    demo = example_sources(backends.demo)
    flap = example_sources(backends.flap_http)
    flap_ws = example_sources(backends.flap_ws)
    feed = {
        "kind": "sse",
        "url": f"{backends.feed}/stream",
        "events": ["post"],
        "expect_every": 10,
        "mapping": {"record": "post"},
    }
    polled = {"interval": interval}
    found: dict[str, dict[str, Any]] = {
        "http-posts": demo["posts"] | polled,
        "http-kpis": demo["kpis"] | polled,
        "http-topics": demo["topics"] | polled,
        "http-people": demo["influencers"] | polled,
        "http-kpis-slow": demo["kpis"] | {"interval": 4 * interval},
        "http-flap": flap["kpis"] | {"interval": min(interval, 2.0)},
        "sse-feed-1": feed,
        "sse-feed-2": feed,
        "sse-feed-3": feed,
        "sse-demo-1": demo["posts-live"],
        "sse-demo-2": demo["posts-live"],
        "sse-demo-3": demo["posts-live"],
        "ws-1": demo["posts-socket"],
        "ws-2": demo["posts-socket"],
        "ws-3": demo["posts-socket"],
        "ws-4": demo["posts-socket"],
        "ws-5": demo["posts-socket"],
        "ws-flap": flap_ws["posts-socket"],
        "demo-posts": {"kind": "demo", "feed": "posts", "seed": 1},
        "demo-posts-2": {"kind": "demo", "feed": "posts", "seed": 2, "rate": 3},
        "demo-people": {"kind": "demo", "feed": "influencers", "seed": 1},
        "demo-topics": {"kind": "demo", "feed": "topics", "seed": 1},
        "demo-kpis": {"kind": "demo", "feed": "kpis", "seed": 1},
        "demo-activity": {"kind": "demo", "feed": "activity", "seed": 1},
    }
    for name in FILES:
        found[name] = {
            "kind": "file",
            "path": f"{name}.json",
            "interval": 2,
            "mapping": {"record": "metric", "items": "kpis"},
        }
    return found


def file_payload(name: str, value: int) -> dict[str, Any]:
    """What the bench writes in a file source's file: one metric named after the source."""
    return {"kpis": [{"name": name, "value": value}]}


def _record_kind(spec: dict[str, Any]) -> str:
    if spec["kind"] == "demo":
        kinds = {"posts": "post", "influencers": "person", "topics": "topic", "kpis": "metric"}
        return kinds.get(str(spec["feed"]), str(spec["feed"]))
    return str(spec["mapping"]["record"])


def widget_for(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A widget showing source ``name`` (its place is set by the layout)."""
    record = _record_kind(spec)
    title = name.replace("-", " ").title()
    if record == "post":
        return {"kind": "posts", "options": {"columns": 2, "rows": 1}}
    if record == "person":
        return {"kind": "ranking", "options": {"title": title, "limit": 4}}
    if record == "topic":
        return {"kind": "topics", "options": {"title": title, "limit": 6}}
    if record == "activity":
        return {"kind": "chart", "options": {"title": title}}
    if spec["kind"] == "file":
        return {"kind": "kpi", "options": {"label": title, "metric": name}}
    return {"kind": "kpi", "options": {"label": title, **_DEMO_KPI}}


_ROWS = {
    "a": ((0.0, 3), (0.5, 2)),  # three widgets across the top half of each screen, two across the bottom
    "b": ((0.0, 2), (0.5, 3)),
    "c": ((0.0, 1), (0.4, 2), (0.7, 2)),
}


def _parts(style: str) -> list[list[float]]:
    rows = _ROWS[style]
    parts = []
    for index, (top, count) in enumerate(rows):
        bottom = rows[index + 1][0] if index + 1 < len(rows) else 1.0
        parts += [[n / count, top, 1 / count, bottom - top] for n in range(count)]
    return parts


def layout(name: str, style: str, declared: dict[str, dict[str, Any]], order: list[str]) -> dict[str, Any]:
    """A 3x2 layout of one widget per source in ``order``, five to a screen, as ``style`` places them."""
    parts = _parts(style)
    widgets = []
    for slot, source in enumerate(order):
        screen = slot // len(parts)
        widget = widget_for(source, declared[source])
        widget |= {
            "id": f"w-{source}",
            "source": source,
            "place": {"screen": [screen % 3, screen // 3], "part": parts[slot % len(parts)]},
        }
        widgets.append(widget)
    return {"name": name, "theme": "dark", "grid": [3, 2], "sources": declared, "widgets": widgets}


def write(folder: Path, backends: Backends, interval: float = 5.0) -> list[Path]:
    """The three layouts and the file sources' first files, in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    declared = sources(backends, interval)
    names = list(declared)
    orders = [names, names[::-1], names[1::2] + names[::2]]
    paths = []
    for number, (style, order) in enumerate(zip("abc", orders, strict=True), start=1):
        path = folder / f"soak-{style}.json"
        document = layout(f"Fault soak {number}", style, declared, order)
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        paths.append(path)
    for name in FILES:
        write_file_source(folder, name, 0)
    return paths


def write_file_source(folder: Path, name: str, value: int) -> None:
    """The file source's file, written whole (a temporary file renamed over it, as a feed would)."""
    temporary = folder / f".{name}.tmp"
    temporary.write_text(json.dumps(file_payload(name, value)), encoding="utf-8")
    temporary.replace(folder / f"{name}.json")
