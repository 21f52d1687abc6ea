"""Freed memory goes back to the system: the wall's RSS does not creep up over weeks (glibc)."""

from __future__ import annotations

import ctypes
import mmap
import threading
from pathlib import Path
from typing import Any

import pytest

from wallapp import heap

BLOCK = 1024


def test_trim_reports_that_it_could_not_where_the_allocator_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "LIBC", None)  # no C library found
    assert heap.trim() is False
    monkeypatch.setattr(heap, "LIBC", object())  # a C library without malloc_trim (musl, macOS)
    assert heap.trim() is False


@pytest.mark.skipif(getattr(heap.LIBC, "malloc_trim", None) is None, reason="malloc_trim is glibc's")
def test_a_trim_hands_back_memory_freed_under_a_block_still_in_use() -> None:
    """Measured on the freed pages themselves (in memory or not, from ``mincore``) rather than on the
    process's RSS, which everything else in the process moves too."""
    libc: Any = heap.LIBC
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = []
    for _ in range(40_000):  # 40 MB in small blocks, each written to
        block = libc.malloc(BLOCK)
        ctypes.memset(block, 1, BLOCK)
        blocks.append(block)
    freed = blocks[:-1]  # the last one stays: free() alone cannot shrink the heap under it
    pages = pages_inside(freed)  # before freeing: nothing allocated from here on may land on them
    assert len(pages) > 5000  # most blocks lie side by side: about 10,000 pages
    try:
        for block in freed:
            libc.free(block)
        assert resident(libc, pages) > 0.9 * len(pages)  # freed, but still the process's
        assert heap.trim()
        assert resident(libc, pages) < 0.1 * len(pages)  # handed back
    finally:
        libc.free(blocks[-1])


def pages_inside(blocks: list[int]) -> list[int]:
    """The pages wholly inside runs of blocks that lie side by side (but for the allocator's few bytes
    between them): pages that hold nothing else."""
    runs: list[list[int]] = []
    for block in sorted(blocks):
        if runs and block - runs[-1][1] <= 64:
            runs[-1][1] = block + BLOCK
        else:
            runs.append([block, block + BLOCK])
    size = mmap.PAGESIZE
    return [page for start, end in runs for page in range(-(-start // size) * size, end // size * size, size)]


def resident(libc: Any, pages: list[int]) -> int:
    """How many of ``pages`` are in memory (Linux's ``mincore``)."""
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte)]
    vector = (ctypes.c_ubyte * 1)()
    count = 0
    for page in pages:
        assert libc.mincore(page, mmap.PAGESIZE, vector) == 0
        count += vector[0] & 1
    return count


def test_a_wall_trims_on_a_thread_of_its_own_one_trim_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The GUI thread asks and goes on drawing; asked again while a trim runs, it gets that trim."""
    release = threading.Event()
    threads: list[str] = []

    def slow_trim() -> bool:
        threads.append(threading.current_thread().name)
        return release.wait(timeout=10)

    monkeypatch.setattr(heap, "trim", slow_trim)
    first = heap.trim_aside()
    again = heap.trim_aside()
    assert again is first
    assert not first.done()
    release.set()
    assert first.result(timeout=10) is True
    assert heap.trim_aside().result(timeout=10) is True  # the last one done: a new trim
    assert len(threads) == 2
    assert threading.current_thread().name not in threads


def test_the_source_lines_read_at_each_import_are_let_go_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PySide6 reads the source of every module imported after it, and Python keeps the lines: a wall's
    trim lets go of them."""
    import linecache
    import sys

    import PySide6.QtCore  # noqa: F401  (what installs the import hook that reads the source)

    module = tmp_path / "wallapp_read_at_import.py"
    module.write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "wallapp_read_at_import", raising=False)
    __import__("wallapp_read_at_import")  # an import statement's way (PySide6 hooks ``__import__``)
    assert str(module) in linecache.cache  # read, and kept
    assert heap.hand_back().result(timeout=10) in (True, False)  # the trim ran (False: not glibc)
    assert str(module) not in linecache.cache
