"""What a widget says about its source in words a person reads from across the room.

A widget with nothing to show says why: its source is still connecting, is failing (and since when, in
plain words: "Backend error 500"), has produced nothing yet, or holds records that do not fit the
widget's configuration. A widget showing data that is not live marks it with a badge, in the longest
form that fits beside the widget's heading. Everything here is a pure function of what it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from wallapp.core.data.diagnosis import Mismatch, known_names
from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.view.formatting import format_age, format_duration, freshness_badge


@dataclass(frozen=True)
class Notice:
    """A headline and a quieter detail line, shown in place of a widget's content."""

    headline: str
    detail: str = ""
    warn: bool = False
    """Something is wrong (a failing source, a configuration mistake), not merely empty."""


_STATUS = {
    400: "Bad request",
    401: "Not authorised",
    403: "Access denied",
    404: "Not found",
    405: "Method not allowed",
    408: "Backend timed out",
    410: "Gone",
    413: "Request too large",
    429: "Too many requests",
}


def _http(match: re.Match[str]) -> str:
    code = int(match.group(1))
    if code >= 500:
        return f"Backend error {code}"
    if code in _STATUS:
        return f"{_STATUS[code]} ({code})"
    return f"Request refused ({code})" if code >= 400 else f"Unexpected answer ({code})"


def _size(match: re.Match[str]) -> str:
    size = float(match.group(1).replace(",", ""))
    for unit, step in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= step:
            return f"Too large: over {size / step:.3g} {unit}"
    return f"Too large: over {size:.0f} bytes"


def _missing(match: re.Match[str]) -> str:
    what, name = match.group(1), match.group(2)
    return f"No such secret: {name}" if what == "secret" else f"No environment variable {name}"


def _fixed(words: str) -> Callable[[re.Match[str]], str]:
    return lambda _: words


_PLAIN: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), say)
    for pattern, say in (
        (r"^HTTP (\d{3})\b", _http),
        (r"\bthe (secret|environment variable) (\S+) is not set", _missing),
        (r"\bis HTML\b", _fixed("Web page instead of JSON")),
        (r"\bis not (?:valid )?JSON\b", _fixed("Invalid JSON")),
        (r"\bis not UTF-8\b", _fixed("Not UTF-8 text")),
        (r"\bover the cap of ([\d,]+)", _size),
        (r"\bended the stream without sending an event\b", _fixed("Stream ended without an event")),
        (r"\bdoes not fit the mapping\b", _fixed("Data does not fit the mapping")),
    )
)


def plain_cause(cause: str | None) -> str:
    """A source's failure as a short headline: "HTTP 500 Internal Server Error" -> "Backend error 500",
    a missing ``${secret:search_token}`` -> "No such secret: search_token". A cause already plain ("no
    response within 5 s", "connection refused") keeps its words, capitalised, without the technical
    detail in parentheses at its end."""
    if not cause:
        return "Source failing"
    for pattern, say in _PLAIN:
        if match := pattern.search(cause):
            return say(match)
    words = re.sub(r"\s*\([^()]*\)$", "", cause.strip()) or cause.strip()
    return words[:1].upper() + words[1:]


def waiting_notice(freshness: Freshness | None, source: str | None, empty: str) -> Notice:
    """What a widget with nothing to show says: its source connecting, failing (in plain words, for how
    long), or up with nothing yet (``empty``, e.g. "No posts yet")."""
    if freshness is None or source is None:
        return Notice(empty)
    if freshness.state is SourceState.FAILING:
        return Notice(
            plain_cause(freshness.last_error), f"{_failing_for(freshness)} · source '{source}'", True
        )
    if freshness.state is SourceState.CONNECTING:
        return Notice("Connecting…", f"Source '{source}'")
    return Notice(empty)


def _failing_for(freshness: Freshness) -> str:
    seconds = freshness.failing_for.total_seconds() if freshness.failing_for is not None else 0.0
    return f"Retrying · failing for {format_age(seconds)}" if seconds >= 10 else "Retrying"


def badge_forms(freshness: Freshness) -> tuple[str, ...]:
    """A badge's texts, longest first: a widget shows the longest that fits beside its heading.

    Data that is not live says its age ("Reconnecting · data from 2 h 05 min ago" down to "2 h ago");
    content a source never replaced (a ticker's own headlines) says that the source is failing.
    """
    if freshness.badge and freshness.age is not None:
        seconds = freshness.age.total_seconds()
        age, coarse = format_duration(seconds), f"{format_age(seconds)} ago"
        shorter = (f"Reconnecting · {age} ago",) if freshness.state is SourceState.FAILING else ()
        return tuple(dict.fromkeys((freshness_badge(freshness), *shorter, f"{age} ago", coarse)))
    if freshness.state is SourceState.FAILING:
        cause = plain_cause(freshness.last_error)
        return f"{cause} · retrying", cause
    return ()


def mismatch_notice(mismatch: Mismatch) -> Notice:
    """A configuration mistake on the widget: the problem, then the names the source does have."""
    return Notice(mismatch.problem, f"Known: {known_names(mismatch.known)}" if mismatch.known else "", True)
