"""The README's Prometheus example, as written, on a wall fed by a real server that answers like Prometheus.

Prometheus sends each value as text, "NaN" included, in ``[epoch seconds, "value"]`` pairs: the mapping
alone turns them into metric records, and the NaN country reads "no value" on the wall.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from servers import serving, until, while_serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.core.view.formatting import NO_VALUE
from wallapp.qt import snapshot
from wallapp.qt.widgets import WidgetState

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
[EXAMPLE] = [b for b in re.findall(r"```json\n(.*?)```", README, flags=re.S) if '"data.result"' in b]

MEASURED = 1732870000.123
VECTOR = {
    "status": "success",
    "data": {
        "resultType": "vector",
        "result": [
            {"metric": {"country": "FR", "brand": "Orbis"}, "value": [MEASURED, "0.87"]},
            {"metric": {"country": "SN", "brand": "Orbis"}, "value": [MEASURED, "NaN"]},
            {"metric": {"country": "EG", "brand": "Orbis"}, "value": [MEASURED, "0.64"]},
        ],
    },
}


def prometheus(queries: list[str]) -> Starlette:
    """An instant-query endpoint: always the same vector; the queries asked are kept."""

    async def query(request: Request) -> JSONResponse:
        queries.append(request.query_params.get("query", ""))
        return JSONResponse(VECTOR)

    return Starlette(routes=[Route("/api/v1/query", query)])


def kpi(name: str, screen: list[int], **options: Any) -> dict[str, Any]:
    base = {"label": name, "metric": "response_rate", "format": "percent"}
    return {
        "id": name,
        "kind": "kpi",
        "source": "care",
        "place": {"screen": screen},
        "options": base | options,
    }


WIDGETS = [
    kpi("france", [0, 0], where={"country": "FR"}),
    kpi("senegal", [1, 0], where={"country": "SN"}, thresholds={"warning": 0.8, "critical": 0.7}),
    kpi("overall", [2, 0], aggregate="mean"),
    {
        "id": "board",
        "kind": "countries",
        "source": "care",
        "place": {"screen": [0, 1]},
        "options": {
            "metric": "response_rate",
            "format": "percent",
            "decimals": 0,
            "thresholds": {"warning": 0.8, "critical": 0.7},
        },
    },
]


def test_the_readme_prometheus_example_feeds_kpis_and_a_board(
    tmp_path: Path, run_async: Callable[[Any], Any]
) -> None:
    queries: list[str] = []
    with serving(prometheus(queries)) as base:
        sources = json.loads("{" + EXAMPLE + "}")["sources"]
        sources["care"]["url"] = sources["care"]["url"].replace("https://prometheus.example.com", base)
        path = tmp_path / "prometheus.json"
        path.write_text(json.dumps({"name": "Prometheus", "sources": sources, "widgets": WIDGETS}))
        display = WallDisplay(load_settings(), str(path))
        items: Any = display.scene.items_by_id

        async def steps() -> None:
            await until(lambda: items["board"].state is WidgetState.READY, "the board fed by Prometheus")
            assert queries[0] == "avg by (country) (care_response_ratio)"
            assert (items["france"].value, items["france"].shown) == (0.87, "87.0\u2009%")
            assert items["senegal"].state is WidgetState.READY
            assert (items["senegal"].value, items["senegal"].shown) == (None, NO_VALUE)
            assert items["overall"].value == (0.87 + 0.64) / 2
            assert items["overall"].note == "1 of 3 without value"
            tiles = [(t.bar.key, t.value.lines[0], t.level) for t in items["board"].tiles]
            assert tiles == [
                ("FR", "87\u2009%", "positive"),
                ("SN", NO_VALUE, None),
                ("EG", "64\u2009%", "critical"),
            ]
            times = {r.time.timestamp() for r in items["board"].binding.store.records() if r.time}
            [measured] = times
            assert measured == pytest.approx(MEASURED)  # value[0], in epoch seconds
            snapshot.render(display.scene).save(str(tmp_path / "prometheus.png"))

        while_serving(run_async, display, steps)
