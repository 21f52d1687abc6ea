"""Every widget that selects from records says when its source holds the wrong ones; old data is marked
with a badge that has its own room and muted figures; content a failing source never replaced says so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from widget_kit import NOW, Bench, count, state_of

from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.data.records import Metric, Post, Record, Row, SeriesPoint
from wallapp.qt.widgets import WidgetState

pytestmark = pytest.mark.usefixtures("qapp")

PLACE = {"screen": [0, 0], "part": [0, 0, 0.5, 0.5]}
A_POST = Post(id="p", handle="ana", author_name="Ana", text="Fibre is back #Fibre", created_at=NOW)
A_METRIC = Metric(name="response_rate", value=87.0, measured_at=NOW, dimensions={"brand": "Orbis"})

WRONG_SOURCE = [
    ("kpi", {"label": "Rate", "metric": "response_rate"}, A_POST, "posts, not metrics"),
    ("bars", {"metric": "response_rate", "by": "brand"}, A_POST, "posts, not metrics"),
    ("countries", {"metric": "response_rate"}, A_POST, "posts, not metrics"),
    ("chart", {"series": ["volume"]}, A_POST, "posts, not series points"),
    ("ranking", {}, A_POST, "posts, not people"),
    ("topics", {}, A_POST, "posts, not topics"),
    ("posts", {}, A_METRIC, "metrics, not posts"),
    ("spotlight", {}, A_METRIC, "metrics, not posts"),
    ("ticker", {"items": ["Welcome"]}, A_METRIC, "metrics, not posts"),
    ("alert", {}, A_POST, "posts, not rows"),
]


def widget(kind: str, options: dict[str, Any], place: dict[str, Any] = PLACE) -> dict[str, Any]:
    return {"id": "w", "kind": kind, "source": "feed", "place": place, "options": options}


def warning_pixels(bench: Bench) -> int:
    box = bench.item.sceneBoundingRect()
    return count(bench.render(), bench.colour("warning"), box.left(), box.top(), box.right(), box.bottom())


@pytest.mark.parametrize(("kind", "options", "record", "words"), WRONG_SOURCE)
def test_every_widget_that_selects_records_says_when_its_source_has_other_ones(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    options: dict[str, Any],
    record: Record,
    words: str,
) -> None:
    bench = Bench(tmp_path, widget(kind, options))
    bench.feed([record])
    bench.feed([record])  # the same mistake again: logged once
    assert bench.item.state is WidgetState.ERROR
    assert bench.item.notice.headline == f"Source 'feed' has {words}"
    assert [r.getMessage() for r in caplog.records if r.name == "wallapp.widgets"] == [
        f"widget 'w': Source 'feed' has {words}"
    ]
    assert warning_pixels(bench) > 50  # said on the wall, in the warning colour
    bench.close()


def test_a_chart_names_the_series_it_cannot_find_and_an_alert_the_field(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget("chart", {"series": ["posts_per_minut"]}))
    bench.feed([SeriesPoint(series="posts_per_minute", at=NOW, value=3)])
    assert (bench.item.notice.headline, bench.item.notice.detail) == (
        "No series 'posts_per_minut' in source 'feed'",
        "Known: posts_per_minute",
    )
    bench.close()
    bench = Bench(tmp_path, widget("alert", {}))
    bench.feed([Row(values={"severity": "crisis", "message": "Outage"})])
    assert bench.item.notice.headline == "No field 'level' in the rows of source 'feed'"
    bench.feed([Row(values={"level": "crisis", "message": "Outage"})])
    assert state_of(bench.item) is WidgetState.READY
    bench.close()


STALE = Freshness(SourceState.STALE, timedelta(days=7, hours=4), None, 0)
FAILING = Freshness(SourceState.FAILING, timedelta(hours=2, minutes=5), "HTTP 503 Service Unavailable", 9)


@pytest.mark.parametrize("width", [0.5, 1.0])
@pytest.mark.parametrize("freshness", [STALE, FAILING])
def test_the_badge_leaves_a_kpi_label_whole_and_is_never_cut_itself(
    tmp_path: Path, width: float, freshness: Freshness
) -> None:
    place = {"screen": [1, 0], "part": [0, 0, width, 0.5]}
    options = {"label": "Avg. time to respond", "metric": "response_rate"}
    bench = Bench(tmp_path, widget("kpi", options, place))
    bench.feed([A_METRIC])
    bench.freshness = freshness
    bench.scene.refresh_freshness()
    item, content = bench.item, bench.item.content_rect()
    label, badge = item._label(content), item.badge_rect(content)
    assert not label.elided
    assert not item._badge_block(content).elided
    assert content.left() + label.width() < badge.left()  # side by side, never over each other
    assert badge.right() <= content.right() + 1
    bench.render()
    bench.close()


def test_old_figures_are_muted_and_live_ones_are_not(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget("kpi", {"label": "Rate", "metric": "response_rate"}))
    bench.feed([A_METRIC])
    box = bench.item.sceneBoundingRect()

    def pixels(colour: str) -> int:
        return count(bench.render(), bench.colour(colour), box.left(), box.top(), box.right(), box.bottom())

    live_text = pixels("text")
    assert live_text > 500  # the figure, in the text colour
    bench.freshness = STALE
    bench.scene.refresh_freshness()
    assert pixels("text") < live_text / 10  # the same figure, muted
    bench.close()


def test_a_post_wall_makes_room_for_the_badge_above_its_cards(tmp_path: Path) -> None:
    bench = Bench(tmp_path, widget("posts", {"columns": 2}, {"screen": [0, 0]}))
    bench.feed([A_POST.model_copy(update={"id": f"p{n}"}) for n in range(6)])
    item = bench.item
    top = min(motion.end.y() for motion in item._motions.values())
    bench.freshness = STALE
    bench.scene.refresh_freshness()
    badge = item.badge_rect(item.badge_area())
    assert not badge.isEmpty()
    assert top < badge.bottom()  # before, the first cards were where the badge now is
    assert min(motion.end.y() for motion in item._motions.values()) > badge.bottom()
    bench.close()


def test_a_ticker_keeps_its_own_headlines_and_says_its_source_is_failing(tmp_path: Path) -> None:
    place = {"screen": [0, 1], "span": [3, 1], "part": [0, 0.8, 1, 0.2]}
    bench = Bench(tmp_path, widget("ticker", {"items": ["Welcome to the hub"]}, place))
    bench.freshness = Freshness(
        SourceState.FAILING, None, "HTTP 500 Internal Server Error", 3, timedelta(minutes=2)
    )
    bench.scene.refresh_freshness()
    assert bench.item.state is WidgetState.READY
    assert bench.item.tape.items == ("Welcome to the hub",)
    assert bench.item.badge == "Backend error 500 · retrying"
    assert bench.item.strip_rect().left() > bench.item.badge_rect(bench.item.content_rect()).right()
    bench.close()
