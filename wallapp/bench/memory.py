"""Where the wall's memory is: the process's resident size, the C heap, and the caches that fill over
time. Sampled during the steady scenarios, so that a soak tells a cache filling towards its bound from a
leak."""

from __future__ import annotations

import ctypes
import gc
import os
from typing import Any

from wallapp import heap
from wallapp.qt import text
from wallapp.qt.images import ImageCache

MB = 2**20


def rss_bytes() -> int | None:
    """Resident memory of this process (Linux); None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class _MallInfo2(ctypes.Structure):
    _fields_ = [  # glibc's struct mallinfo2, every field a size_t
        (name, ctypes.c_size_t)
        for name in [
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        ]
    ]


def _mallinfo2() -> Any | None:
    function = getattr(heap.LIBC, "mallinfo2", None)  # glibc 2.33 and later
    if function is not None:
        function.restype = _MallInfo2
    return function


_MALLINFO = _mallinfo2()


def heap_mb() -> tuple[float, float] | None:
    """The C heap (glibc): bytes in use, and bytes free but kept by the allocator; None elsewhere."""
    if _MALLINFO is None:
        return None
    info = _MALLINFO()
    return (info.uordblks + info.hblkhd) / MB, info.fordblks / MB


def sample(elapsed: float, images: ImageCache) -> dict[str, Any]:
    """One row of the breakdown (a full pass over the interpreter's objects: every minute, not every
    second)."""
    rss = rss_bytes()
    heap = heap_mb()
    return {
        "s": round(elapsed, 1),
        "rss_mb": None if rss is None else round(rss / MB, 1),
        "heap_used_mb": None if heap is None else round(heap[0], 1),
        "heap_free_mb": None if heap is None else round(heap[1], 1),
        "python_objects": len(gc.get_objects()),
        "pictures_mb": round(images.held_bytes / MB, 1),
        "text_layouts": text.cached_layouts(),
    }
