"""Alerts: what an alert banner shows, read from the latest row of a source that carries a level.

A row such as ``{"level": "crisis", "message": "Network outage in Lyon"}`` raises an alert; a newer row
with a level of ``clear`` (or ok, none, resolved) clears it. Levels are read loosely (``critical`` is a
crisis, ``warn`` a warning); an unknown level is shown as a warning rather than hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from wallapp.core.data.records import Record, Row

AlertLevel = Literal["info", "warning", "crisis"]

_LEVELS: dict[str, AlertLevel | None] = {
    "info": "info",
    "information": "info",
    "notice": "info",
    "low": "info",
    "warning": "warning",
    "warn": "warning",
    "medium": "warning",
    "high": "warning",
    "crisis": "crisis",
    "critical": "crisis",
    "emergency": "crisis",
    "alert": "crisis",
    "clear": None,
    "cleared": None,
    "ok": None,
    "none": None,
    "resolved": None,
    "": None,
}


@dataclass(frozen=True)
class Alert:
    level: AlertLevel
    message: str


def read_level(value: object) -> AlertLevel | None:
    """A level word as an alert level; None for the words that clear; unknown words warn."""
    word = str(value).strip().casefold() if value is not None else ""
    return _LEVELS.get(word, "warning")


def latest_alert(
    records: Iterable[Record], level_field: str = "level", message_field: str = "message"
) -> Alert | Literal[False] | None:
    """The alert the newest row with a level raises; None if that row clears; False if no row has a level."""
    for record in records:  # newest first
        if isinstance(record, Row) and level_field in record.values:
            level = read_level(record.values[level_field])
            message = " ".join(str(record.values.get(message_field) or "").split())
            if level is None:
                return None
            return Alert(level, message or level.capitalize())
    return False
