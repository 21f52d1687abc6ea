"""The C heap of a wall that runs for weeks: freed memory handed back to the system.

glibc's allocator keeps memory freed by Qt and Python (pictures replaced, text laid out again, posts
trimmed) for reuse; over hours the kept part grows while the memory in use stays flat, and the process
looks as if it leaked. ``trim`` asks it to return what it keeps. Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

TRIM_EVERY_S = 300.0
"""How often a running wall hands freed memory back (a trim takes a few milliseconds)."""


def _libc() -> Any | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"))
    except (OSError, TypeError):
        return None


LIBC = _libc()


def trim() -> bool:
    """Return the heap's free memory to the system; whether the allocator could."""
    function = getattr(LIBC, "malloc_trim", None)
    return bool(function(0)) if function is not None else False
