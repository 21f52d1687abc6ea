"""Files the wall keeps: written whole or not at all, and a failing disk never more than a log line."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from disks import fill, read_only, tmpfs

from wallapp.core.data.records import Post
from wallapp.core.data.store import Store
from wallapp.core.durable import Writer, write_atomically

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)


def posts(n: int, size: int = 10) -> list[Post]:
    return [Post(id=f"{n}-{i}", text="x" * size) for i in range(n)]


def test_a_write_replaces_the_file_whole_and_leaves_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.json"
    write_atomically(path, b"one")
    write_atomically(path, b"two, longer")
    assert path.read_bytes() == b"two, longer"
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]


@pytest.mark.parametrize("written_by", ["its own thread", "a writer"])
def test_a_full_disk_keeps_the_previous_file_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, written_by: str
) -> None:
    """The same whether the store writes at once or asks a writer on a thread of its own."""
    writer = Writer() if written_by == "a writer" else None

    def written() -> None:
        """What was asked is on disk, or has failed."""
        if writer is not None:
            writer.drain()

    with tmpfs(tmp_path / "cache", size_kb=64) as cache:
        path = cache / "posts.json"
        store = Store("posts", cache_path=path, persist_every=0, writer=writer)
        store.update(posts(2), as_of=T0)
        written()
        before = path.read_bytes()
        fill(cache)
        with caplog.at_level(logging.INFO, logger="wallapp.core.data.store"):
            for n in range(1, 6):  # every update tries to save (persist_every=0), and fails
                store.update(posts(20, 2000), as_of=T0 + timedelta(seconds=n))
            written()
            if writer is None:
                assert not store.save()
            assert [r.getMessage() for r in caplog.records] == [
                f"store 'posts': its last good data cannot be written to {path}: No space left on device; "
                "kept in memory until it can be"
            ]
            assert path.read_bytes() == before  # the last file written is still whole
            assert sorted(p.name for p in cache.iterdir()) == ["filler", "posts.json"]  # no temporary left
            assert len(store) == 22  # the wall goes on showing what came
            (cache / "filler").unlink()
            store.update(posts(3), as_of=T0 + timedelta(seconds=10))
            written()
        assert (
            caplog.records[-1].getMessage()
            == f"store 'posts': its last good data can be written to {path} again"
        )
        restarted = Store("posts", cache_path=path)
        assert restarted.load()
        assert restarted.records() == store.records()
        assert len(store) == 25


def test_a_read_only_folder_keeps_the_previous_file_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with tmpfs(tmp_path / "cache", size_kb=256) as cache:
        path = cache / "stores" / "posts.json"
        store = Store("posts", cache_path=path, persist_every=0)
        store.update(posts(1), as_of=T0)
        read_only(cache)
        with caplog.at_level(logging.WARNING):
            for n in range(1, 4):
                store.update(posts(n + 1), as_of=T0 + timedelta(seconds=n))
        assert [r.getMessage() for r in caplog.records] == [
            f"store 'posts': its last good data cannot be written to {path}: Read-only file system; "
            "kept in memory until it can be"
        ]
        assert Store("posts", cache_path=path).load()  # what was written before, whole
        read_only(cache, on=False)
        assert store.save()
        restarted = Store("posts", cache_path=path)
        assert restarted.load()
        assert restarted.records() == store.records()


def test_a_writer_writes_off_the_callers_thread_in_order_and_the_last_asked_wins(tmp_path: Path) -> None:
    writer = Writer()
    path = tmp_path / "state.json"
    threads: list[str] = []
    told: list[OSError | None] = []

    def make(n: int) -> Callable[[], bytes]:
        def content() -> bytes:
            threads.append(threading.current_thread().name)
            return f"version {n}".encode()

        return content

    for n in range(20):
        writer.write(path, make(n), told.append)
    writer.wait(path)
    assert path.read_bytes() == b"version 19"
    assert told == [None] * 20
    assert threading.current_thread().name not in threads  # made and written on the writer's thread


def test_a_store_read_while_its_data_is_being_written_waits_for_it(tmp_path: Path) -> None:
    """Reading sweeps the temporary files a killed run left: one being written now is not one of them."""
    writer = Writer()
    path = tmp_path / "posts.json"
    store = Store("posts", cache_path=path, writer=writer)
    store.update(posts(3), as_of=T0)
    release = threading.Event()
    writer.write(tmp_path / "other.json", lambda: b"{}" if release.wait(30) else b"", lambda _: None)
    assert store.save()  # asked: written after the blocked write, on the writer's thread
    read: list[bool] = []
    reader = threading.Thread(
        target=lambda: read.append(Store("posts", cache_path=path, writer=writer).load())
    )
    reader.start()
    reader.join(0.2)
    assert reader.is_alive()  # waiting for the write on its way
    release.set()
    reader.join(30)
    assert read == [True]
