"""The README's gallery of what the wall says when a source fails, a layout selects nothing, or data is old.

Each picture is one screen of widgets bound to sources in a given state, at a fixed time, on the demo
simulator's records: the same pictures every time. Made again, with the golden pictures, by ``./dev golden``,
or alone with

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. python tests/gallery.py        # writes docs/gallery-*.png

and kept working by ``tests/test_readme.py``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wallapp.app import build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.data.demo import Simulator
from wallapp.core.data.freshness import Freshness, Health, assess
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.qt import snapshot
from wallapp.qt.images import ImageCache

NOW = datetime(2026, 11, 22, 9, 41, tzinfo=UTC)
SCALE = 0.5
DEMO = Simulator(seed=1)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def kpis(at: datetime = NOW) -> list[Record]:
    return list(DEMO.kpis(at))


def posts(at: datetime) -> list[Record]:
    return list(DEMO.posts(at - timedelta(minutes=10), at))


def never_succeeded(cause: str, failing: timedelta) -> Health:
    return Health().failed(NOW - failing, cause).failed(NOW - timedelta(seconds=5), cause)


RESPONSE_RATE = {
    "label": "Response rate",
    "metric": "response_rate",
    "where": {"brand": "Orbis Telecom"},
    "aggregate": "mean",
    "format": "percent",
    "scale": 0.01,
}

Sources = dict[str, tuple[str, list[Record], Health]]
"""By name: the kind of records a source gives, those it has, and what happened to it so far."""

PICTURES: dict[str, tuple[Sources, list[dict[str, Any]]]] = {
    "failing": (
        {
            "care": ("metric", [], never_succeeded("HTTP 500 Internal Server Error", timedelta(minutes=3))),
            "people": (
                "person",
                [],
                never_succeeded(
                    "the secret search_token is not set (needed by ${secret:search_token})",
                    timedelta(hours=1),
                ),
            ),
            "volume": ("metric", [], Health()),
            "posts": ("post", [], Health(last_success=ago(seconds=20))),
        },
        [
            {
                "kind": "kpi",
                "source": "care",
                "options": {"label": "Response rate", "metric": "response_rate"},
            },
            {"kind": "ranking", "source": "people", "options": {"title": "Top influencers"}},
            {
                "kind": "kpi",
                "source": "volume",
                "options": {"label": "Mentions per hour", "metric": "mentions"},
            },
            {"kind": "posts", "source": "posts", "options": {"columns": 2}},
        ],
    ),
    "misconfigured": (
        {"care": ("metric", kpis(), Health(last_success=ago(seconds=20)))},
        [
            {
                "kind": "kpi",
                "source": "care",
                "options": {"label": "Response rate", "metric": "response_rte"},
            },
            {
                "kind": "kpi",
                "source": "care",
                "options": {"label": "Response rate", "metric": "response_rate", "where": {"brand": "Orbis"}},
            },
            {
                "kind": "bars",
                "source": "care",
                "options": {"title": "Response rate by network", "metric": "response_rate", "by": "network"},
            },
            {
                "kind": "kpi",
                "source": "care",
                "options": RESPONSE_RATE,
            },
        ],
    ),
    "stale": (
        {
            "care": ("metric", kpis(ago(days=7, hours=4)), Health(last_success=ago(days=7, hours=4))),
            "backend": (
                "metric",
                kpis(ago(hours=2, minutes=5)),
                Health()
                .succeeded(ago(hours=2, minutes=5))
                .failed(ago(minutes=1), "HTTP 503 Service Unavailable"),
            ),
            "posts": ("post", posts(ago(hours=3, minutes=12)), Health(last_success=ago(hours=3, minutes=12))),
        },
        [
            {
                "kind": "kpi",
                "source": "care",
                "options": {
                    "label": "Avg. time to respond",
                    "metric": "response_time",
                    "where": {"brand": "Orbis Telecom"},
                    "aggregate": "mean",
                    "format": "duration",
                },
            },
            {
                "kind": "kpi",
                "source": "backend",
                "options": RESPONSE_RATE | {"thresholds": {"warning": 0.75, "critical": 0.65}},
            },
            {"kind": "posts", "source": "posts", "options": {"columns": 2, "rows": 1}, "wide": True},
        ],
    ),
}

QUARTERS = ([0, 0, 0.5, 0.5], [0.5, 0, 0.5, 0.5], [0, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5])


def layout(sources: Sources, widgets: list[dict[str, Any]]) -> dict[str, Any]:
    """A one-screen layout: each source declared with a mapping to its kind of records, each widget in a
    quarter of the screen (across the bottom half if it is ``wide``)."""
    placed = [
        {
            "id": f"w{n}",
            "kind": widget["kind"],
            "source": widget["source"],
            "place": {"screen": [0, 0], "part": [0, 0.5, 1, 0.5] if widget.get("wide") else QUARTERS[n]},
            "options": widget["options"],
        }
        for n, widget in enumerate(widgets)
    ]
    declared = {
        name: {
            "kind": "http",
            "url": f"https://api.example.com/{name}",
            "headers": {"Authorization": "Bearer ${secret:search_token}"},
            "mapping": {"record": kind},
        }
        for name, (kind, _, _) in sources.items()
    }
    return {"name": "Gallery", "grid": [1, 1], "sources": declared, "widgets": placed}


def render(name: str, folder: Path) -> Path:
    """One picture of the gallery, written to ``folder``."""
    sources, widgets = PICTURES[name]
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / f"{name}.json"
        path.write_text(json.dumps(layout(sources, widgets)), encoding="utf-8")
        opened = open_layout(load_settings(), str(path))
    bound: dict[str, tuple[Store, Callable[[], Freshness]]] = {}
    for source, (_, records, health) in sources.items():
        store = Store(source)
        if records:
            store.update(records, as_of=health.last_success or NOW)
        bound[source] = (store, _fixed(assess(health, NOW, interval=30, as_of=store.as_of)))
    scene = build_scene(opened, now=lambda: NOW, sources=bound, images=ImageCache(None))
    out = folder / f"gallery-{name}.png"
    snapshot.save(snapshot.render(scene, SCALE), out)
    scene.dispose()
    return out


def _fixed(freshness: Freshness) -> Callable[[], Freshness]:
    return lambda: freshness


def render_all(folder: Path) -> list[Path]:
    return [render(name, folder) for name in PICTURES]


if __name__ == "__main__":
    from wallapp.qt.application import application

    application(headless=True)
    for written in render_all(
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "docs"
    ):
        print(written)
