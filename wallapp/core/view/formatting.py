"""Formatting figures for people reading them from across a room."""

from __future__ import annotations

import math
from typing import Literal

from wallapp.core.data.freshness import Freshness, SourceState

THIN_SPACE = "\u2009"
_COMPACT = ((1e9, "B"), (1e6, "M"), (1e3, "k"))

ValueFormat = Literal["number", "percent", "duration", "compact"]
"""How a figure is written: 12,345 | 87.3 % | 4 min 12 s | 12.3k."""


def format_value(value: float, fmt: ValueFormat = "number", decimals: int | None = None) -> str:
    """Format by kind.

    ``number``: 12,345 | ``percent``: 0.873 -> 87.3 % | ``duration``: seconds -> 4 min 12 s |
    ``compact``: 12.3k
    """
    if math.isnan(value) or math.isinf(value):
        return "–"
    if fmt == "percent":
        return f"{value * 100:.{1 if decimals is None else decimals}f}{THIN_SPACE}%"
    if fmt == "duration":
        return format_duration(value)
    if fmt == "compact":
        for threshold, suffix in _COMPACT:
            if abs(value) >= threshold:
                scaled = value / threshold
                if decimals is not None:
                    return f"{scaled:.{decimals}f}{suffix}"
                text = f"{scaled:.1f}" if abs(scaled) < 100 else f"{scaled:.0f}"
                return text.removesuffix(".0") + suffix
        return f"{value:.{0 if decimals is None else decimals}f}"
    places = (0 if float(value).is_integer() else 1) if decimals is None else decimals
    return f"{value:,.{places}f}"


def format_duration(seconds: float) -> str:
    """Two largest units: 45 s, 4 min 12 s, 2 h 05 min, 3 d 4 h."""
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


def format_delta(value: float, previous: float, fmt: ValueFormat = "number") -> str:
    """The change from ``previous``: points for percentages, relative change otherwise."""
    if fmt == "percent":
        points = (value - previous) * 100
        return f"{points:+.1f} pts"
    if fmt == "duration":
        diff = value - previous
        return ("+" if diff >= 0 else "-") + format_duration(abs(diff))
    if previous == 0:
        return "new" if value else "±0"
    change = (value - previous) / abs(previous) * 100
    return f"{change:+.1f}{THIN_SPACE}%"


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
