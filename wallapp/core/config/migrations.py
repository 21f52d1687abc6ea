"""Layouts (and shows, schedules) written in an older format, brought up to the current one as they are read.

A layout names the format it is written in (``version``; absent means the current one). When the format
changes, ``CURRENT`` goes up by one and a step joins ``STEPS`` that turns a layout of the previous version
into one of the new: an old layout is then migrated, one step at a time, before it is validated, and keeps
working unchanged on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from wallapp.errors import DocumentError, LayoutError, Problem

CURRENT = 1
"""The layout format this version of wallapp reads."""

Step = Callable[[dict[str, Any]], dict[str, Any]]
"""A layout's JSON in one version to a new dict in the next (the ``version`` field is set for it)."""

STEPS: dict[int, Step] = {}
"""``STEPS[n]`` migrates a layout of version ``n`` to version ``n + 1``, for every ``n`` from the oldest
format still read up to ``CURRENT - 1``."""


def migrate_layout(data: Any, source: Path | str) -> Any:
    """A parsed layout in the current format, or ``LayoutError`` at ``version`` if this version of wallapp
    cannot read its format. What is not a layout with a whole ``version`` is left to validation to report."""
    return migrate(data, source, LayoutError, CURRENT, STEPS)


def migrate(
    data: Any, source: Path | str, error: type[DocumentError], current: int, steps: dict[int, Step]
) -> Any:
    """A parsed document (layout, show, schedule) brought to format ``current`` by ``steps``, or ``error``
    at ``version`` if this version of wallapp cannot read its format."""
    if not isinstance(data, dict):
        return data
    version = data.get("version", current)
    if not isinstance(version, int) or isinstance(version, bool):
        return data
    oldest = min(steps, default=current)
    readable = f"{oldest} to {current}" if oldest < current else str(current)
    if version > current:
        message = f"format {version} is newer than this version of wallapp reads ({readable}): update wallapp"
        raise error(source, [Problem("version", message)])
    if version < oldest:
        message = f"unknown format {version} (this version of wallapp reads {readable})"
        raise error(source, [Problem("version", message)])
    while version < current:
        data = {**steps[version](data), "version": version + 1}
        version += 1
    return data
