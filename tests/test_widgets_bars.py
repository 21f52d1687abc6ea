"""Comparison bars: one metric per brand or country, sorted, the own brand in the accent colour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from widget_kit import NOW, Bench, count, state_of

from wallapp.core.data.records import Metric, Post
from wallapp.core.data.selection import Bar, compare, matches, ordered, read_metric
from wallapp.core.view.formatting import NO_VALUE
from wallapp.qt.widgets import WidgetState

pytestmark = pytest.mark.usefixtures("qapp")  # the widgets' scenes need the application (not made alone)


def metric(name: str, value: float | None, **dimensions: str) -> Metric:
    return Metric(name=name, value=value, measured_at=NOW, dimensions=dimensions)


RECORDS = [
    metric("response_rate", 80.0, brand="Orbis", country="FR"),
    metric("response_rate", 90.0, brand="Orbis", country="DE"),
    metric("response_rate", 70.0, brand="Veltra", country="FR"),
    metric("response_rate", 95.0, brand="Nimbus", country="FR"),
    metric("response_rate", None, brand="Kairo", country="FR"),
    metric("response_rate", 99.0, country="FR"),  # no brand: not a bar
    metric("volume", 5, brand="Orbis", country="FR"),
]

WIDGET: dict[str, Any] = {
    "id": "vs",
    "kind": "bars",
    "source": "feed",
    "place": {"screen": [2, 0], "part": [0, 0, 1, 0.5]},
    "options": {
        "title": "Response rate",
        "metric": "response_rate",
        "by": "brand",
        "highlight": "Orbis",
        "format": "percent",
        "scale": 0.01,
    },
}


def test_a_metric_is_compared_across_a_dimension() -> None:
    bars = compare(RECORDS, "response_rate", {}, "brand", "mean")
    # Kairo has no value: kept, as no value, sorted after the others.
    assert bars == [Bar("Orbis", 85.0), Bar("Veltra", 70.0), Bar("Nimbus", 95.0), Bar("Kairo", None, 1)]
    assert compare(RECORDS, "response_rate", {"country": "FR"}, "brand", "mean")[0] == Bar("Orbis", 80.0)
    assert compare(RECORDS, "response_rate", {}, "network") == []
    assert [b.key for b in ordered(bars, "descending", 10)] == ["Nimbus", "Orbis", "Veltra", "Kairo"]
    assert [b.key for b in ordered(bars, "ascending", 2)] == ["Veltra", "Orbis"]
    assert [b.key for b in ordered(bars, "none", 10)] == ["Orbis", "Veltra", "Nimbus", "Kairo"]


@pytest.mark.usefixtures("qapp")
def _compare_key_by_key(records: list[Metric], where: dict[str, str]) -> list[Bar]:
    """``compare`` as it read each key from all the records (the reference it must agree with)."""
    keys = dict.fromkeys(
        r.dimensions["brand"]
        for r in records
        if r.name == "rate" and "brand" in r.dimensions and matches(r.dimensions, where)
    )
    found = [(key, read_metric(records, "rate", {**where, "brand": key}, "mean")) for key in keys]
    return [Bar(key, reading.value, reading.skipped) for key, reading in found if reading is not None]


DIMENSION = st.sampled_from(["a", "b", "c"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda name, dims, value, n: Metric(id=f"m{n}", name=name, dimensions=dims, value=value),
            st.sampled_from(["rate", "other"]),
            st.dictionaries(st.sampled_from(["brand", "country"]), DIMENSION, max_size=2),
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False, width=32)),
            st.integers(0, 10**6),
        ),
        max_size=30,
        unique_by=lambda m: m.id,
    ),
    st.dictionaries(st.sampled_from(["brand", "country"]), DIMENSION, max_size=1),
)
def test_comparing_in_one_pass_reads_what_reading_each_key_read(
    records: list[Metric], where: dict[str, str]
) -> None:
    assert compare(records, "rate", where, "brand", "mean") == _compare_key_by_key(records, where)


def test_bars_follow_their_store_sorted_and_labelled(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    item = bench.item
    assert item.state is WidgetState.EMPTY
    bench.feed(RECORDS)
    assert state_of(item) is WidgetState.READY
    assert [(s.bar.key, s.value.lines[0]) for s in item.bars] == [
        ("Nimbus", "95.0\u2009%"),
        ("Orbis", "85.0\u2009%"),
        ("Veltra", "70.0\u2009%"),
        ("Kairo", NO_VALUE),
    ]
    assert [s.own for s in item.bars] == [False, True, False, False]
    assert item.bars[0].share == 1.0
    assert item.bars[2].share == pytest.approx(70 / 95)
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_the_own_brand_bar_is_painted_in_the_accent_colour(tmp_path: Path) -> None:
    bench = Bench(tmp_path, WIDGET)
    bench.feed(RECORDS)
    item = bench.item
    image = bench.render()
    pos, area = item.scenePos(), item.area()
    height, _ = item.rows()
    gap = item.style.spacing.padding / 4
    accent, muted = bench.colour("accent"), bench.colour("text_muted")
    middle = pos.x() + area.center().x()
    rows = [pos.y() + area.top() + n * (height + gap) for n in range(3)]
    # Row 2 (Orbis) has an accent bar; rows 1 and 3 have muted ones.
    assert count(image, accent, middle - 100, rows[1], middle + 100, rows[1] + height) > 100
    assert count(image, accent, middle - 100, rows[0], middle + 100, rows[0] + height) == 0
    assert count(image, muted, middle - 100, rows[0], middle + 100, rows[0] + height) > 100
    bench.close()


@pytest.mark.usefixtures("qapp")
def test_missing_dimension_or_metric_is_said_not_drawn_blank(tmp_path: Path) -> None:
    widget = {**WIDGET, "options": {**WIDGET["options"], "by": "network"}}
    bench = Bench(tmp_path, widget)
    bench.feed(RECORDS)
    assert bench.item.state is WidgetState.ERROR
    assert bench.item.notice.headline == "No dimension 'network' on metric 'response_rate'"
    assert bench.item.notice.detail == "Known: brand, country"
    bench.feed([Post(id="p", text="hello")])
    assert bench.item.notice.headline == "Source 'feed' has posts, not metrics"
    bench.close()
    bench = Bench(tmp_path, WIDGET)
    bench.feed([metric("response_rate", float("nan"), brand="Orbis"), metric("response_rate", -5, brand="X")])
    assert bench.item.state is WidgetState.READY
    # NaN is no value, after the others; a negative value draws no bar.
    assert [s.bar.key for s in bench.item.bars] == ["X", "Orbis"]
    assert bench.item.bars[0].share == 0.0
    bench.render()
    bench.close()
