"""Where the shipped layouts, themes, shows and schedules are: in the installed package, or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[2]


def shipped(folder: str) -> Path:
    """``layouts``, ``themes``, ``shows``, ``schedules``: the installed copy (wheel) or the checkout's."""
    installed = _PACKAGE / "_data" / folder
    return installed if installed.is_dir() else _PACKAGE.parent / folder
