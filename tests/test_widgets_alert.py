"""The alert banner: levels read from rows, raised and cleared, urgent but legible."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from widget_kit import NOW, Bench, count, state_of

from wallapp.core.data.alerts import Alert, latest_alert, read_level
from wallapp.core.data.records import Post, Row
from wallapp.qt.widgets import WidgetState


def row(minutes: int, **values: Any) -> Row:
    return Row(at=NOW + timedelta(minutes=minutes), values=values)


def widget(**options: Any) -> dict[str, Any]:
    place = {"screen": [0, 0], "span": [3, 1], "part": [0, 0, 1, 0.2]}
    return {"id": "alarm", "kind": "alert", "source": "feed", "place": place, "options": options}


def test_levels_are_read_loosely_and_the_newest_row_decides() -> None:
    assert [read_level(w) for w in ("INFO", "warn", "Critical", "crisis", "ok", None, "purple")] == [
        "info",
        "warning",
        "crisis",
        "crisis",
        None,
        None,
        "warning",
    ]
    raised = (row(2, level="crisis", message="Outage  in\nLyon"), row(1, level="clear"))
    assert latest_alert(raised) == Alert("crisis", "Outage in Lyon")
    assert latest_alert((row(3, level="resolved"), *raised)) is None
    assert latest_alert((row(0, other=1), Post(id="p"))) is False
    assert latest_alert((row(0, severity="warning"),), level_field="severity") == Alert("warning", "Warning")


@pytest.mark.usefixtures("qapp")
def test_an_alert_is_raised_and_cleared_by_its_source(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget(message="Launch day: watch #OrbisFibre", level="info"))
    item = bench.item
    assert item.state is WidgetState.READY
    assert item.alert == Alert("info", "Launch day: watch #OrbisFibre")
    bench.feed([Post(id="p", text="no alerts here")])
    assert item.alert == Alert("info", "Launch day: watch #OrbisFibre")  # the layout's message stays
    bench.feed([row(1, level="crisis", message="Network outage in Lyon")], replace=False)
    assert item.alert == Alert("crisis", "Network outage in Lyon")
    bench.feed([row(2, level="clear")], replace=False)
    assert item.alert is None
    assert item.has_panel()  # calm: the panel stays, with its quiet line
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_crisis_fills_the_banner_and_keeps_its_text_legible(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget(message="<b>Outage</b> in Lyon", level="crisis"))
    item = bench.item
    _, message = item.blocks(item.content_rect())
    assert message.lines == ("<b>Outage</b> in Lyon",)
    assert message.px >= item.style.min_px
    image = bench.render()
    box = item.boundingRect()
    pos = item.scenePos()
    critical = bench.colour("critical")
    area = (pos.x(), pos.y(), pos.x() + 1900, pos.y() + box.height())
    assert count(image, critical, *area) > 10000
    # The text is drawn in the dark ink on it.
    assert count(image, bench.colour("background"), *area) > 500
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_hidden_banner_draws_nothing_when_clear(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget(cleared="hidden"))
    item = bench.item
    assert item.state is WidgetState.EMPTY  # bound and nothing heard yet: waiting, not "all clear"
    bench.feed([row(1, level="ok")])
    assert state_of(item) is WidgetState.READY
    assert item.alert is None
    assert not item.has_panel()
    image = bench.render()
    pos, box = item.scenePos(), item.boundingRect()
    background = bench.colour("background")
    assert count(image, background, pos.x(), pos.y(), pos.x() + 1900, pos.y() + box.height()) > 50000
    assert (
        count(image, bench.colour("surface"), pos.x(), pos.y(), pos.x() + 1900, pos.y() + box.height()) == 0
    )
    bench.feed([row(2, level="warning", message="Slow answers")])
    assert item.has_panel()
    bench.close()
