from __future__ import annotations

import pytest

from wallapp.core.view.formatting import NO_VALUE, format_delta, format_duration, format_value


@pytest.mark.parametrize(
    ("value", "fmt", "decimals", "expected"),
    [
        (12345, "number", None, "12,345"),
        (12.25, "number", 2, "12.25"),
        (0.873, "percent", None, "87.3\u2009%"),
        (1.0, "percent", 0, "100\u2009%"),
        (252, "duration", None, "4 min 12 s"),
        (12345, "compact", None, "12.3k"),
        (12000, "compact", None, "12k"),
        (183_400_000, "compact", None, "183M"),
        (2_500_000_000, "compact", None, "2.5B"),
        (999, "compact", None, "999"),
        (float("nan"), "number", None, NO_VALUE),
    ],
)
def test_values_read_as_people_say_them(value: float, fmt: str, decimals: int | None, expected: str) -> None:
    assert format_value(value, fmt, decimals) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (60, "1 min"),
        (252, "4 min 12 s"),
        (7530, "2 h 05 min"),
        (273600, "3 d 4 h"),
        (-90, "-1 min 30 s"),
    ],
)
def test_durations_use_two_largest_units(seconds: float, expected: str) -> None:
    assert format_duration(seconds) == expected


def test_deltas_by_format() -> None:
    assert format_delta(0.9, 0.85, "percent") == "+5.0 pts"
    assert format_delta(200, 252, "duration") == "-52 s"
    assert format_delta(110, 100) == "+10.0\u2009%"
    assert format_delta(5, 0) == "new"
