"""Trending topics: selection, trend text, the list and the weighted cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from widget_kit import NOW, Bench, count, state_of

from wallapp.core.data.records import Metric, Topic
from wallapp.core.data.selection import trend_text, trending, weights
from wallapp.qt.widgets import WidgetState


def topic(tag: str, volume: int | None, trend: float | None = None) -> Topic:
    return Topic(tag=tag, volume=volume, trend=trend, updated_at=NOW)


TOPICS = [topic(f"#Tag{n}", 1000 - 60 * n, 0.3 if n % 2 else -0.2) for n in range(15)]


def widget(style: str, part: list[float] | None = None) -> dict[str, Any]:
    place: dict[str, Any] = {"screen": [1, 0], "part": part or [0, 0, 0.5, 1]}
    return {"id": "hot", "kind": "topics", "source": "feed", "place": place, "options": {"style": style}}


def test_topics_rank_by_volume_and_trends_read_as_percentages() -> None:
    ranked = trending([topic("#b", 5), topic("#a", None), topic("#c", 50), Metric(name="x")], 10)
    assert [t.tag for t in ranked] == ["#c", "#b", "#a"]
    assert trend_text(0.254) == "+25\u2009%"
    assert trend_text(-0.08) == "-8\u2009%"
    assert trend_text(0.001) == "±0\u2009%"
    assert trend_text(None) == ""
    assert trend_text(float("nan")) == ""
    assert weights([100, 25, 0, None]) == [1.0, 0.5, 0.0, 0.0]
    assert weights([7, 7]) == [1.0, 1.0]


@pytest.mark.usefixtures("qapp")
def test_the_list_follows_its_store(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget("list"))
    item = bench.item
    assert item.state is WidgetState.EMPTY
    bench.feed(TOPICS)
    assert state_of(item) is WidgetState.READY
    assert [line.topic.tag for line in item.lines][:3] == ["#Tag0", "#Tag1", "#Tag2"]
    assert len(item.lines) == min(10, item.row_height()[1])
    assert item.lines[1].volume.lines == ("940",)
    assert item.lines[1].trend.lines == ("+30\u2009%",)
    # One size for every tag: the list reads as a column.
    assert len({line.tag.px for line in item.lines}) == 1
    image = bench.render()
    pos, box = item.scenePos(), item.boundingRect()
    right = pos.x() + box.width() * 0.7, pos.x() + box.width()
    assert count(image, bench.colour("positive"), right[0], pos.y(), right[1], pos.y() + box.height()) > 50
    assert count(image, bench.colour("critical"), right[0], pos.y(), right[1], pos.y() + box.height()) > 50
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_the_cloud_sizes_tags_by_volume_never_below_the_floor(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget("cloud"))
    bench.feed(TOPICS[:8])
    item = bench.item
    assert len(item.words) == 8
    sizes = {word.block.lines[0]: word.block.px for word in item.words}
    assert sizes["#Tag0"] > sizes["#Tag7"] >= item.style.min_px
    area = item.area()
    for word in item.words:
        assert area.contains(word.at)
        assert word.at.x() + word.block.width() <= area.right() + 1
        assert word.at.y() + word.block.line_height <= area.bottom() + 1
    bench.render()
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_a_small_cloud_leaves_out_the_smallest_tags_rather_than_shrink_them(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget("cloud", [0, 0, 0.25, 0.2]))
    bench.feed(TOPICS)
    item = bench.item
    shown = [word.block.lines[0] for word in item.words]
    assert 0 < len(shown) < len(TOPICS)
    assert "#Tag0" in shown
    assert all(word.block.px >= item.style.min_px for word in item.words)
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_wrong_records_and_missing_figures(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget("list"))
    bench.feed([Metric(name="volume", value=3)])
    assert bench.item.state is WidgetState.ERROR
    bench.feed([topic("#<i>x</i>", None, None)])
    (line,) = bench.item.lines
    assert line.tag.lines == ("#<i>x</i>",)
    assert line.volume.lines == ("–",)
    assert line.trend.lines == ("–",)
    bench.render()
    bench.close()
