"""The layout editor's source editor: sources edited as forms, added, removed, renamed, and tested once
against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot
from servers import free_port, serve, until
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from wallapp.core.view.geometry import WallSpec
from wallapp.qt.editor.checking import Checker
from wallapp.qt.editor.fields import ChoiceEditor, JsonEditor, NumberEditor, TextEditor
from wallapp.qt.editor.forms import ModelEditor
from wallapp.qt.editor.sources import SAMPLE, SourcesPanel, SourceTester

Run = Callable[[Coroutine[Any, Any, Any]], Any]

METRICS = [{"metric": f"rate_{n}", "score": n / 10, "country": "FR" if n % 2 else "DE"} for n in range(30)]
MAPPING = {
    "record": "metric",
    "items": "data",
    "fields": {"name": "metric", "value": "score", "dimensions.country": "country"},
}


def _layout(url: str) -> dict[str, Any]:
    return {
        "name": "Test",
        "sources": {
            "api": {"kind": "http", "url": url, "interval": 30, "mapping": MAPPING},
            "posts": {"kind": "demo", "feed": "posts"},
        },
        "widgets": [
            {
                "id": "rate",
                "kind": "kpi",
                "place": {"screen": [0, 0]},
                "source": "api",
                "options": {"label": "Rate", "metric": "rate_1"},
            }
        ],
    }


@pytest.fixture
def panel(qtbot: QtBot, tmp_path: Path) -> SourcesPanel:
    checker = Checker(WallSpec(), None, tmp_path)
    shown = SourcesPanel(checker, SourceTester(tmp_path, timeout=5))
    shown.resize(560, 900)
    qtbot.addWidget(shown)
    return shown


def _api() -> Starlette:
    return Starlette(routes=[Route("/metrics", lambda _: JSONResponse({"data": METRICS}))])


def test_test_source_shows_a_sample_of_the_records(panel: SourcesPanel, run_async: Run) -> None:
    async def scenario() -> None:
        async with serve(_api()) as base:
            panel.show_sources(_layout(f"{base}/metrics"), "api")
            panel.test_button.click()  # as the operator does: the test runs on the loop
            assert panel.testing is not None
            testing = panel.testing
            await until(testing.done, "the source's test")
            assert testing.result() is not None

    run_async(scenario())
    assert panel.outcome.text() == f"30 records, the first {SAMPLE} shown"
    assert not panel.table.isHidden()
    assert panel.table.rowCount() == SAMPLE
    table = panel.table
    headers = [_text(table.horizontalHeaderItem(c)) for c in range(table.columnCount())]
    rows = [{h: _text(table.item(r, c)) for c, h in enumerate(headers)} for r in range(table.rowCount())]
    assert {"name", "value", "dimensions"} <= set(headers)
    assert len({row["name"] for row in rows}) == SAMPLE
    assert {row["name"] for row in rows} <= {m["metric"] for m in METRICS}
    rate = next(row for row in rows if row["name"] == "rate_3")
    assert rate["value"] == "0.3"
    assert rate["dimensions"] == '{"country": "FR"}'


def _text(item: QTableWidgetItem | None) -> str:
    assert item is not None
    return item.text()


def test_test_source_says_why_a_closed_port_gives_nothing(panel: SourcesPanel, run_async: Run) -> None:
    panel.show_sources(_layout(f"http://127.0.0.1:{free_port()}/metrics"), "api")
    probed = run_async(panel.test_source())
    assert probed is not None
    assert probed.error is not None
    assert probed.error == "connection refused"
    assert panel.outcome.text() == "Connection refused"  # as `wallapp probe` says it
    assert panel.table.isHidden()


def test_an_edit_of_a_source_is_checked_and_emitted_once_valid(panel: SourcesPanel, qtbot: QtBot) -> None:
    data = _layout("http://127.0.0.1:8000/metrics")
    panel.show_sources(data, "api")
    assert panel.form is not None
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    url = panel.form.editors["url"]
    assert isinstance(url, TextEditor)
    url.edit.setText("ftp://example.com/x")
    url.committed.emit()
    assert emitted == []
    assert panel.form.labels["url"].text() == "the URL must start with http:// or https://"
    interval = panel.form.editors["interval"]
    assert isinstance(interval, NumberEditor)
    url.edit.setText("https://example.com/api")
    interval.box.lineEdit().setText("0")
    interval.committed.emit()
    assert emitted == []
    assert panel.form.labels["interval"].text() == "Input should be greater than 0"
    interval.box.lineEdit().setText("60")
    interval.committed.emit()
    assert len(emitted) == 1
    api = emitted[0]["sources"]["api"]
    assert json.dumps(api) == json.dumps(
        {**data["sources"]["api"], "url": "https://example.com/api", "interval": 60}
    )
    mapping = panel.form.editors["mapping"]
    assert isinstance(mapping, ModelEditor)
    record = mapping.form.editors["record"]
    assert isinstance(record, ChoiceEditor)
    record.choose("post")  # the fields mapped are no post's: refused, and said at the mapping
    assert len(emitted) == 1
    assert mapping.form.problems.text().startswith("post records have no field 'name' (fields: id, ")
    fields = mapping.form.editors["fields"]
    assert isinstance(fields, JsonEditor)
    fields.edit.setPlainText("{}")
    fields.committed.emit()
    assert len(emitted) == 1  # still posts, which the KPI bound to it cannot show: said, not emitted
    assert panel.problems.text() == (
        "widgets[0].source: a kpi widget shows metrics, but source 'api' yields posts"
    )
    record.choose("metric")
    assert len(emitted) == 2
    assert emitted[-1]["sources"]["api"]["mapping"] == {"record": "metric", "items": "data", "fields": {}}


def test_changing_the_kind_keeps_what_the_new_kind_has(panel: SourcesPanel) -> None:
    data = _layout("http://127.0.0.1:8000/metrics")
    data["sources"]["posts"]["capacity"] = 50
    panel.show_sources(data, "posts")
    assert panel.form is not None
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    kind = panel.form.editors["kind"]
    assert isinstance(kind, ChoiceEditor)
    kind.choose("http")
    assert emitted == []  # no URL nor mapping yet
    assert panel.form.editors["capacity"].value() == 50
    assert panel.form.labels["url"].text() == "required but missing"
    url = panel.form.editors["url"]
    assert isinstance(url, TextEditor)
    url.edit.setText("https://example.com/posts")
    mapping = panel.form.editors["mapping"]
    assert isinstance(mapping, ModelEditor)
    record = mapping.form.editors["record"]
    assert isinstance(record, ChoiceEditor)
    record.choose("post")
    assert emitted[-1]["sources"]["posts"] == {
        "kind": "http",
        "capacity": 50,
        "url": "https://example.com/posts",
        "mapping": {"record": "post"},
    }


def test_sources_are_added_renamed_and_removed(panel: SourcesPanel) -> None:
    data = _layout("http://127.0.0.1:8000/metrics")
    panel.show_sources(data, "api")
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    assert not panel.remove_source()  # the KPI shows it
    assert panel.problems.text() == "source 'api' feeds rate: choose another source for them first"
    assert emitted == []
    name = panel.add_source()
    assert name == "source"
    assert emitted[-1]["sources"]["source"] == {"kind": "demo", "feed": "posts"}
    assert panel.name == "source"
    panel.select("api")
    panel.name_edit.setText("metrics")
    panel.name_edit.editingFinished.emit()
    renamed = emitted[-1]
    assert list(renamed["sources"]) == ["metrics", "posts", "source"]
    assert renamed["widgets"][0]["source"] == "metrics"
    panel.select("posts")
    assert panel.remove_source()
    assert list(emitted[-1]["sources"]) == ["metrics", "source"]


def test_a_test_never_blocks_the_loop(panel: SourcesPanel, run_async: Run) -> None:
    """The editor stays live while a source is tried: the attempt runs on the loop, beside the window."""
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    async def scenario() -> None:
        ticker = asyncio.ensure_future(ticking())
        try:
            async with serve(_api()) as base:
                panel.show_sources(_layout(f"{base}/metrics"), "api")
                await panel.test_source()
        finally:
            ticker.cancel()

    run_async(scenario())
    assert ticks > 1


def test_test_source_names_a_missing_secret(panel: SourcesPanel, run_async: Run) -> None:
    panel.show_sources(_layout("http://127.0.0.1:1/metrics?token=${secret:api_token}"), "api")
    probed = run_async(panel.test_source())
    assert probed is not None
    assert panel.outcome.text().startswith("No such secret: api_token — the secret api_token is not set")
    assert panel.table.isHidden()
