from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wallapp.core.data.records import Metric, Person, Post
from wallapp.core.data.store import Store, last_good_path
from wallapp.core.durable import set_aside

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)


def post(n: int, seconds: int | None = None, text: str = "") -> Post:
    created = T0 + timedelta(seconds=n if seconds is None else seconds)
    return Post(id=str(n), text=text or f"post {n}", created_at=created)


def ids(store: Store) -> list[str]:
    return [record.id for record in store.records()]


def test_time_ordered_deduplicated_and_bounded() -> None:
    store = Store("posts", capacity=3)
    assert store.update([post(1), post(3), post(2)], as_of=T0) == 3
    assert ids(store) == ["3", "2", "1"]
    assert store.update([post(2)], as_of=T0) == 0
    assert store.update([post(2, text="edited")], as_of=T0) == 1
    assert store.get("2") == post(2, text="edited")
    store.update([post(5), post(4)], as_of=T0)
    assert ids(store) == ["5", "4", "3"]
    assert len(store) == 3
    assert store.as_of == T0


def test_records_without_time_take_the_update_time_and_keep_their_order() -> None:
    store = Store("ranking")
    people = [Person(id=name, name=name, rank=rank) for rank, name in enumerate("abc", start=1)]
    store.update(people, as_of=T0, replace=True)
    assert ids(store) == ["a", "b", "c"]
    store.update(list(reversed(people[1:])), as_of=T0 + timedelta(seconds=1), replace=True)
    assert ids(store) == ["c", "b"]


def test_replace_without_change_and_empty_updates_confirm_the_time() -> None:
    store = Store("kpis")
    metrics = [Metric(name="rate", value=1.0, dimensions={"country": "FR"})]
    store.update(metrics, as_of=T0, replace=True)
    later = T0 + timedelta(minutes=1)
    assert store.update(metrics, as_of=later, replace=True) == 0
    assert store.update([], as_of=later + timedelta(minutes=1)) == 0
    assert store.as_of == later + timedelta(minutes=1)
    assert ids(store) == ["rate:country=FR"]


def test_notifications_are_coalesced_through_the_scheduler() -> None:
    queued: list[Callable[[], None]] = []
    store = Store("posts", schedule=queued.append)
    seen: list[int] = []
    unsubscribe = store.subscribe(lambda s: seen.append(len(s)))
    store.update([post(1)], as_of=T0)
    store.update([post(2)], as_of=T0)
    store.update([post(2)], as_of=T0)
    assert len(queued) == 1
    assert seen == []
    queued.pop()()
    assert seen == [2]
    store.update([post(2)], as_of=T0)
    assert queued == []
    unsubscribe()
    store.update([post(3)], as_of=T0)
    assert queued == []


def test_default_scheduler_notifies_at_once_and_a_failing_subscriber_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = Store("posts")
    seen: list[int] = []

    def broken(_: Store) -> None:
        raise RuntimeError("boom")

    store.subscribe(broken)
    store.subscribe(lambda s: seen.append(len(s)))
    with caplog.at_level(logging.ERROR):
        store.update([post(1)], as_of=T0)
    assert seen == [1]
    assert "store 'posts': a subscriber failed" in caplog.text


def test_last_good_data_saved_throttled_and_loaded(tmp_path: Path) -> None:
    path = last_good_path(tmp_path / "cache", "posts", {"kind": "demo"})
    store = Store("posts", cache_path=path, persist_every=10)
    store.update([post(1), post(2)], as_of=T0)
    assert path.is_file()
    store.update([post(3)], as_of=T0 + timedelta(seconds=5))
    assert len(json.loads(path.read_text())["records"]) == 2
    store.update([post(4)], as_of=T0 + timedelta(seconds=11))
    assert len(json.loads(path.read_text())["records"]) == 4
    store.update([Metric(name="m", value=2)], as_of=T0 + timedelta(seconds=12))
    assert store.save()

    restarted = Store("posts", cache_path=path)
    assert restarted.load()
    assert restarted.from_cache
    assert restarted.records() == store.records()
    assert restarted.as_of == T0 + timedelta(seconds=12)
    restarted.update([post(4)], as_of=T0 + timedelta(seconds=20))
    assert not restarted.from_cache


def test_the_resume_token_is_kept_with_the_last_good_data(tmp_path: Path) -> None:
    path = tmp_path / "stream.json"
    store = Store("stream", cache_path=path)
    store.resume = "event-42"
    store.update([post(1)], as_of=T0)
    assert store.save()
    restarted = Store("stream", cache_path=path)
    assert restarted.load()
    assert restarted.resume == "event-42"
    # Last good data written before there was a token reads as no token.
    saved = json.loads(path.read_text())
    del saved["resume"]
    path.write_text(json.dumps(saved))
    older = Store("stream", cache_path=path)
    assert older.load()
    assert older.resume is None
    assert older.records() == store.records()


def test_last_good_path_depends_on_the_spec(tmp_path: Path) -> None:
    first = last_good_path(tmp_path, "my feed/1", {"kind": "demo", "seed": 1})
    assert first.parent == tmp_path
    assert first.name.startswith("my-feed-1-")
    assert first != last_good_path(tmp_path, "my feed/1", {"kind": "demo", "seed": 2})


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ("{not json", "Invalid JSON"),
        ('{"format": "other"}', "format: Input should be 'wallapp.store/1'"),
        ('{"format": "wallapp.store/1"}', "source: Field required"),
        ("", "Invalid JSON: EOF"),
        ('{"format": "wallapp.store/1", "source": "posts", "as_of": "2026-03-01T10:00:00Z", "rec', "EOF"),
        ("\x00" * 64, "Invalid JSON"),
    ],
)
def test_unusable_last_good_data_is_set_aside_with_one_log_line(
    tmp_path: Path, content: str, cause: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "posts.json"
    path.write_text(content)
    store = Store("posts", cache_path=path)
    with caplog.at_level(logging.WARNING):
        assert not store.load()
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert line.startswith(f"store 'posts': its last good data {path} cannot be used (")
    assert cause in line
    (aside,) = tmp_path.glob("posts.json.corrupt-*")
    assert line.endswith(f": set aside as {aside.name}; starting empty")
    assert aside.read_text() == content
    assert store.records() == ()
    assert not path.exists()
    # The source's next data is saved as usual, and loads.
    store.update([post(1)], as_of=T0)
    restarted = Store("posts", cache_path=path)
    assert restarted.load()
    assert ids(restarted) == ["1"]


def test_only_the_latest_unusable_file_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "posts.json"
    for n in range(3):
        path.write_text("{" * (n + 1))
        assert set_aside(path, now=1_700_000_000 + n) is not None
    (aside,) = tmp_path.glob("posts.json.corrupt-*")
    assert aside.name == "posts.json.corrupt-20231114T221322Z"
    assert aside.read_text() == "{{{"


def test_temporary_files_of_a_killed_run_are_swept_at_load(tmp_path: Path) -> None:
    path = tmp_path / "posts.json"
    store = Store("posts", cache_path=path)
    store.update([post(1)], as_of=T0)
    leftover = tmp_path / ".posts.json.k3j_x9.tmp"
    leftover.write_text('{"format": "wallapp.st')  # a write cut short by SIGKILL
    other = tmp_path / ".kpis.json.a1.tmp"
    other.write_text("")
    restarted = Store("posts", cache_path=path)
    assert restarted.load()
    assert ids(restarted) == ["1"]
    assert not leftover.exists()
    assert other.exists()


def test_missing_last_good_data_and_unwritable_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert not Store("posts", cache_path=tmp_path / "none.json").load()
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = Store("posts", cache_path=blocker / "posts.json")
    with caplog.at_level(logging.WARNING):
        store.update([post(1)], as_of=T0)
    store.update([post(2)], as_of=T0 + timedelta(seconds=20))
    assert not store.save()
    assert ids(store) == ["2", "1"]
    assert [r.getMessage() for r in caplog.records] == [
        f"store 'posts': its last good data cannot be written to {blocker / 'posts.json'}: "
        "File exists; kept in memory until it can be"
    ]


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Store("x", capacity=0)


def test_a_whole_picture_over_capacity_is_said_once_never_silently(caplog: pytest.LogCaptureFixture) -> None:
    store = Store("care", capacity=2)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    picture = [Metric(name="rate", value=float(n), dimensions={"country": str(n)}) for n in range(3)]
    with caplog.at_level(logging.WARNING):
        store.update(picture, as_of=now, replace=True)
        store.update(picture[::-1], as_of=now, replace=True)
    assert len(store) == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "source 'care': a payload of 3 records is over the store's capacity of 2; "
        "the oldest are left out (raise the source's capacity)"
    ]


def test_records_without_time_arriving_after_the_clock_is_set_back_are_the_newest() -> None:
    store = Store("stream", capacity=3)
    store.update([Post(id="a"), Post(id="b"), Post(id="c")], as_of=T0)
    later = T0 - timedelta(hours=1)  # the wall's clock jumped an hour back
    store.update([Post(id="d")], as_of=later)
    store.update([Post(id="e")], as_of=later + timedelta(seconds=1))
    assert ids(store)[:2] == ["e", "d"]  # first, and kept when the oldest are let go
    assert store.as_of == later + timedelta(seconds=1)  # ages are counted on the clock as it is now
