"""One rule for missing numbers: null, NaN, infinities and text that is not a number are missing everywhere.

Records turn them into ``None``; aggregates skip them (and count them), whatever the order of the records;
thresholds give them no level; formatting writes them as "no value"; charts leave a gap.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallapp.core.data.mapping import Mapping
from wallapp.core.data.records import Metric, Person, SeriesPoint, Topic
from wallapp.core.data.selection import Bar, Combination, combine, compare, ordered, read_metric
from wallapp.core.view.formatting import NO_VALUE, format_delta, format_duration, format_value
from wallapp.core.view.series import latest_series, nice_ticks, windowed
from wallapp.core.view.thresholds import Thresholds, level

NAN, INF = float("nan"), float("inf")
T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

MISSING_INPUTS: list[Any] = [
    None,
    NAN,
    INF,
    -INF,
    "NaN",
    "nan",
    "+Inf",
    "-Inf",
    "Infinity",
    "n/a",
    "",
    " ",
    "1e400",
]

# Any number a backend may send, missing ones included: NaN, infinities, huge and tiny finite values.
numbers = st.one_of(
    st.none(), st.floats(), st.sampled_from([NAN, INF, -INF, 1.7e308, -1.7e308, 5e-324, -0.0])
)
finite = st.floats(allow_nan=False, allow_infinity=False)
combinations = st.sampled_from(["mean", "sum", "min", "max"])


def metric(value: Any, country: str = "FR", minutes: int = 0) -> Metric:
    return Metric(
        name="rate", value=value, measured_at=T0 + timedelta(minutes=minutes), dimensions={"country": country}
    )


# Records: the one place where a number becomes missing


@pytest.mark.parametrize("raw", MISSING_INPUTS)
def test_every_kind_of_missing_number_is_missing_in_every_numeric_field(raw: Any) -> None:
    assert metric(raw).value is None
    assert SeriesPoint(series="s", at=T0, value=raw).value is None
    assert Topic(tag="x", trend=raw).trend is None
    assert Person(id="p", reach=raw, followers=raw).reach is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1.7e308, 1.7e308),
        ("1.7e308", 1.7e308),
        ("0.87", 0.87),
        (" 1,234.5 ", 1234.5),
        ("87 %", 87.0),
        (12, 12),
    ],
)
def test_huge_values_and_numbers_written_as_text_are_values(raw: Any, expected: float) -> None:
    assert metric(raw).value == expected


@given(finite)
def test_a_finite_value_is_kept_as_it_is(value: float) -> None:
    assert metric(value).value == value
    assert metric(repr(value)).value == value


def test_a_mapping_reads_null_nan_and_text_alike_and_keeps_the_record() -> None:
    def mapping(value: dict[str, Any]) -> Mapping:
        fields = {"name": {"default": "rate"}, "value": value, "dimensions.country": "c"}
        return Mapping.model_validate({"record": "metric", "fields": fields})

    items = [{"c": "FR", "v": None}, {"c": "DE", "v": "NaN"}, {"c": "IT", "v": NAN}, {"c": "ES", "v": "n/a"}]
    result = mapping({"expr": "v", "coerce": "number"}).compiled.apply(items)
    assert result.skipped == 0, result.problems
    assert [m.value for m in result.records if isinstance(m, Metric)] == [None, None, None, None]
    # A default stands for a missing value, whatever form the missing value took.
    defaulted = mapping({"expr": "v", "coerce": "number", "default": 0}).compiled.apply(items)
    assert [m.value for m in defaulted.records if isinstance(m, Metric)] == [0, 0, 0, 0]
    # Counts (integer fields) follow the same rule, read by their own type.
    people = Mapping.model_validate({"record": "person"}).compiled.apply(
        [{"id": "a", "reach": "NaN"}, {"id": "b", "followers": "Infinity"}, {"id": "c", "reach": "1,200"}]
    )
    read = [(p.reach, p.followers) for p in people.records if isinstance(p, Person)]
    assert read == [(None, None), (None, None), (1200, None)]


# Aggregates: skip what is missing, in any order


@pytest.mark.parametrize("how", ["mean", "sum", "min", "max"])
def test_one_missing_country_does_not_blank_an_aggregate_over_ten(how: Combination) -> None:
    values = [0.5 + n / 100 for n in range(9)]
    records = [metric(v, f"C{n}") for n, v in enumerate(values)] + [metric("NaN", "C9")]
    reading = read_metric(records, "rate", {}, how)
    assert reading is not None
    assert reading.value == pytest.approx(combine(values, how))
    assert (reading.count, reading.skipped) == (9, 1)


def test_min_and_max_do_not_depend_on_where_the_missing_value_is() -> None:
    assert combine([NAN, 1.0, 3.0], "max") == combine([1.0, 3.0, NAN], "max") == 3.0
    assert combine([NAN, 1.0, 3.0], "min") == combine([1.0, NAN, 3.0], "min") == 1.0


@given(st.lists(numbers, max_size=12), combinations, st.randoms(use_true_random=False))
def test_combining_skips_missing_values_in_any_order(
    values: list[float | None], how: Combination, rnd: Any
) -> None:
    kept = [v for v in values if v is not None and math.isfinite(v)]
    result = combine(values, how)
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert combine(shuffled, how) == result
    assert combine([NAN if v is None else v for v in values], how) == result  # null is NaN
    assert combine(kept, how) == result
    if not kept:
        assert result is None
    if how in ("min", "max", "mean") and kept:
        assert result is not None
        assert min(kept) <= result <= max(kept)
    assert result is None or math.isfinite(result)


@given(
    st.lists(st.tuples(numbers, st.integers(0, 3)), min_size=1, max_size=10),
    st.sampled_from(["latest", "mean", "sum", "min", "max"]),
    st.randoms(use_true_random=False),
)
def test_a_reading_is_the_same_in_any_order_and_with_null_for_nan(
    drawn: list[tuple[float | None, int]], how: Any, rnd: Any
) -> None:
    records = [metric(value, f"C{n}", minutes) for n, (value, minutes) in enumerate(drawn)]
    reading = read_metric(records, "rate", {}, how)
    rnd.shuffle(records)
    assert read_metric(records, "rate", {}, how) == reading
    as_null = [r.model_copy(update={"value": None}) if r.value is None else r for r in records]
    assert read_metric(as_null, "rate", {}, how) == reading
    assert reading is not None  # there are matches: a reading, perhaps of no value
    missing = sum(1 for value, _ in drawn if value is None or not math.isfinite(value))
    assert reading.skipped == missing
    assert reading.count == len(drawn) - missing
    if reading.count == 0:
        assert reading.value is None


def test_latest_takes_the_newest_value_and_says_what_it_skipped() -> None:
    records = [metric(0.7, "FR", 1), metric(None, "DE", 5), metric(0.9, "IT", 1)]
    reading = read_metric(records, "rate", {}, "latest")
    assert reading is not None
    assert reading.value == 0.9  # equal times: the same choice in any order (by id)
    assert (reading.count, reading.skipped, reading.measured_at) == (2, 1, T0 + timedelta(minutes=1))
    nothing = read_metric([metric("NaN")], "rate", {}, "latest")
    assert nothing is not None
    assert (nothing.value, nothing.count, nothing.skipped) == (None, 0, 1)
    assert read_metric([metric(1.0)], "other", {}) is None  # no such metric: no reading at all


def test_a_brand_with_a_missing_value_keeps_its_bar_marked_and_sorted_last() -> None:
    records = [
        Metric(name="rate", value=v, dimensions={"brand": brand, "country": country})
        for brand, country, v in [
            ("Orbis", "FR", 80.0),
            ("Orbis", "DE", "NaN"),
            ("Kairo", "FR", None),
            ("Veltra", "FR", 70.0),
        ]
    ]
    bars = compare(records, "rate", {}, "brand", "mean")
    assert bars == [Bar("Orbis", 80.0, 1), Bar("Kairo", None, 1), Bar("Veltra", 70.0)]
    assert [b.key for b in ordered(bars, "descending", 10)] == ["Orbis", "Veltra", "Kairo"]
    assert [b.key for b in ordered(bars, "ascending", 10)] == ["Veltra", "Orbis", "Kairo"]
    assert [b.key for b in ordered(bars, "ascending", 2)] == ["Veltra", "Orbis"]


# Thresholds: a missing value is never OK


@given(numbers)
def test_a_missing_value_earns_no_level_and_a_value_always_earns_one(value: float | None) -> None:
    for thresholds in (
        Thresholds(warning=0.8, critical=0.7),
        Thresholds(warning=60, critical=300, higher_is_worse=True),
    ):
        earned = level(thresholds, value)
        if value is None or not math.isfinite(value):
            assert earned is None
        else:
            assert earned in ("positive", "warning", "critical")


# Formatting: never raises, never writes nan or inf, huge values stay short


@given(
    numbers,
    st.sampled_from(["number", "percent", "duration", "compact"]),
    st.one_of(st.none(), st.integers(0, 6)),
)
def test_any_value_formats_to_short_text(value: float | None, fmt: Any, decimals: int | None) -> None:
    shown = format_value(value, fmt, decimals)
    if value is None or not math.isfinite(value):
        assert shown == NO_VALUE
    else:
        assert shown != NO_VALUE
        assert "nan" not in shown.lower()
        assert "inf" not in shown.lower()
        assert 0 < len(shown) <= 28, shown


@given(numbers, numbers, st.sampled_from(["number", "percent", "duration", "compact"]))
def test_a_delta_is_omitted_against_a_missing_value(
    value: float | None, previous: float | None, fmt: Any
) -> None:
    delta = format_delta(value, previous, fmt)
    if any(v is None or not math.isfinite(v) for v in (value, previous)):
        assert delta is None
    if delta is not None:
        assert "nan" not in delta.lower()
        assert "inf" not in delta.lower()
        assert len(delta) <= 28, delta


@given(numbers)
def test_any_duration_formats(seconds: float | None) -> None:
    shown = format_duration(seconds)
    assert (shown == NO_VALUE) == (seconds is None or not math.isfinite(seconds))
    assert len(shown) <= 28


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1.7e308, "number", "1.7e308"),
        (-2.5e20, "compact", "-2.5e20"),
        (1e15, "percent", "1e17\u2009%"),
        (-0.0, "number", "0"),
        (-0.0004, "percent", "0.0\u2009%"),
        (3e15, "duration", "3.47e10 d"),
    ],
)
def test_huge_values_and_negative_zero_read_plainly(value: float, fmt: Any, expected: str) -> None:
    assert format_value(value, fmt) == expected


# Charts: a gap where a value is missing


def test_a_missing_point_is_a_gap_in_its_series() -> None:
    points = [
        SeriesPoint(series="s", at=T0 + timedelta(minutes=m), value=v) for m, v in enumerate([1, "NaN", 3])
    ]
    points.append(SeriesPoint(series="empty", at=T0, value=None))
    series = windowed(points, 3600)
    assert list(series) == ["s"]  # a series with no value at all is not drawn
    assert [v for _, v in series["s"]][0::2] == [1, 3]
    assert math.isnan(series["s"][1][1])
    assert [v for _, v in latest_series(points, "s", 5)] == [1, 3]  # a sparkline just skips it


@given(finite, finite, st.integers(1, 8))
def test_value_ticks_are_finite_for_any_finite_range(a: float, b: float, count: int) -> None:
    ticks = nice_ticks(min(a, b), max(a, b), count)
    assert len(ticks) >= 2
    assert all(math.isfinite(t) for t in ticks)
    assert ticks == sorted(ticks)
    assert len(ticks) <= count * 3 + 3
