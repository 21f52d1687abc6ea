"""The C heap of a wall that runs for weeks: freed memory handed back to the system.

glibc's allocator keeps memory freed by Qt and Python (pictures replaced, text laid out again, posts
trimmed) for reuse; over hours the kept part grows while the memory in use stays flat, and the process
looks as if it leaked. ``trim`` asks it to return what it keeps. Elsewhere than glibc it does nothing.
A running wall trims often, on a thread of its own (``trim_aside``), so that no frame waits for it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import linecache
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

TRIM_EVERY_S = 5.0
"""How often a running wall hands freed memory back: a trim takes 0.3-7 ms on the hub at 1080p (a loaded
2-core machine). The wall frees and takes again 15-25 MB within seconds (the widgets' cached pictures,
dropped while they move and drawn again when they stop): trimmed every five minutes, that much more was
the wall's most of the time."""


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


def forget_source_lines() -> None:
    """Empty Python's cache of source lines. PySide6 reads the source of every module imported after it (to
    see whether the module uses its ``__feature__`` switches), and Python keeps every line read for ever:
    110,000 lines in about 10 MB of objects for the hub wall's modules, more with each module loaded later.
    Only a traceback needs a line, and reads its file again."""
    linecache.clearcache()


def hand_back() -> Future[bool]:
    """What a running wall does every ``TRIM_EVERY_S`` (from the GUI thread): the source lines read since
    forgotten, then ``trim_aside``."""
    forget_source_lines()
    return trim_aside()


class _Aside:
    """The heap's own thread, made at the first trim asked, and the trim it runs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.worker: ThreadPoolExecutor | None = None
        self.running: Future[bool] | None = None

    def trim(self) -> Future[bool]:
        with self.lock:
            if self.running is None or self.running.done():
                if self.worker is None:
                    self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heap-trim")
                self.running = self.worker.submit(trim)
            return self.running


_ASIDE = _Aside()


def trim_aside() -> Future[bool]:
    """``trim`` on the heap's own thread, the caller (the GUI thread) going on at once; while a trim is
    still running, that one (they never pile up)."""
    return _ASIDE.trim()
