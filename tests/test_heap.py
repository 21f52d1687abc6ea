"""Freed memory goes back to the system: the wall's RSS does not creep up over weeks (glibc)."""

from __future__ import annotations

import ctypes

import pytest

from wallapp import heap
from wallapp.bench.memory import rss_bytes

pytestmark = pytest.mark.skipif(
    getattr(heap.LIBC, "malloc_trim", None) is None, reason="malloc_trim is glibc's"
)


def test_a_trim_hands_back_memory_freed_under_a_block_still_in_use() -> None:
    libc = heap.LIBC
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = []
    for _ in range(40_000):  # 40 MB in small blocks, each written to
        block = libc.malloc(1024)
        ctypes.memset(block, 1, 1024)
        blocks.append(block)
    for block in blocks[:-1]:  # the last one stays: free() alone cannot shrink the heap under it
        libc.free(block)
    before = rss_bytes()
    assert before is not None
    assert heap.trim()
    after = rss_bytes()
    assert after is not None
    libc.free(blocks[-1])
    assert before - after > 20 * 2**20
