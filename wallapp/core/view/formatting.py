"""Formatting figures for people reading them from across a room."""

from __future__ import annotations

import math
from typing import Literal

from wallapp.core.data.freshness import Freshness, SourceState

THIN_SPACE = "\u2009"
_COMPACT = ((1e9, "B"), (1e6, "M"), (1e3, "k"))

NO_VALUE = "no value"
"""What a missing value reads as (null, NaN, an infinity: ``records.as_number``), never "0" or "nan"."""

HUGE = 1e15
"""From here on a figure is written 1.2e15: more digits than anyone reads from across a room, and a long
figure would be elided, and a cut figure reads as a smaller one."""

ValueFormat = Literal["number", "percent", "duration", "compact"]
"""How a figure is written: 12,345 | 87.3 % | 4 min 12 s | 12.3k."""


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def _scientific(value: float, shift: int = 0) -> str:
    """1.7e308: three significant digits at most; ``shift`` is added to the exponent (a percentage is
    ``shift=2``), so no figure beyond the largest float is ever computed."""
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{float(mantissa):g}e{int(exponent) + shift}"


def _signed(value: float, places: int) -> str:
    """+4.1, -0.3, +1.2e20: a change, always with its sign."""
    if abs(value) < HUGE:
        return f"{value:+z.{places}f}"
    return ("+" if value > 0 else "") + _scientific(value)


def format_value(value: float | None, fmt: ValueFormat = "number", decimals: int | None = None) -> str:
    """Format by kind; ``NO_VALUE`` for a missing one.

    ``number``: 12,345 | ``percent``: 0.873 -> 87.3 % | ``duration``: seconds -> 4 min 12 s |
    ``compact``: 12.3k. Huge values in three significant digits (1.7e308), and never "-0".
    """
    if value is None or _missing(value):
        return NO_VALUE
    if fmt == "duration":
        return format_duration(value)
    if fmt == "percent":
        if abs(value) >= HUGE / 100:
            return f"{_scientific(value, 2)}{THIN_SPACE}%"
        return f"{value * 100:z.{1 if decimals is None else decimals}f}{THIN_SPACE}%"
    if abs(value) >= HUGE:
        return _scientific(value)
    if fmt == "compact":
        for threshold, suffix in _COMPACT:
            if abs(value) >= threshold:
                scaled = value / threshold
                if decimals is not None:
                    return f"{scaled:.{decimals}f}{suffix}"
                text = f"{scaled:.1f}" if abs(scaled) < 100 else f"{scaled:.0f}"
                return text.removesuffix(".0") + suffix
        return f"{value:z.{0 if decimals is None else decimals}f}"
    places = (0 if float(value).is_integer() else 1) if decimals is None else decimals
    return f"{value:z,.{places}f}"


def format_duration(seconds: float | None) -> str:
    """Two largest units: 45 s, 4 min 12 s, 2 h 05 min, 3 d 4 h; ``NO_VALUE`` for a missing one."""
    if seconds is None or _missing(seconds):
        return NO_VALUE
    if abs(seconds) >= HUGE:
        return f"{_scientific(seconds / 86400)} d"
    total = round(abs(seconds))
    sign = "-" if seconds < 0 and total else ""
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h" if hours else f"{days} d"
    elif hours:
        text = f"{hours} h {minutes:02d} min"
    elif minutes:
        text = f"{minutes} min {secs} s" if secs else f"{minutes} min"
    else:
        text = f"{secs} s"
    return sign + text


def format_delta(value: float | None, previous: float | None, fmt: ValueFormat = "number") -> str | None:
    """The change from ``previous``: points for percentages, relative change otherwise.

    None, for the delta to be left out, when either value is missing or the change is beyond any float.
    """
    if value is None or previous is None or _missing(value) or _missing(previous):
        return None
    diff = value - previous
    if fmt == "percent":
        points = diff * 100
        return f"{_signed(points, 1)} pts" if math.isfinite(points) else None
    if fmt == "duration":
        return (("+" if diff >= 0 else "-") + format_duration(abs(diff))) if math.isfinite(diff) else None
    if previous == 0:
        return "new" if value else "±0"
    change = diff / abs(previous) * 100
    return f"{_signed(change, 1)}{THIN_SPACE}%" if math.isfinite(change) else None


def format_age(seconds: float) -> str:
    """How long ago, in the fewest characters a reader needs: now, 45 s, 12 min, 3 h, 2 d."""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return "now"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


UNDETERMINED_LANGUAGES = frozenset({"und", "unknown", "zxx", "mis", "mul", "art"})
"""Codes that name no one language (ISO 639's undetermined, no linguistic content, uncoded and multiple;
Twitter's emoji-only ``art``): a card shows no language for them."""


def language_tag(code: str | None) -> str:
    """A post's language as a card shows it: the code in capitals ("PT-BR"), or nothing for a code that
    names no language (``und``, and Twitter's ``qme``, ``qht``... for media, hashtags or mentions only)."""
    code = (code or "").strip()
    base = code.lower().replace("_", "-").split("-")[0]
    if not base or base in UNDETERMINED_LANGUAGES or (len(base) == 3 and "qaa" <= base <= "qtz"):
        return ""
    return code.upper()


def post_age(seconds: float) -> str:
    """A post's age on a card: "now" for its first minute, then as ``format_age``. A card is a picture
    kept while it shows; a count of seconds would redraw it every second, or freeze a wrong one."""
    return "now" if seconds < 60 else format_age(seconds)


def freshness_badge(freshness: Freshness) -> str:
    """What a widget says when its data is not live: its age, and whether the source is failing."""
    if not freshness.badge or freshness.age is None:
        return ""
    age = format_duration(freshness.age.total_seconds())
    if freshness.state is SourceState.FAILING:
        return f"Reconnecting · data from {age} ago"
    return f"Updated {age} ago"
